// ACL (RFC 3744 §8.1). Clients cannot change who may do what here: access is the owner-only policy
// of lib/dav/access, and no resource has a DAV:acl property. The server therefore does not advertise
// "access-control" in DAV (RFC 3744 §7.2) nor ACL in Allow, and answers ACL as a method the resource
// does not support: 405 with the Allow header OPTIONS gives (RFC 9110 §15.5.6), rather than a 403
// with a DAV:no-protected-ace-conflict precondition, which would say that ACL is supported and this
// request conflicts with protected ACEs. httpd itself answered 501 (an unknown method), which tells
// the client that the server does not know the method at all. Nothing is read or changed.
#include <httpd.h>  // first: the other httpd headers depend on it
#include <apr_strings.h>
#include <http_protocol.h>

#include "acl_method.hpp"
#include "request.hpp"

namespace caldav::module {

namespace {

int acl_method = M_INVALID;

// What mod_dav's OPTIONS lists in Allow for a regular resource of a provider with lock hooks and
// neither versioning, binding nor search hooks (dav_method_options in httpd 2.4), in its order, then
// what the module's options provider adds: the same function OPTIONS calls.
const char* allowed_methods(request_rec* r, const dav_resource* resource) {
    const char* allow =
        resource->exists ? "OPTIONS,GET,HEAD,POST,DELETE,TRACE,PROPFIND,PROPPATCH,COPY,MOVE" : "OPTIONS,MKCOL,PUT,LOCK";
    if (resource->exists && !resource->collection) allow = apr_pstrcat(r->pool, allow, ",PUT", nullptr);
    if (resource->exists) allow = apr_pstrcat(r->pool, allow, ",LOCK,UNLOCK", nullptr);
    const dav_options_provider* options = dav_get_options_providers("caldav");
    if (options == nullptr || options->dav_method == nullptr) return allow;
    apr_text_header ours = {nullptr, nullptr};
    options->dav_method(r, resource, &ours);
    for (const apr_text* method = ours.first; method != nullptr; method = method->next)
        allow = apr_pstrcat(r->pool, allow, ",", method->text, nullptr);
    return allow;
}

}  // namespace

void register_acl_method(apr_pool_t* pool) {
    acl_method = ap_method_register(pool, "ACL");
}

int handle_acl(request_rec* r) {
    if (acl_method == M_INVALID || r->method_number != acl_method) return DECLINED;
    dav_resource* resource = nullptr;
    if (dav_error* error = dav_get_resource(r, 0, 0, &resource)) return dav_handle_err(r, error, nullptr);
    // Answered here rather than through httpd's error path, which would replace this Allow header
    // with one of its own making (registered methods in hash order, TRACE on every resource).
    ap_discard_request_body(r);
    r->status = HTTP_METHOD_NOT_ALLOWED;
    apr_table_setn(r->headers_out, "Allow", allowed_methods(r, resource));
    ap_set_content_type(r, "text/plain; charset=utf-8");
    ap_rputs("ACL is not supported: access is the server's owner-only policy (RFC 3744 8.1).\n", r);
    return DONE;
}

}  // namespace caldav::module
