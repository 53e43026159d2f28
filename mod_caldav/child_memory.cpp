// glibc gives every thread that mallocs concurrently an arena of its own, up to 8 per core, and an
// arena keeps its peak size: an mpm_event child of 25 threads kept 15 arenas of ~1.5 MB each (24 MB
// anonymous) while its live heap never passed 6.5 MB (heaptrack). Two arenas per child hold the
// same work in a few MB; allocations stay short (SQLite rows, strings), so the shared lock costs
// little. Large blocks (a 10k-member answer) go to mmap and back to the OS when freed, rather than
// raising the heap and glibc's dynamic threshold for good.
#include "child_memory.hpp"

#include <cstdlib>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace caldav::module {

void tune_child_memory() {
#if defined(__GLIBC__)
    mallopt(M_ARENA_MAX, 2);
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
}

}  // namespace caldav::module
