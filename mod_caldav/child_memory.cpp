// glibc gives every thread that mallocs concurrently an arena of its own, up to 8 per core, and an
// arena keeps its peak size: an mpm_event child of 25 threads kept 15 arenas of ~1.5 MB each (24 MB
// anonymous) while its live heap never passed 6.5 MB (heaptrack). Two arenas per child hold the
// same work in a few MB; allocations stay short (SQLite rows, strings), so the shared lock costs
// little. Large blocks (a 10k-member answer) go to mmap and back to the OS when freed, rather than
// raising the heap and glibc's dynamic threshold for good. Free pages inside the heaps (a big answer's
// strings, SQLite connections the pool closed) go back to the OS every 30 s after a request.
#include "child_memory.hpp"

#include <atomic>
#include <chrono>
#include <cstdlib>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace caldav::module {

void release_free_memory() {
#if defined(__GLIBC__)
    // malloc_trim walks and locks both arenas (well under a millisecond here): twice a minute at most.
    static std::atomic<std::int64_t> last_trim{0};
    std::int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
    std::int64_t previous = last_trim.load(std::memory_order_relaxed);
    if (now - previous < 30 || !last_trim.compare_exchange_strong(previous, now)) return;
    malloc_trim(0);
#endif
}

void tune_child_memory() {
#if defined(__GLIBC__)
    mallopt(M_ARENA_MAX, 2);
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
}

}  // namespace caldav::module
