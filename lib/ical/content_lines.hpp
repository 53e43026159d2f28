// Small helpers for the line-level work on stored iCalendar text (export, partial retrieval), which
// keeps every byte that is not removed.
#pragma once

#include <string_view>

namespace caldav::ical {

// True when `text` starts with `upper_prefix` (given in upper case), ignoring ASCII case.
inline bool starts_with_insensitive(std::string_view text, std::string_view upper_prefix) {
    if (text.size() < upper_prefix.size()) return false;
    for (std::size_t i = 0; i < upper_prefix.size(); ++i) {
        char c = text[i];
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        if (c != upper_prefix[i]) return false;
    }
    return true;
}

// ASCII case-insensitive equality (names of properties, parameters and time zones).
inline bool equal_ascii_nocase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i] >= 'a' && a[i] <= 'z' ? static_cast<char>(a[i] - 'a' + 'A') : a[i];
        char y = b[i] >= 'a' && b[i] <= 'z' ? static_cast<char>(b[i] - 'a' + 'A') : b[i];
        if (x != y) return false;
    }
    return true;
}

}  // namespace caldav::ical
