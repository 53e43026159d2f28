// Reading and checking CalDAV time ranges (RFC 4791 §9.9).
#include "query/time_range.hpp"

#include "ical/calendar_data.hpp"

namespace caldav::query {

namespace {

// Sets `value` from `text`; false (and a problem) when the text is there but no UTC date-time.
bool read_bound(const char* text, const char* which, std::optional<std::int64_t>& value, std::string& problem) {
    if (text == nullptr) return true;
    value = ical::parse_utc_time(text);
    if (!value) problem = std::string("the ") + which + " of a time range is not a UTC date-time: " + text;
    return value.has_value();
}

}  // namespace

TimeRangeReading read_time_range(const char* start, const char* end, Bounds bounds) {
    TimeRangeReading reading;
    TimeRange range;
    if (!read_bound(start, "start", range.start, reading.problem) ||
        !read_bound(end, "end", range.end, reading.problem))
        return reading;
    if (bounds == Bounds::both && (!range.start || !range.end)) {
        reading.problem = "the time range needs both a start and an end";
    } else if (!range.start && !range.end) {
        reading.problem = "the time range needs a start or an end";
    } else if (range.start && range.end && *range.end <= *range.start) {
        reading.problem = "the end of a time range must be later than its start (RFC 4791 §9.9)";
    } else {
        reading.range = range;
    }
    return reading;
}

}  // namespace caldav::query
