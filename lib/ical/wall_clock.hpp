// Wall-clock times in a VTIMEZONE's zone and the UTC offsets that apply to them, including the
// times a DST change skips (RFC 5545 §3.3.5), which libical reads with the offset after the change.
#pragma once

#include <libical/ical.h>

#include <algorithm>
#include <cstdint>

#include "ical/civil_date.hpp"

namespace caldav::ical {

// The UTC offset libical reads `local` with, and the one in effect at the UTC time that gives:
// they differ only when a DST change skips `local` (a gap), and then the smaller one is the offset
// from before the change.
struct WallClockOffsets {
    int read;
    int in_effect;
    bool in_gap() const { return read != in_effect; }
    int before_change() const { return std::min(read, in_effect); }
};

inline WallClockOffsets offsets_of(icaltimetype local, icaltimezone* zone) {
    local.zone = zone;
    const int read = icaltimezone_get_utc_offset(zone, &local, nullptr);
    icaltimetype at_utc = icaltime_from_timet_with_zone(static_cast<time_t>(epoch_of_fields(local) - read), 0,
                                                        icaltimezone_get_utc_timezone());
    return {read, icaltimezone_get_utc_offset_of_utc_time(zone, &at_utc, nullptr)};
}

// UTC seconds of a wall-clock time in `zone` (not floating, not UTC); a skipped time takes the
// offset from before the change: 02:30 on the day Berlin skips 02:00-03:00 is 01:30 UTC.
inline std::int64_t utc_of_wall_clock(const icaltimetype& local, icaltimezone* zone) {
    return epoch_of_fields(local) - offsets_of(local, zone).before_change();
}

}  // namespace caldav::ical
