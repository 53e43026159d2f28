// parse_ical: a NUL-terminated copy for libical, and no silent truncation at a NUL byte.
#include "ical/parse.hpp"

#include <libical/ical.h>

#include <string>

namespace caldav::ical {

ComponentPtr parse_ical(std::string_view bytes) {
    if (bytes.find('\0') != std::string_view::npos) return nullptr;
    std::string text(bytes);  // libical wants a NUL-terminated string
    return ComponentPtr(icalparser_parse_string(text.c_str()));
}

}  // namespace caldav::ical
