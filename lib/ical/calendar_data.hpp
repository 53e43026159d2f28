// calendar-data transformations a REPORT may ask for (RFC 4791 §9.6): expand (§9.6.5) turns a
// recurring series into one component per occurrence in a time range.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace caldav::ical {

// The object with every occurrence overlapping [start, end) as its own component: RRULE, RDATE,
// EXDATE and EXRULE removed, RECURRENCE-ID set, DTSTART/DTEND (and RECURRENCE-ID) in UTC, no
// VTIMEZONE (RFC 4791 §9.6.5). Non-recurring objects come back with their times in UTC. Returns
// the input unchanged when it cannot be parsed.
std::string expand_object(std::string_view bytes, std::int64_t start, std::int64_t end,
                          std::string_view default_timezone);

// limit-recurrence-set (RFC 4791 §9.6.6): the object without the overridden instances (components
// with a RECURRENCE-ID) that neither start nor were originally scheduled in [start, end). The
// components kept are byte for byte as stored.
std::string limit_recurrence_set(std::string_view bytes, std::int64_t start, std::int64_t end,
                                 std::string_view default_timezone);

// limit-freebusy-set (RFC 4791 §9.6.7): VFREEBUSY components without the FREEBUSY properties none
// of whose periods overlap [start, end). Everything kept is byte for byte as stored.
std::string limit_freebusy_set(std::string_view bytes, std::int64_t start, std::int64_t end);

// A UTC date-time in the basic format of CalDAV's time-range and expand attributes
// (20060104T000000Z, RFC 4791 §9.9) as seconds since the epoch; nullopt when malformed.
std::optional<std::int64_t> parse_utc_time(std::string_view text);

}  // namespace caldav::ical

namespace caldav::ical {

// The <C:comp>/<C:prop> selection of calendar-data (RFC 4791 §9.6.1-§9.6.3), from VCALENDAR down.
struct ComponentSelection {
    std::string name;                     // upper-case component name
    bool all_properties = true;           // <C:allprop/>, or no <C:prop> given
    std::vector<std::string> properties;  // upper-case names, when not all
    bool all_components = true;           // <C:allcomp/>, or no <C:comp> given
    std::vector<ComponentSelection> components;
};

// The object reduced to the selected components and properties. Works on content lines, so what is
// kept is byte for byte what was stored; BEGIN/END lines of kept components always stay.
std::string select_parts(std::string_view bytes, const ComponentSelection& selection);

}  // namespace caldav::ical
