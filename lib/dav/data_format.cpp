// The formats a REPORT may ask objects in: iCalendar 2.0, vCard 3.0 and 4.0.
#include "dav/data_format.hpp"

#include <cctype>

namespace caldav::dav {

namespace {

// A media type compares without case and without parameters (RFC 9110 §8.3.1).
bool same_media_type(std::string_view text, std::string_view type) {
    std::string_view::size_type end = text.find(';');
    text = text.substr(0, end);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    if (text.size() != type.size()) return false;
    for (std::string_view::size_type i = 0; i < text.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(text[i])) != type[i]) return false;
    return true;
}

}  // namespace

bool supported_calendar_data(std::string_view content_type, std::string_view version) {
    return same_media_type(content_type.empty() ? "text/calendar" : content_type, "text/calendar") &&
           (version.empty() || version == "2.0");
}

bool supported_address_data(std::string_view content_type, std::string_view version) {
    return same_media_type(content_type.empty() ? "text/vcard" : content_type, "text/vcard") &&
           (version.empty() || version == "3.0" || version == "4.0");
}

}  // namespace caldav::dav
