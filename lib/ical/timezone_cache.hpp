// VTIMEZONEs already seen, kept per process with their expanded transitions: libical expands a
// VTIMEZONE's DST rules on first use, which costs more than the rest of parsing an event.
#pragma once

#include <libical/ical.h>

#include <string_view>

namespace caldav::ical {

// A zone with exactly the definition of `vtimezone` (same text), valid for the process lifetime;
// nullptr when the cache is full (the caller then uses the object's own zone).
icaltimezone* shared_zone(icalcomponent* vtimezone);

// The shared zone of a VTIMEZONE whose exact text (BEGIN to END line, as sent) this process has
// parsed and accepted before; nullptr when it has not. Validation then leaves the text unparsed:
// clients send the same VTIMEZONE with every event, and it was half of the lines libical parsed.
icaltimezone* zone_of_text(std::string_view vtimezone_text);

// Remembers that `vtimezone_text` defines `zone` (a shared_zone), up to a bound.
void remember_zone_text(std::string_view vtimezone_text, icaltimezone* zone);

}  // namespace caldav::ical
