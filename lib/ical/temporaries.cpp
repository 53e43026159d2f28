// libical returns some strings from a per-thread ring of 2500 buffers that it frees only as the ring
// wraps around, so every Apache worker thread that ever expanded a recurrence in a zone kept its
// ring: 750 KB per child of 25 threads (heaptrack, a PUT load). Freeing it unconditionally would
// cost more than it saves: icalmemory_free_ring first creates a ring (20 KB, zeroed) when the
// thread has none, which made 3% of a PUT's instructions.
#include "ical/temporaries.hpp"

#include <libical/ical.h>

namespace caldav::ical {

namespace {

thread_local bool ring_in_use = false;

}  // namespace

void note_thread_temporaries() {
    ring_in_use = true;
}

void release_thread_temporaries() {
    if (!ring_in_use) return;
    ring_in_use = false;
    icalmemory_free_ring();
}

}  // namespace caldav::ical
