// The RRULEs that step by whole days or months (RFC 5545 §3.3.10), iterated by date arithmetic:
// libical 3.0 runs every step of its iterator through an ICU calendar, tens of thousands of
// instructions per occurrence. Every other rule is left to libical (instances.cpp).
#pragma once

#include <libical/ical.h>

#include <cstdint>
#include <optional>

namespace caldav::ical {

// Yields what icalrecur_iterator_next would for the same rule and DTSTART (the differential test in
// t/unit/simple_recurrence_test.cpp holds it to that), except in DST gaps, where libical is wrong
// and this follows RFC 5545 §3.3.5. For these shapes only:
//   DAILY or WEEKLY, every INTERVAL days or weeks;
//   DAILY or WEEKLY with BYDAY weekdays (no ordinals) and INTERVAL 1, or WEEKLY with BYDAY naming
//     DTSTART's weekday alone;
//   MONTHLY or YEARLY every INTERVAL months or years, with at most BYMONTHDAY (and for YEARLY
//     BYMONTH) repeating DTSTART's, and DTSTART on day 1 to 28 (so no month lacks the day).
// DTSTART must itself be an occurrence (RFC 5545 leaves the set undefined otherwise) and no RSCALE.
class SimpleRecurrence {
public:
    // `dtstart` as the iterator gets it: wall-clock fields, with the series' zone (nullptr: floating).
    static std::optional<SimpleRecurrence> of(const icalrecurrencetype& rule, const icaltimetype& dtstart);

    // The next occurrence, or a null time once COUNT or UNTIL is reached.
    icaltimetype next();

    // Goes on from the first occurrence at or after `start`; false (as libical) when the rule
    // counts its occurrences (COUNT).
    bool set_start(icaltimetype start);

private:
    SimpleRecurrence(const icalrecurrencetype& rule, const icaltimetype& dtstart) : rule_(rule), dtstart_(dtstart) {}
    icaltimetype candidate(std::int64_t index) const;
    icaltimetype in_gap_moved_forward(icaltimetype time) const;

    icalrecurrencetype rule_;
    icaltimetype dtstart_;
    int step_days_ = 0;                 // DAILY and WEEKLY: days from one candidate to the next
    int step_months_ = 0;               // MONTHLY and YEARLY
    unsigned weekdays_ = 0;             // bit (1 << weekday, Sunday 0) of each weekday a candidate must fall on; 0: any
    std::int64_t index_ = 0;            // the next candidate's number (DTSTART is 0)
    int returned_ = 0;                  // occurrences returned, for COUNT
    std::optional<icaltimetype> from_;  // set_start's time: earlier candidates are skipped
    bool ended_ = false;
};

}  // namespace caldav::ical
