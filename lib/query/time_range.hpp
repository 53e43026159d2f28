// The time ranges of CalDAV requests: a filter's time-range (RFC 4791 §9.9), free-busy-query's
// (§7.10), and calendar-data's expand, limit-recurrence-set and limit-freebusy-set (§9.6.5-§9.6.7).
// One reading and one check for all of them, so that no REPORT accepts a range another refuses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace caldav::query {

struct TimeRange {  // UTC seconds; an absent end is +infinity, an absent start -infinity
    std::optional<std::int64_t> start;
    std::optional<std::int64_t> end;
};

// Which bounds a range must have: a filter's time-range may leave one side open (§9.9); the others
// require both (§7.10, §9.6.5-§9.6.7: start and end are #REQUIRED).
enum class Bounds { at_least_one, both };

struct TimeRangeReading {
    std::optional<TimeRange> range;  // set when valid
    std::string problem;             // why not, for a human; empty when valid
};

// Reads the start and end attribute values (nullptr: absent). Each given value must be a UTC
// date-time in the basic format (20060104T000000Z), and when both are given the end must be later
// than the start (RFC 4791 §9.9: "end > start"); an empty range selects nothing and is an error.
TimeRangeReading read_time_range(const char* start, const char* end, Bounds bounds);

}  // namespace caldav::query
