// The time-range index (RFC 4791 §9.9): a calendar object's occurrences as UTC intervals, so a
// time-range query compares integers instead of parsing resources.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "ical/calendar_object.hpp"

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

// The bounds of "all time" (a VTODO with neither DTSTART, DUE, COMPLETED nor CREATED; a VTODO with
// only CREATED ends at all_time_end). They satisfy the condition above for any query range.
constexpr std::int64_t all_time_start = -(std::int64_t{1} << 62);
constexpr std::int64_t all_time_end = std::int64_t{1} << 62;

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
// resolved in `default_timezone` (the calendar's calendar-timezone as iCalendar text, or an IANA
// name; empty = UTC). Never loops unboundedly: a
// FREQ=SECONDLY rule without end costs at most max_instances iterations.
// Instances are sorted by start, then end. When `truncated`, everything starting before the last listed
// instance's start is complete. Sub-daily rules that libical cannot iterate in bounded time (see
// recurrence_too_costly) contribute their DTSTART only and set `truncated`. Unparseable bytes give no instances.
Expansion expand(std::string_view bytes, std::string_view default_timezone, const ExpansionLimits& limits);
// The same for an object validate_calendar_object accepted, from the tree it parsed.
Expansion expand(const CalendarObject& object, std::string_view default_timezone, const ExpansionLimits& limits);

// Up to where an expansion is complete, for the index: occurrences starting before this are all
// listed. std::nullopt when every occurrence is (the series ends inside the horizon). A series cut
// short by max_instances is complete up to its last listed start (all time if none was listed gives
// horizon_start); an open-ended one up to horizon_end. Queries reaching past it expand on demand.
std::optional<std::int64_t> indexed_until(const Expansion& expansion, const ExpansionLimits& limits);

}  // namespace caldav::ical

// ---- for lib/ only: the same expansion on an already parsed VCALENDAR ------------------------------
struct icalcomponent_impl;
struct icalproperty_impl;
struct icalrecurrencetype;

namespace caldav::ical::detail {

// An occurrence and the component it comes from: the master, an override (RECURRENCE-ID), or the
// THISANDFUTURE override that shifted it.
struct SourcedInstance {
    std::int64_t start;
    std::int64_t end;
    const icalcomponent_impl* source;
};

// expand() on a parsed VCALENDAR; `flags` receives open_ended and truncated.
// `known_zones`: the VTIMEZONEs validation left out of a parsed object (CalendarObject::known_zones).
std::vector<SourcedInstance> expand_calendar(icalcomponent_impl* vcalendar, std::string_view default_timezone,
                                             const ExpansionLimits& limits, Expansion& flags,
                                             const KnownZones* known_zones = nullptr);

// The UTC seconds of a DATE or DATE-TIME property value (RDATE/EXDATE: the first value; PERIOD: its
// start), TZID resolved as expand() does; a DATE is its midnight in `default_timezone`. False when
// the property has no such value.
bool property_time(icalcomponent_impl* vcalendar, icalproperty_impl* property, std::string_view default_timezone,
                   std::int64_t& utc, bool& is_date, const KnownZones* known_zones = nullptr);

// True for the rules libical would iterate for minutes or forever (one icalrecur_iterator_next call
// scans second by second or minute by minute up to the year 2582): sub-daily frequencies filtered
// by BYMONTH/BYMONTHDAY/BYYEARDAY/BYWEEKNO (SECONDLY also by BYDAY). validate_calendar_object
// refuses them and expand() does not iterate them.
bool recurrence_too_costly(const icalrecurrencetype& rule);

}  // namespace caldav::ical::detail
