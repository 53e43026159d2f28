// The one way lib/ parses iCalendar text with libical, and the release of the temporary strings
// libical keeps per thread once a request is done with them.
#pragma once

#include <string_view>

#include "ical/component_ptr.hpp"

namespace caldav::ical {

// The tree of `bytes`, or nullptr when libical cannot parse it or it contains a NUL byte (libical
// would stop reading there and silently drop the rest).
ComponentPtr parse_ical(std::string_view bytes);

// Frees the temporary strings libical kept for this thread, if it parsed anything since the last
// call. Call it where no string libical returned is still in use (after a request).
void release_thread_temporaries();

}  // namespace caldav::ical
