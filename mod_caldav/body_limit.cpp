// An input filter bounding the body of one request (CalDAVMaxResourceSize for PUT), like core's
// LimitRequestBody but per resource kind and also for chunked bodies.
#include <httpd.h>  // first: the other httpd headers depend on it
#include "body_limit.hpp"

#include <http_log.h>
#include <util_filter.h>

#include "request.hpp"

APLOG_USE_MODULE(caldav);

namespace caldav::module {

namespace {

constexpr char filter_name[] = "CALDAV_BODY_LIMIT";
ap_filter_rec_t* filter_handle = nullptr;

apr_status_t limit_body(ap_filter_t* filter, apr_bucket_brigade* brigade, ap_input_mode_t mode, apr_read_type_e block,
                        apr_off_t bytes) {
    auto* state = static_cast<BodyLimit*>(filter->ctx);
    if (state->exceeded) return APR_ENOSPC;
    apr_status_t status = ap_get_brigade(filter->next, brigade, mode, block, bytes);
    if (status != APR_SUCCESS || mode != AP_MODE_READBYTES) return status;
    apr_off_t length = 0;
    if (apr_brigade_length(brigade, 1, &length) != APR_SUCCESS) return status;
    state->seen += length;
    if (state->seen <= state->limit) return APR_SUCCESS;
    state->exceeded = true;
    apr_brigade_cleanup(brigade);
    // The rest of the body is never read: the connection cannot carry another request.
    filter->r->connection->keepalive = AP_CONN_CLOSE;
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, filter->r, "caldav: request body passed %" APR_OFF_T_FMT " bytes",
                  state->limit);
    return APR_ENOSPC;
}

}  // namespace

void register_body_limit_filter() {
    filter_handle = ap_register_input_filter(filter_name, limit_body, nullptr, AP_FTYPE_RESOURCE);
}

BodyLimit* limit_request_body(request_rec* r, apr_off_t limit) {
    auto* state = pool_new<BodyLimit>(r->pool);
    state->limit = limit;
    ap_add_input_filter_handle(filter_handle, state, r, r->connection);
    return state;
}

}  // namespace caldav::module
