// The authn provider "caldav_cache": Basic authentication that checks a password against
// AuthUserFile (mod_authn_file) once per user and CalDAVAuthnCacheTimeout, not on every request.
#pragma once

#include <apr_pools.h>

namespace caldav::module {

void register_authn_cache(apr_pool_t* pool);

}  // namespace caldav::module
