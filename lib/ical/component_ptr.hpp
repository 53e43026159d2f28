// Ownership of libical trees: a parsed VCALENDAR is freed however the scope is left.
#pragma once

#include <libical/ical.h>

#include <memory>

namespace caldav::ical {

struct ComponentDeleter {
    void operator()(icalcomponent* component) const { icalcomponent_free(component); }
};
using ComponentPtr = std::unique_ptr<icalcomponent, ComponentDeleter>;

}  // namespace caldav::ical
