// Authentication, provisioning and the access policy, enforced before mod_dav sees the request,
// and the denial log line.
#include <httpd.h>  // first: the other httpd headers depend on it
#include "denial.hpp"

#include <apr_strings.h>
#include <apr_uri.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>

#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "config.hpp"
#include "dav/access.hpp"
#include "request.hpp"

APLOG_USE_MODULE(caldav);

namespace caldav::module {

namespace {

dav::Operation operation_for(const request_rec* r) {
    switch (r->method_number) {
        case M_GET:  // also HEAD
        case M_OPTIONS:
        case M_PROPFIND:
        case M_REPORT:
        case M_COPY:  // reads its source; the destination is checked as a write
            return dav::Operation::read;
        case M_PROPPATCH:
        case M_LOCK:
        case M_UNLOCK:
            return dav::Operation::modify;
        default:
            return dav::Operation::write;
    }
}

// The Destination header's path, decoded, or nullptr when it is not a usable URI (mod_dav answers that).
const char* destination_path(request_rec* r) {
    const char* destination = apr_table_get(r->headers_in, "Destination");
    if (destination == nullptr) return nullptr;
    apr_uri_t uri;
    if (apr_uri_parse(r->pool, destination, &uri) != APR_SUCCESS || uri.path == nullptr) return nullptr;
    char* path = apr_pstrdup(r->pool, uri.path);
    if (ap_unescape_url(path) != OK) return nullptr;
    return path;
}

bool valid_user_name(const std::string& user) {
    if (user.empty() || user == "." || user == ".." || user.size() > 255) return false;
    for (unsigned char c : user) {
        if (c == '/' || c < 0x20 || c == 0x7f) return false;
    }
    return true;
}

// Users this process has seen provisioned, per database file. Provisioning is checked on every
// request, and asking the principals table each time was one of a GET's four SQL statements;
// principals are never removed by a client (dav/access.cpp), so the answer cannot go stale. At most
// one entry per user of the password file.
struct ProvisionedUsers {
    std::mutex guard;
    std::set<std::pair<std::string, std::string>> known;  // (database, user)
};

void ensure_provisioned(const Context& context) {
    static ProvisionedUsers users;
    std::pair<std::string, std::string> key(context.database, context.user);
    {
        std::lock_guard<std::mutex> lock(users.guard);
        if (users.known.count(key) != 0) return;
    }
    store::Store& store = open_store(context);
    if (!store.is_provisioned(context.user)) store.provision(context.user);
    std::lock_guard<std::mutex> lock(users.guard);
    users.known.insert(std::move(key));
}

int check(request_rec* r) {
    const Context* context = nullptr;
    if (dav_error* error = resolve_context(r, &context)) return error->status;
    if (context->user.empty()) return deny(r, HTTP_UNAUTHORIZED, "not authenticated");
    if (!valid_user_name(context->user)) return deny(r, HTTP_FORBIDDEN, "user name cannot name a principal");
    std::optional<std::string> path = relative_path(*context, r->uri);
    if (!path) return deny(r, HTTP_BAD_REQUEST, "malformed path");
    if (auto_provision(directory_config(r))) ensure_provisioned(*context);
    dav::Decision decision = dav::decide(context->user, dav::classify(*path), operation_for(r));
    if (!decision.allowed) return deny(r, HTTP_FORBIDDEN, decision.reason);
    if (r->method_number == M_COPY || r->method_number == M_MOVE) {
        const char* destination = destination_path(r);
        std::optional<std::string> target = destination ? relative_path(*context, destination) : std::nullopt;
        // A destination outside our root is mod_dav's to refuse (502); inside, the policy decides.
        if (target) {
            decision = dav::decide(context->user, dav::classify(*target), dav::Operation::write);
            if (!decision.allowed)
                return deny(r, HTTP_FORBIDDEN, apr_pstrcat(r->pool, "Destination: ", decision.reason, nullptr));
        }
    }
    return DECLINED;
}

}  // namespace

int deny(request_rec* r, int status, const char* reason) {
    const request_rec* top = top_request(r);
    const char* user = request_user(r);
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                  "caldav: denied client=%s user=\"%s\" method=%s uri=\"%s\" reason=\"%s\"", r->useragent_ip,
                  user != nullptr ? ap_escape_logitem(r->pool, user) : "-", ap_escape_logitem(r->pool, top->method),
                  ap_escape_logitem(r->pool, r->uri), reason);
    return status;
}

dav_error* denial_error(request_rec* r, int status, const char* reason) {
    return dav_new_error(r->pool, deny(r, status, reason), 0, 0, nullptr);
}

bool is_caldav_request(const request_rec* r) {
    if (r->main != nullptr) return false;
    const char* provider = dav_get_provider_name(const_cast<request_rec*>(r));
    if (provider == nullptr || std::strcmp(provider, "caldav") != 0) return false;
    // mod_dav leaves POST to Apache's default handler (no dav-handler), which would answer 404
    // even for another user's paths: the policy decides first, and nothing here accepts a POST.
    return r->method_number == M_POST || (r->handler != nullptr && std::strcmp(r->handler, "dav-handler") == 0);
}

int guard_request(request_rec* r) {
    bool is_post = r->method_number == M_POST;
    try {
        int status = check(r);
        if (status == DECLINED && is_post) {
            ap_allow_methods(r, REPLACE_ALLOW, "OPTIONS", "GET", "HEAD", "PUT", "DELETE", "PROPFIND", "PROPPATCH",
                             "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", nullptr);
            return HTTP_METHOD_NOT_ALLOWED;
        }
        return status;
    } catch (...) {
        return error_from_exception(r)->status;
    }
}

}  // namespace caldav::module
