// Which calendar-query and addressbook-query filters are refused before any object is read, and why.
//
// calendar-query, 403 CALDAV:valid-filter (RFC 4791 §7.8: "the CALDAV:filter XML element ... MUST
// be valid"). A filter is refused when no valid calendar object could ever be judged by it:
//
//   shape                                                  reason
//   top comp-filter other than VCALENDAR                   RFC 4791 §9.7.1, the scope is the calendar object
//   is-not-defined on the top VCALENDAR                    every calendar object is a VCALENDAR
//   a component under a parent it cannot have              RFC 5545 §3.4, §3.6, RFC 7953 §3.1 (table below):
//     VEVENT, VTODO, VJOURNAL, VFREEBUSY, VTIMEZONE,         only directly in VCALENDAR
//     VAVAILABILITY
//     VALARM                                                 only in VEVENT or VTODO (RFC 5545 §3.6.6)
//     STANDARD, DAYLIGHT                                     only in VTIMEZONE (RFC 5545 §3.6.5)
//     AVAILABLE                                              only in VAVAILABILITY (RFC 7953 §3.1)
//     VCALENDAR                                              only at the top
//   time-range on a comp-filter other than VEVENT, VTODO,  RFC 4791 §9.9 defines overlap for those five
//     VJOURNAL, VFREEBUSY, VALARM (and RFC 7953's           only; VCALENDAR, VTIMEZONE, STANDARD, DAYLIGHT
//     VAVAILABILITY, AVAILABLE)                             and X- components have no time of their own
//   time-range on a property whose value is never a        RFC 4791 §9.9 (last row): a DATE or DATE-TIME
//     DATE, DATE-TIME or PERIOD (SUMMARY, UID, ...)          property; RFC 5545 §3.8 gives the value types
//   time-range whose end is not after its start            RFC 4791 §9.9 "end MUST be greater than start"
//   is-not-defined beside other tests in a comp-filter,    the DTDs of RFC 4791 §9.7.1, §9.7.2, §9.7.3
//     prop-filter or param-filter; time-range and
//     text-match in one prop-filter
//
// Names the tables do not know (X- and IANA components and properties, RFC 5545 §3.6, §3.7, §3.8.8)
// are accepted wherever they appear: the server cannot tell they are impossible.
//
// addressbook-query, 403 CARDDAV:supported-filter (RFC 6352 §8.6): every vCard property and parameter
// can be queried, so only a prop-filter or param-filter whose name is not a vCard name at all
// (RFC 6350 §3.3: [group "."] 1*(ALPHA / DIGIT / "-")) is refused.
#include "query/filter_validity.hpp"

#include <algorithm>
#include <cstring>

