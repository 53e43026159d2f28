// Validation of a calendar's time zone property (RFC 4791 §5.2.2, RFC 5545 §3.6.5 and §3.3.14).
#include "ical/calendar_timezone.hpp"

#include <libical/ical.h>

#include <vector>

#include "ical/content_lines.hpp"
#include "ical/parse.hpp"

namespace caldav::ical {

namespace {

bool is_digits(std::string_view text) {
    for (char c : text)
        if (c < '0' || c > '9') return false;
    return !text.empty();
}

int two_digits(std::string_view text, std::size_t at) {
    return (text[at] - '0') * 10 + (text[at + 1] - '0');
}

// The content lines of `text` unfolded (RFC 5545 §3.1), CR LF or LF ended.
std::vector<std::string> unfolded_lines(std::string_view text) {
    std::vector<std::string> lines;
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t end = text.find('\n', at);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(at, end - at);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!line.empty() && (line[0] == ' ' || line[0] == '\t') && !lines.empty()) {
            lines.back().append(line.substr(1));
        } else {
            lines.emplace_back(line);
        }
        at = end + 1;
    }
    return lines;
}

// The offsets as written: libical reads "+9999" as 99 hours 99 minutes without complaint.
std::string bad_offset(std::string_view text) {
    for (const std::string& line : unfolded_lines(text)) {
        std::size_t colon = line.find(':');
        std::size_t name_end = line.find_first_of(";:");
        if (colon == std::string::npos) continue;
        std::string_view name = std::string_view(line).substr(0, name_end);
        if (!equal_ascii_nocase(name, "TZOFFSETFROM") && !equal_ascii_nocase(name, "TZOFFSETTO")) continue;
        std::string_view value = std::string_view(line).substr(colon + 1);
        if (!is_utc_offset(value)) return std::string(name) + " is not a UTC offset: " + std::string(value);
    }
    return {};
}

bool has_property(icalcomponent* component, icalproperty_kind kind) {
    return icalcomponent_get_first_property(component, kind) != nullptr;
}

// The problem with one STANDARD or DAYLIGHT observance, or empty.
std::string bad_observance(icalcomponent* observance) {
    const char* name = icalcomponent_kind_to_string(icalcomponent_isa(observance));
    if (!has_property(observance, ICAL_DTSTART_PROPERTY)) return std::string(name) + " without DTSTART";
    if (!has_property(observance, ICAL_TZOFFSETFROM_PROPERTY)) return std::string(name) + " without TZOFFSETFROM";
    if (!has_property(observance, ICAL_TZOFFSETTO_PROPERTY)) return std::string(name) + " without TZOFFSETTO";
    for (icalproperty* rule = icalcomponent_get_first_property(observance, ICAL_RRULE_PROPERTY); rule != nullptr;
         rule = icalcomponent_get_next_property(observance, ICAL_RRULE_PROPERTY)) {
        icalrecurrencetype recurrence = icalproperty_get_rrule(rule);
        if (recurrence.freq == ICAL_SECONDLY_RECURRENCE || recurrence.freq == ICAL_MINUTELY_RECURRENCE ||
            recurrence.freq == ICAL_HOURLY_RECURRENCE || recurrence.freq == ICAL_NO_RECURRENCE)
            return std::string(name) + " with an RRULE that no time zone has (more often than daily)";
    }
    return {};
}

// The problem with the VTIMEZONE, or empty.
std::string bad_vtimezone(icalcomponent* vtimezone) {
    icalproperty* tzid = icalcomponent_get_first_property(vtimezone, ICAL_TZID_PROPERTY);
    const char* id = tzid != nullptr ? icalproperty_get_tzid(tzid) : nullptr;
    if (id == nullptr || *id == '\0') return "VTIMEZONE without TZID";
    int observances = 0;
    for (icalcomponent* child = icalcomponent_get_first_component(vtimezone, ICAL_ANY_COMPONENT); child != nullptr;
         child = icalcomponent_get_next_component(vtimezone, ICAL_ANY_COMPONENT)) {
        icalcomponent_kind kind = icalcomponent_isa(child);
        if (kind != ICAL_XSTANDARD_COMPONENT && kind != ICAL_XDAYLIGHT_COMPONENT)
            return "VTIMEZONE holds something else than STANDARD and DAYLIGHT";
        ++observances;
        if (std::string problem = bad_observance(child); !problem.empty()) return problem;
    }
    if (observances == 0) return "VTIMEZONE without STANDARD or DAYLIGHT";
    return {};
}

bool has_parse_errors(icalcomponent* component) {
    if (has_property(component, ICAL_XLICERROR_PROPERTY)) return true;
    for (icalcomponent* child = icalcomponent_get_first_component(component, ICAL_ANY_COMPONENT); child != nullptr;
         child = icalcomponent_get_next_component(component, ICAL_ANY_COMPONENT))
        if (has_parse_errors(child)) return true;
    return false;
}

TimezoneValidation failure(std::string message) {
    TimezoneValidation result;
    result.message = std::move(message);
    return result;
}

}  // namespace

bool is_utc_offset(std::string_view value) {
    if (value.size() != 5 && value.size() != 7) return false;
    if (value[0] != '+' && value[0] != '-') return false;
    std::string_view digits = value.substr(1);
    if (!is_digits(digits)) return false;
    if (two_digits(digits, 0) > 23 || two_digits(digits, 2) > 59) return false;
    if (digits.size() == 6 && two_digits(digits, 4) > 59) return false;
    // RFC 5545 §3.3.14: "-0000" and "-000000" are not allowed.
    return !(value[0] == '-' && digits.find_first_not_of('0') == std::string_view::npos);
}

TimezoneValidation validate_calendar_timezone(std::string_view text) {
    ComponentPtr root = parse_ical(text);
    if (root == nullptr || icalcomponent_isa(root.get()) != ICAL_VCALENDAR_COMPONENT)
        return failure("calendar-timezone is not an iCalendar object");
    if (has_parse_errors(root.get())) return failure("calendar-timezone is not valid iCalendar");
    icalcomponent* vtimezone = nullptr;
    for (icalcomponent* child = icalcomponent_get_first_component(root.get(), ICAL_ANY_COMPONENT); child != nullptr;
         child = icalcomponent_get_next_component(root.get(), ICAL_ANY_COMPONENT)) {
        if (icalcomponent_isa(child) != ICAL_VTIMEZONE_COMPONENT)
            return failure("calendar-timezone holds a component other than VTIMEZONE");
        if (vtimezone != nullptr) return failure("calendar-timezone holds more than one VTIMEZONE");
        vtimezone = child;
    }
    if (vtimezone == nullptr) return failure("calendar-timezone holds no VTIMEZONE");
    if (std::string problem = bad_vtimezone(vtimezone); !problem.empty()) return failure(problem);
    if (std::string problem = bad_offset(text); !problem.empty()) return failure(problem);
    TimezoneValidation result;
    result.valid = true;
    result.tzid = icalproperty_get_tzid(icalcomponent_get_first_property(vtimezone, ICAL_TZID_PROPERTY));
    return result;
}

}  // namespace caldav::ical
