// Sends each answer to the client in pieces of 64 KB and as soon as it is complete, before Apache
// looks for the next request on the connection (see response_flush.cpp for why that matters).
#pragma once

#include <httpd.h>

namespace caldav::module {

void register_response_flush_filter();

// Adds the filter to r's output.
void flush_response_when_complete(request_rec* r);

}  // namespace caldav::module
