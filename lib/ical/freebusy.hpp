// free-busy-query (RFC 4791 §7.10): the busy time of calendar objects in a range, and the
// VFREEBUSY answer built from it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace caldav::ical {

struct BusyPeriod {
    std::int64_t start;
    std::int64_t end;
    std::string type;  // FBTYPE: BUSY, BUSY-TENTATIVE or BUSY-UNAVAILABLE
};

// The busy periods of one stored object within [from, to): its VEVENT occurrences, except
// transparent or cancelled ones (tentative ones are BUSY-TENTATIVE), clipped to the range.
std::vector<BusyPeriod> busy_periods(std::string_view bytes, std::int64_t from, std::int64_t to,
                                     std::string_view default_timezone);

// A VCALENDAR with one VFREEBUSY for [from, to): periods of each type merged where they overlap.
std::string freebusy_reply(std::vector<BusyPeriod> periods, std::int64_t from, std::int64_t to);

}  // namespace caldav::ical
