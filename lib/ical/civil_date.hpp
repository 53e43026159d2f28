// Proleptic Gregorian dates as days since 1970-01-01 and back (the era-based civil calendar
// formulas), for the arithmetic on iCalendar times that needs no time zone.
#pragma once

#include <libical/ical.h>

#include <cstdint>

namespace caldav::ical {

constexpr std::int64_t day_seconds = 86400;

inline std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
    year -= month <= 2;
    const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
    const unsigned year_of_era = static_cast<unsigned>(year - era * 400);
    const unsigned day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

// Sets the year, month and day of `time` to the date `days` after 1970-01-01.
inline void set_civil_from_days(icaltimetype& time, std::int64_t days) {
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const auto day_of_era = static_cast<unsigned>(days - era * 146097);
    const unsigned year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const unsigned month_index = (5 * day_of_year + 2) / 153;  // March is 0
    time.day = static_cast<int>(day_of_year - (153 * month_index + 2) / 5 + 1);
    time.month = static_cast<int>(month_index < 10 ? month_index + 3 : month_index - 9);
    time.year = static_cast<int>(static_cast<std::int64_t>(year_of_era) + era * 400 + (time.month <= 2));
}

// 0 for Sunday to 6 for Saturday (1970-01-01 was a Thursday).
inline int weekday_of_days(std::int64_t days) {
    return static_cast<int>(((days + 4) % 7 + 7) % 7);
}

// Seconds since the epoch of the wall-clock fields, read as if they were UTC.
inline std::int64_t epoch_of_fields(const icaltimetype& time) {
    return days_from_civil(time.year, static_cast<unsigned>(time.month), static_cast<unsigned>(time.day)) *
               day_seconds +
           std::int64_t{time.hour} * 3600 + std::int64_t{time.minute} * 60 + time.second;
}

}  // namespace caldav::ical
