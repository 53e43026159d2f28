// MKCALENDAR (RFC 4791 §5.3.1) and extended MKCOL (RFC 5689), handled before mod_dav.
#pragma once

#include <httpd.h>

namespace caldav::module {

// Registers the MKCALENDAR method with httpd (post_config).
void register_mkcalendar(apr_pool_t* pool);

// Creates a calendar, address book or plain collection with initial properties; DECLINED for
// requests that are not MKCALENDAR or an MKCOL with an XML body.
int handle_collection_creation(request_rec* r);

}  // namespace caldav::module
