// calendar-data transformations a REPORT may ask for (RFC 4791 §9.6): expand (§9.6.5) turns a
// recurring series into one component per occurrence in a time range.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace caldav::ical {

// The object with every occurrence overlapping [start, end) as its own component: RRULE, RDATE,
// EXDATE and EXRULE removed, RECURRENCE-ID set, DTSTART/DTEND (and RECURRENCE-ID) in UTC, no
// VTIMEZONE (RFC 4791 §9.6.5). Non-recurring objects come back with their times in UTC. Returns
// the input unchanged when it cannot be parsed.
std::string expand_object(std::string_view bytes, std::int64_t start, std::int64_t end,
                          std::string_view default_timezone);

// A UTC date-time in the basic format of CalDAV's time-range and expand attributes
// (20060104T000000Z, RFC 4791 §9.9) as seconds since the epoch; nullopt when malformed.
std::optional<std::int64_t> parse_utc_time(std::string_view text);

}  // namespace caldav::ical
