// Stops reading a request body once it passes a limit: mod_dav's PUT loop reads to the end of
// the body even after the provider refused it, so a chunked upload would otherwise be read whole.
#pragma once

#include <httpd.h>

namespace caldav::module {

struct BodyLimit {
    apr_off_t limit;
    apr_off_t seen = 0;
    bool exceeded = false;
};

void register_body_limit_filter();

// Adds the filter to r's input: once more than `limit` body bytes arrive, reading fails with
// APR_ENOSPC (mod_dav maps it to 413) and the connection is closed after the answer.
BodyLimit* limit_request_body(request_rec* r, apr_off_t limit);

}  // namespace caldav::module
