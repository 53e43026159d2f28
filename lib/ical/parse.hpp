// The one way lib/ parses iCalendar text with libical.
#pragma once

#include <string_view>

#include "ical/component_ptr.hpp"

namespace caldav::ical {

// The tree of `bytes`, or nullptr when libical cannot parse it or it contains a NUL byte (libical
// would stop reading there and silently drop the rest).
ComponentPtr parse_ical(std::string_view bytes);

}  // namespace caldav::ical
