// The one log line every denial writes, in the fixed format conf/fail2ban/ matches:
//   caldav: denied client=IP user="USER" method=METHOD uri="URI" reason="TEXT"
#pragma once

#include <httpd.h>
#include "mod_dav_cxx.hpp"

namespace caldav::module {

// Logs the denial line and returns `status` (401, 403 or 400) for a hook to answer with.
int deny(request_rec* r, int status, const char* reason);
// The same for hooks that answer with a dav_error (without a description, so mod_dav adds no line).
dav_error* denial_error(request_rec* r, int status, const char* reason);

// True for the top-level requests the `caldav` provider serves (dav-handler, and POST).
bool is_caldav_request(const request_rec* r);

// Checks, before mod_dav runs, that the user may do what the request asks where it asks it
// (the request URI and a COPY/MOVE Destination), and provisions a new user.
int guard_request(request_rec* r);

}  // namespace caldav::module