namespace caldav::query {

namespace {

std::string upper(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    return out;
}

bool is_one_of(std::string_view name, std::initializer_list<const char*> names) {
    return std::any_of(names.begin(), names.end(), [&](const char* candidate) { return name == candidate; });
}

// RFC 5545 §3.6 and RFC 7953 §3.1: the parents each known component may have (upper case).
struct Containment {
    const char* component;
    std::initializer_list<const char*> parents;
};

const Containment containment[] = {
    {"VCALENDAR", {}},  // only the top comp-filter
    {"VEVENT", {"VCALENDAR"}},
    {"VTODO", {"VCALENDAR"}},
    {"VJOURNAL", {"VCALENDAR"}},
    {"VFREEBUSY", {"VCALENDAR"}},
    {"VTIMEZONE", {"VCALENDAR"}},
    {"VAVAILABILITY", {"VCALENDAR"}},
    {"VALARM", {"VEVENT", "VTODO"}},
    {"STANDARD", {"VTIMEZONE"}},
    {"DAYLIGHT", {"VTIMEZONE"}},
    {"AVAILABLE", {"VAVAILABILITY"}},
};

bool may_contain(const std::string& parent, const std::string& child) {
    for (const Containment& known : containment)
        if (child == known.component) return is_one_of(parent, known.parents);
    return true;  // an X- or IANA component
}

// RFC 4791 §9.9 (and RFC 7953 for availability): the components a time range can overlap.
bool has_time(const std::string& component) {
    return is_one_of(component, {"VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VALARM", "VAVAILABILITY", "AVAILABLE"});
}

// RFC 5545 §3.7, §3.8: properties whose value type is never DATE, DATE-TIME or PERIOD.
bool never_a_time(const std::string& property) {
    return is_one_of(property, {"CALSCALE",  "METHOD",         "PRODID",      "VERSION", "ATTACH",   "CATEGORIES",
                                "CLASS",     "COMMENT",        "DESCRIPTION", "GEO",     "LOCATION", "PERCENT-COMPLETE",
                                "PRIORITY",  "RESOURCES",      "STATUS",      "SUMMARY", "TRANSP",   "TZID",
                                "TZNAME",    "TZOFFSETFROM",   "TZOFFSETTO",  "TZURL",   "ATTENDEE", "CONTACT",
                                "ORGANIZER", "RELATED-TO",     "URL",         "UID",     "RRULE",    "ACTION",
                                "REPEAT",    "REQUEST-STATUS", "SEQUENCE",    "DURATION"});
}

std::optional<std::string> invalid_range(const TimeRange& range, const std::string& where) {
    if (range.start && range.end && *range.end <= *range.start)
        return "the time-range of " + where + " ends before it starts (RFC 4791 §9.9)";
    return std::nullopt;
}

std::optional<std::string> invalid_param(const ParamFilter& filter, const std::string& property) {
    if (filter.is_not_defined && filter.text_match)
        return "param-filter " + filter.name + " of " + property +
               " has is-not-defined and text-match (RFC 4791 §9.7.3)";
    return std::nullopt;
}

std::optional<std::string> invalid_prop(const PropFilter& filter, const std::string& component) {
    std::string name = upper(filter.name);
    std::string where = "prop-filter " + name + " in " + component;
    if (filter.is_not_defined && (filter.time_range || filter.text_match || !filter.param_filters.empty()))
        return where + " has is-not-defined beside other tests (RFC 4791 §9.7.2)";
    if (filter.time_range && filter.text_match) return where + " has both time-range and text-match (RFC 4791 §9.7.2)";
    if (filter.time_range) {
        if (never_a_time(name)) return where + ": " + name + " is never a date or date-time (RFC 4791 §9.9)";
        if (auto reason = invalid_range(*filter.time_range, where)) return reason;
    }
    for (const ParamFilter& param : filter.param_filters)
        if (auto reason = invalid_param(param, name)) return reason;
    return std::nullopt;
}

std::optional<std::string> invalid_comp(const CompFilter& filter, const std::string& parent) {
    std::string name = upper(filter.name);
    std::string where = "comp-filter " + name + (parent.empty() ? std::string() : " in " + parent);
    if (!parent.empty() && !may_contain(parent, name))
        return where + ": a " + name + " is never inside a " + parent + " (RFC 5545 §3.6)";
    if (filter.is_not_defined && (filter.time_range || !filter.prop_filters.empty() || !filter.comp_filters.empty()))
        return where + " has is-not-defined beside other tests (RFC 4791 §9.7.1)";
    if (filter.time_range) {
        if (!has_time(name)) return where + ": a " + name + " has no time range to overlap (RFC 4791 §9.9)";
        if (auto reason = invalid_range(*filter.time_range, where)) return reason;
    }
    for (const PropFilter& prop : filter.prop_filters)
        if (auto reason = invalid_prop(prop, name)) return reason;
    for (const CompFilter& child : filter.comp_filters)
        if (auto reason = invalid_comp(child, name)) return reason;
    return std::nullopt;
}

// RFC 6350 §3.3: iana-token / x-name, 1*(ALPHA / DIGIT / "-"); the vCard parser also takes "_".
bool is_vcard_name(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
}

// A prop-filter name may carry a group (RFC 6350 §3.3 contentline: [group "."] name).
bool is_vcard_property_name(std::string_view name) {
    std::size_t dot = name.find('.');
    if (dot == std::string_view::npos) return is_vcard_name(name);
    return is_vcard_name(name.substr(0, dot)) && is_vcard_name(name.substr(dot + 1));
}

}  // namespace

std::optional<std::string> invalid_calendar_filter(const CompFilter& filter) {
    if (upper(filter.name) != "VCALENDAR")
        return "the top comp-filter is " + filter.name + ", not VCALENDAR (RFC 4791 §9.7.1)";
    if (filter.is_not_defined) return "is-not-defined on VCALENDAR matches no calendar object (RFC 4791 §9.7.1)";
    return invalid_comp(filter, "");
}

std::optional<std::string> unsupported_addressbook_filter(const vcard::Filter& filter) {
    for (const vcard::PropFilter& prop : filter.prop_filters) {
        if (!is_vcard_property_name(prop.name))
            return "prop-filter \"" + prop.name + "\" names no vCard property (RFC 6350 §3.3)";
        for (const vcard::ParamFilter& param : prop.param_filters)
            if (!is_vcard_name(param.name))
                return "param-filter \"" + param.name + "\" of " + prop.name +
                       " names no vCard parameter (RFC 6350 §3.3)";
    }
    return std::nullopt;
}

}  // namespace caldav::query
