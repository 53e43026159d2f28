// parse_ical and the per-thread temporaries libical leaves behind.
#include "ical/parse.hpp"

#include <libical/ical.h>

#include <string>

namespace caldav::ical {

namespace {

// libical returns many strings from a per-thread ring of 2500 buffers that it frees only as the
// ring wraps around, so every Apache worker thread that ever parsed kept its ring: 780 KB per
// child of 25 threads (heaptrack, a PUT load). Threads that never parsed have nothing to free.
thread_local bool parsed_since_release = false;

}  // namespace

ComponentPtr parse_ical(std::string_view bytes) {
    if (bytes.find('\0') != std::string_view::npos) return nullptr;
    std::string text(bytes);  // libical wants a NUL-terminated string
    parsed_since_release = true;
    return ComponentPtr(icalparser_parse_string(text.c_str()));
}

void release_thread_temporaries() {
    if (!parsed_since_release) return;
    parsed_since_release = false;
    icalmemory_free_ring();
}

}  // namespace caldav::ical
