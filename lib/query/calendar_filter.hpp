// The calendar-query filter (RFC 4791 §9.7) as plain values, and its evaluation on one calendar
// object resource. The REPORT handler builds it from XML; the index narrows candidates first.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "query/collation.hpp"
#include "query/time_range.hpp"

namespace caldav::query {

struct TextMatch {  // RFC 4791 §9.7.5
    std::string text;
    std::string collation = "i;ascii-casemap";  // also "i;octet", "i;unicode-casemap"
    bool negate = false;
};

struct ParamFilter {  // RFC 4791 §9.7.3
    std::string name;
    bool is_not_defined = false;
    std::optional<TextMatch> text_match;
};

struct PropFilter {  // RFC 4791 §9.7.2
    std::string name;
    bool is_not_defined = false;
    std::optional<TimeRange> time_range;
    std::optional<TextMatch> text_match;
    std::vector<ParamFilter> param_filters;
};

struct CompFilter {  // RFC 4791 §9.7.1
    std::string name;
    bool is_not_defined = false;
    std::optional<TimeRange> time_range;
    std::vector<PropFilter> prop_filters;
    std::vector<CompFilter> comp_filters;
};

// True when `bytes` (a stored calendar object resource) matches `filter`, whose name is
// "VCALENDAR". Floating and all-day times are resolved in `default_timezone` (as ical::expand takes it).
bool matches(std::string_view bytes, const CompFilter& filter, std::string_view default_timezone);

// The time range the index can narrow by: that of VCALENDAR's VEVENT/VTODO/VJOURNAL child filter
// (not negated by is-not-defined). std::nullopt when the query has none.
std::optional<TimeRange> index_range(const CompFilter& filter);

// The component (VEVENT, VTODO or VJOURNAL, upper case) when the whole filter is "has a component of
// this type overlapping the time range": VCALENDAR with that one comp-filter and its time-range,
// nothing else. The instances index answers that exactly for an object indexed past the range's end
// (RFC 4791 §9.9 as ical::Instance encodes it), so such objects need not be parsed.
std::optional<std::string> time_range_component(const CompFilter& filter);

}  // namespace caldav::query
