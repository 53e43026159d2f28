// An output filter deciding when an answer's bytes leave: in pieces of at least 64 KB, and all that
// is left at once when the answer is complete.
//
// Complete: Apache's core holds a small answer (under 4 KB in memory), or the last piece of a
// longer one, until the request is over, then looks for a next request on the connection before
// writing it; the client, still waiting for the answer, has sent none, so the connection goes back
// to the event loop and another thread picks up the next request. An answer that is out before
// that check lets the client send its next request while this thread finishes, and the thread
// reads it straight away (mod_dav_fs's GET gets this for free: a file bucket goes out at once).
// GET with 8 keep-alive connections: 5 futex and 2 epoll_ctl calls per request fewer.
//
// Large pieces: mod_dav's and our multistatus writers pass their brigade down every 8 KB, and each
// pass became one write to the socket (45 for a 1,648-event calendar-query), each waking the client.
#include <httpd.h>  // first: the other httpd headers depend on it
#include "response_flush.hpp"

#include <util_filter.h>

#include "request.hpp"

namespace caldav::module {

namespace {

constexpr char filter_name[] = "CALDAV_RESPONSE_FLUSH";
constexpr apr_off_t piece_bytes = apr_off_t{64} * 1024;
ap_filter_rec_t* filter_handle = nullptr;

struct Held {
    apr_bucket_brigade* brigade;
    apr_off_t bytes = 0;
};

// Whether `brigade` must go down now: it ends the answer (a FLUSH is put before its EOS), asks
// for a flush, carries other metadata (an error) or data of unknown length.
bool must_pass(ap_filter_t* filter, apr_bucket_brigade* brigade, apr_off_t& bytes) {
    for (apr_bucket* bucket = APR_BRIGADE_FIRST(brigade); bucket != APR_BRIGADE_SENTINEL(brigade);
         bucket = APR_BUCKET_NEXT(bucket)) {
        if (APR_BUCKET_IS_EOS(bucket)) {
            apr_bucket* previous = APR_BUCKET_PREV(bucket);
            if (previous == APR_BRIGADE_SENTINEL(brigade) || !APR_BUCKET_IS_FLUSH(previous))
                APR_BUCKET_INSERT_BEFORE(bucket, apr_bucket_flush_create(filter->c->bucket_alloc));
            return true;
        }
        if (APR_BUCKET_IS_METADATA(bucket) || bucket->length == static_cast<apr_size_t>(-1)) return true;
        bytes += static_cast<apr_off_t>(bucket->length);
    }
    return false;
}

apr_status_t send_in_large_pieces(ap_filter_t* filter, apr_bucket_brigade* brigade) {
    auto* held = static_cast<Held*>(filter->ctx);
    if (held == nullptr) {
        held = pool_new<Held>(filter->r->pool, Held{apr_brigade_create(filter->r->pool, filter->c->bucket_alloc)});
        filter->ctx = held;
    }
    if (!must_pass(filter, brigade, held->bytes) && held->bytes < piece_bytes)
        return ap_save_brigade(filter, &held->brigade, &brigade, filter->r->pool);
    APR_BRIGADE_PREPEND(brigade, held->brigade);
    held->bytes = 0;
    return ap_pass_brigade(filter->next, brigade);
}

}  // namespace

void register_response_flush_filter() {
    // Below HTTP's own filters: the FLUSH comes after the last chunk of a chunked answer (above
    // the CHUNK filter it split that 5-byte chunk off, which still waited for the check) and after
    // Content-Length is set. A protocol-level filter also stays for answers sent through Apache's
    // error path (a PUT's 204).
    filter_handle = ap_register_output_filter(filter_name, send_in_large_pieces, nullptr,
                                              static_cast<ap_filter_type>(AP_FTYPE_TRANSCODE + 1));
}

void flush_response_when_complete(request_rec* r) {
    ap_add_output_filter_handle(filter_handle, nullptr, r, r->connection);
}

}  // namespace caldav::module
