// VTIMEZONEs already seen, kept per process with their expanded transitions: libical expands a
// VTIMEZONE's DST rules on first use, which costs more than the rest of parsing an event.
#pragma once

#include <libical/ical.h>

namespace caldav::ical {

// A zone with exactly the definition of `vtimezone` (same text), valid for the process lifetime;
// nullptr when the cache is full (the caller then uses the object's own zone).
icaltimezone* shared_zone(icalcomponent* vtimezone);

}  // namespace caldav::ical
