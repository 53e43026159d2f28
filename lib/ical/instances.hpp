// The time-range index (RFC 4791 §9.9): a calendar object's occurrences as UTC intervals, so a
// time-range query compares integers instead of parsing resources.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace caldav::ical {

// One occurrence, in seconds since the epoch (UTC). The interval is [start, end); a zero-length
// occurrence has end == start. An index row matches the query range [from, to) when
//     start < to AND (end > from OR (end = start AND start >= from))
// which is RFC 4791 §9.9's table for VEVENT, VTODO, VJOURNAL and VFREEBUSY once each component's
// rule has been turned into start/end here (e.g. a VTODO with neither DTSTART nor DUE spans all time).
struct Instance {
    std::int64_t start;
    std::int64_t end;
};

struct ExpansionLimits {
    std::int64_t horizon_start;  // occurrences wholly before this are not listed
    std::int64_t horizon_end;    // nor those starting at or after this
    std::size_t max_instances;   // stop (and report) after this many
};

struct Expansion {
    std::vector<Instance> instances;
    bool open_ended = false;  // the series goes on past horizon_end: expand on demand beyond it
    bool truncated = false;   // max_instances was reached inside the horizon
};

// The occurrences of the calendar object resource `bytes` (already validated): RRULE, RDATE,
// EXDATE, overrides by RECURRENCE-ID (including THISANDFUTURE), all-day and floating times
// resolved in `default_timezone` (IANA name; empty = UTC). Never loops unboundedly: a
// FREQ=SECONDLY rule without end costs at most max_instances iterations.
Expansion expand(std::string_view bytes, std::string_view default_timezone, const ExpansionLimits& limits);

}  // namespace caldav::ical
