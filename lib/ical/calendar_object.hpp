// Calendar object resources (RFC 4791 §4.1): parsing a PUT body with libical and checking the
// §5.3.2 preconditions, without ever rewriting the bytes (what was PUT is what is stored).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct icalcomponent_impl;
struct _icaltimezone;

namespace caldav::ical {

// The RFC 4791 §5.3.2 precondition a body fails (its element name is the enum's, dashed).
enum class Precondition {
    none,
    supported_calendar_data,         // not text/calendar (checked by the caller from Content-Type)
    valid_calendar_data,             // not parseable iCalendar (RFC 5545)
    valid_calendar_object_resource,  // not exactly one component type/UID (overrides allowed), or a METHOD
    supported_calendar_component,    // a component type the collection does not take
    max_instances,                   // more occurrences than the collection allows
};

// The element name of a precondition, e.g. "valid-calendar-data" (empty for none).
const char* precondition_name(Precondition precondition);

// A VTIMEZONE of the object that validation did not give libical, because this process had
// already parsed the same text: its TZID and the zone it defines (shared, lives with the process).
struct KnownZone {
    std::string tzid;
    _icaltimezone* zone;
};
using KnownZones = std::vector<KnownZone>;

struct CalendarObject {
    std::string uid;        // the UID shared by all components (a series and its overrides)
    std::string component;  // "VEVENT", "VTODO", "VJOURNAL" or "VFREEBUSY"
    // The VCALENDAR as libical parsed it, so that indexing (ical::expand) does not parse it again:
    // parsing was half of a PUT's cost.
    std::shared_ptr<icalcomponent_impl> parsed;
    KnownZones known_zones;  // the VTIMEZONEs left out of `parsed`
};

struct Validation {
    Precondition failed = Precondition::none;
    std::string message;  // for a human: what is wrong and where
    CalendarObject object;
};

// Checks that `bytes` is one calendar object resource whose component is one of `components`
// (upper-case names; empty = any). Tolerates what real clients send: trailing spaces in TZID,
// TZIDs without a VTIMEZONE when they are well-known IANA names, LF instead of CRLF.
Validation validate_calendar_object(std::string_view bytes, const std::vector<std::string>& components);

namespace detail {
// The content lines of `bytes` (folded continuations with them) that validation gives libical:
// BEGIN and END, VERSION and METHOD, the properties whose values the server uses (times,
// recurrence, UID, alarms' triggers) and all of every VTIMEZONE. Parsing DESCRIPTION, ATTENDEE and
// X- properties was most of libical's work on a PUT, for nothing the server reads. A VTIMEZONE of
// the VCALENDAR whose exact text this process accepted before is left out, and its zone listed.
struct FilteredLines {
    std::string text;
    KnownZones known_zones;
    std::vector<std::string_view> kept_zones;  // the VCALENDAR's VTIMEZONEs in `text`, in order, as sent
};
FilteredLines lines_that_matter(std::string_view bytes);
}  // namespace detail

}  // namespace caldav::ical
