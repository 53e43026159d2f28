// RRULEs stepping by whole days or months, iterated by date arithmetic (RFC 5545 §3.3.10); see the header.
#include "ical/simple_recurrence.hpp"

#include "ical/civil_date.hpp"
#include "ical/wall_clock.hpp"

#include <cstdlib>

namespace caldav::ical {

namespace {

// libical's iterator stops past this year (64-bit time_t), and refuses a DTSTART beyond it.
constexpr int last_year = 2582;

bool empty(const short* values) {
    return values[0] == ICAL_RECURRENCE_ARRAY_MAX;
}

bool holds_only(const short* values, int value) {
    return values[0] == value && values[1] == ICAL_RECURRENCE_ARRAY_MAX;
}

// The weekdays of BYDAY as bits (Sunday 0), or nullopt when a day has an ordinal (e.g. 2MO).
std::optional<unsigned> weekday_bits(const short* by_day) {
    unsigned bits = 0;
    for (int i = 0; i < ICAL_BY_DAY_SIZE && by_day[i] != ICAL_RECURRENCE_ARRAY_MAX; ++i) {
        if (icalrecurrencetype_day_position(by_day[i]) != 0) return std::nullopt;
        bits |= 1U << (static_cast<int>(icalrecurrencetype_day_day_of_week(by_day[i])) - 1);
    }
    return bits;
}

// What libical's iterator accepts as DTSTART (icalrecur_iterator_new refuses the rest).
bool valid_start(const icaltimetype& time) {
    if (time.year < 0 || time.year > last_year || time.month < 1 || time.month > 12 || time.day < 1 ||
        time.day > icaltime_days_in_month(time.month, time.year))
        return false;
    return time.is_date != 0 || (time.hour >= 0 && time.hour <= 23 && time.minute >= 0 && time.minute <= 59 &&
                                 time.second >= 0 && time.second <= 59);
}

}  // namespace

std::optional<SimpleRecurrence> SimpleRecurrence::of(const icalrecurrencetype& rule, const icaltimetype& dtstart) {
    if (rule.rscale != nullptr || rule.interval < 1 || !valid_start(dtstart)) return std::nullopt;
    if (!empty(rule.by_second) || !empty(rule.by_minute) || !empty(rule.by_hour) || !empty(rule.by_year_day) ||
        !empty(rule.by_week_no) || !empty(rule.by_set_pos))
        return std::nullopt;
    SimpleRecurrence recurrence(rule, dtstart);
    const int start_weekday = weekday_of_days(days_from_civil(dtstart.year, dtstart.month, dtstart.day));
    switch (rule.freq) {
        case ICAL_DAILY_RECURRENCE:
        case ICAL_WEEKLY_RECURRENCE: {
            if (!empty(rule.by_month) || !empty(rule.by_month_day)) return std::nullopt;
            std::optional<unsigned> weekdays = weekday_bits(rule.by_day);
            if (!weekdays || (*weekdays != 0 && (*weekdays & (1U << start_weekday)) == 0)) return std::nullopt;
            const bool weekly = rule.freq == ICAL_WEEKLY_RECURRENCE;
            if (*weekdays == 0 || (weekly && *weekdays == 1U << start_weekday)) {
                recurrence.step_days_ = rule.interval * (weekly ? 7 : 1);
            } else if (rule.interval == 1) {  // with INTERVAL > 1, which weeks count depends on WKST
                recurrence.step_days_ = 1;
                recurrence.weekdays_ = *weekdays;
            } else {
                return std::nullopt;
            }
            return recurrence;
        }
        case ICAL_MONTHLY_RECURRENCE:
        case ICAL_YEARLY_RECURRENCE: {
            const bool yearly = rule.freq == ICAL_YEARLY_RECURRENCE;
            if (dtstart.day > 28 || !empty(rule.by_day)) return std::nullopt;
            if (!empty(rule.by_month_day) && !holds_only(rule.by_month_day, dtstart.day)) return std::nullopt;
            if (!empty(rule.by_month) && !(yearly && holds_only(rule.by_month, dtstart.month))) return std::nullopt;
            recurrence.step_months_ = rule.interval * (yearly ? 12 : 1);
            return recurrence;
        }
        default:
            return std::nullopt;
    }
}

icaltimetype SimpleRecurrence::candidate(std::int64_t index) const {
    icaltimetype time = dtstart_;
    if (step_days_ != 0) {
        set_civil_from_days(time, days_from_civil(dtstart_.year, dtstart_.month, dtstart_.day) + index * step_days_);
    } else {
        const std::int64_t month = std::int64_t{dtstart_.year} * 12 + (dtstart_.month - 1) + index * step_months_;
        time.year = static_cast<int>(month / 12);
        time.month = static_cast<int>(month % 12) + 1;
    }
    return time;
}

// A wall-clock time that a DST change skips is taken with the UTC offset from before the change
// (RFC 5545 §3.3.5): 02:30 on the day Berlin skips 02:00-03:00 is 03:30, moved forward by the gap.
icaltimetype SimpleRecurrence::in_gap_moved_forward(icaltimetype time) const {
    auto* zone = const_cast<icaltimezone*>(time.zone);
    if (time.is_date != 0 || zone == nullptr || zone == icaltimezone_get_utc_timezone()) return time;
    const WallClockOffsets offsets = offsets_of(time, zone);
    if (offsets.in_gap()) icaltime_adjust(&time, 0, 0, 0, std::abs(offsets.read - offsets.in_effect));
    return time;
}

icaltimetype SimpleRecurrence::next() {
    while (!ended_ && (rule_.count == 0 || returned_ < rule_.count)) {
        icaltimetype time = candidate(index_++);
        if (time.year > last_year) break;
        if (weekdays_ != 0 &&
            (weekdays_ & (1U << weekday_of_days(days_from_civil(time.year, time.month, time.day)))) == 0)
            continue;
        time = in_gap_moved_forward(time);
        if (!icaltime_is_null_time(rule_.until) && icaltime_compare(time, rule_.until) > 0) break;
        if (from_ && icaltime_compare(time, *from_) < 0) continue;
        ++returned_;
        return time;
    }
    ended_ = true;
    return icaltime_null_time();
}

bool SimpleRecurrence::set_start(icaltimetype start) {
    if (rule_.count > 0) return false;
    start = icaltime_convert_to_zone(start, const_cast<icaltimezone*>(dtstart_.zone));
    if (icaltime_compare(start, dtstart_) <= 0) return true;
    // The last candidate at least a step before `start`; next() skips the rest up to it.
    const std::int64_t elapsed = step_days_ != 0
                                     ? days_from_civil(start.year, start.month, start.day) -
                                           days_from_civil(dtstart_.year, dtstart_.month, dtstart_.day)
                                     : (std::int64_t{start.year} - dtstart_.year) * 12 + (start.month - dtstart_.month);
    const std::int64_t step = step_days_ != 0 ? step_days_ : step_months_;
    index_ = elapsed / step > 1 ? elapsed / step - 1 : 0;
    from_ = start;
    return true;
}

}  // namespace caldav::ical
