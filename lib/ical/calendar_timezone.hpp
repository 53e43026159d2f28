// A calendar's CALDAV:calendar-timezone (RFC 4791 §5.2.2): "a valid iCalendar object containing
// exactly one valid VTIMEZONE component". It decides where floating and all-day times of every
// event in the calendar are indexed, so what is accepted must define a usable zone.
#pragma once

#include <string>
#include <string_view>

namespace caldav::ical {

struct TimezoneValidation {
    bool valid = false;
    std::string message;  // for a human: what is wrong; empty when valid
    std::string tzid;     // the VTIMEZONE's TZID when valid
};

// Checks the property's text (the iCalendar object, XML already decoded):
//  - it parses as one VCALENDAR holding exactly one VTIMEZONE and no other component;
//  - the VTIMEZONE has a TZID and at least one STANDARD or DAYLIGHT, each with DTSTART,
//    TZOFFSETFROM and TZOFFSETTO (RFC 5545 §3.6.5);
//  - every offset is a utc-offset (RFC 5545 §3.3.14): sign, hours 00-23, minutes 00-59, optional
//    seconds 00-59, and never -0000;
//  - no observance recurs more often than daily (SECONDLY, MINUTELY, HOURLY rules describe no real
//    zone and would make every expansion of the zone enumerate millions of transitions).
TimezoneValidation validate_calendar_timezone(std::string_view text);

// True when `value` is an RFC 5545 §3.3.14 utc-offset ("+0530", "-0800", "+013045").
bool is_utc_offset(std::string_view value);

}  // namespace caldav::ical
