// The module record: registers the `caldav` mod_dav provider, its live properties, the request
// guard, and keeps <Location>-configured requests from being mapped to the filesystem.
#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_protocol.h>
#include <http_request.h>

#include <apr_strings.h>

#include <strings.h>

#include <cstring>
#include <optional>
#include <string>

#include "authn_cache.hpp"
#include "body_limit.hpp"
#include "child_memory.hpp"
#include "config.hpp"
#include "denial.hpp"
#include "ical/temporaries.hpp"
#include "mkcalendar.hpp"
#include "report.hpp"
#include "request.hpp"
#include "resource_kind.hpp"
#include "response_flush.hpp"
#include "store/database.hpp"

namespace caldav::module {

namespace {

const dav_provider provider = {
    &repository_hooks, &propdb_hooks, &lock_hooks,
    nullptr,  // vsn: supplying none keeps mod_dav's own REPORT fallback out of the way
    nullptr,  // binding
    nullptr,  // search
    nullptr,  // ctx
};

constexpr char unmapped_note[] = "caldav-unmapped";

// Under <Location>, our URLs are not files: skip Alias and the directory walk (as mod_dav_svn
// does). Only <Location> configuration is merged this early, so Alias + <Directory> setups, which
// need the directory walk to find their configuration, are left alone.
int translate_name(request_rec* r) {
    const char* provider_name = dav_get_provider_name(r);
    if (provider_name == nullptr || std::strcmp(provider_name, "caldav") != 0) return DECLINED;
    r->filename = apr_pstrcat(r->pool, "caldav:", r->uri, nullptr);
    apr_table_setn(r->notes, unmapped_note, "1");
    return OK;
}

int map_to_storage(request_rec* r) {
    return apr_table_get(r->notes, unmapped_note) != nullptr ? OK : DECLINED;
}

// RFC 4918 §9.1: a server may refuse PROPFIND with Depth: infinity (or no Depth, which means
// infinity) on a collection, answering 403 with DAV:propfind-finite-depth. mod_dav's own refusal
// has no such body, and a whole tree in one answer is of no use to a calendar client, so this is
// refused whatever DavDepthInfinity says.
int refuse_infinite_propfind(request_rec* r) {
    if (r->method_number != M_PROPFIND) return DECLINED;
    const char* depth = apr_table_get(r->headers_in, "Depth");
    if (depth != nullptr && strcasecmp(depth, "infinity") != 0) return DECLINED;
    dav_error* error = guarded(r, [&]() -> dav_error* {
        const Context* context = nullptr;
        if (dav_error* failure = resolve_context(r, &context)) return failure;
        std::optional<std::string> path = relative_path(*context, r->uri);
        if (!path || !open_store(*context).lookup(*path).is_collection()) return nullptr;
        return dav_new_error_tag(r->pool, HTTP_FORBIDDEN, 0, 0,
                                 "PROPFIND with Depth: infinity is not served; use Depth: 1.", nullptr,
                                 "propfind-finite-depth");
    });
    return error != nullptr ? dav_handle_err(r, error, nullptr) : DECLINED;
}

// Runs before mod_dav's handler: the policy first, then what mod_dav answers differently.
int before_mod_dav(request_rec* r) {
    if (!is_caldav_request(r)) return DECLINED;
    flush_response_when_complete(r);
    int status = guard_request(r);
    if (status == DECLINED) status = refuse_infinite_propfind(r);
    if (status != DECLINED) return status;
    return handle_collection_creation(r);
}

// OPTIONS (RFC 4791 §5.1, RFC 6352 §6.1, RFC 5689 §3): the DAV header names the protocols spoken
// here, and Allow the methods mod_dav does not know of.
dav_error* dav_header(request_rec* r, const dav_resource* resource, apr_text_header* header) {
    if (resource == nullptr || resource->hooks != &repository_hooks) return nullptr;
    apr_text_append(r->pool, header, "calendar-access");
    apr_text_append(r->pool, header, "addressbook");
    apr_text_append(r->pool, header, "extended-mkcol");
    return nullptr;
}

dav_error* dav_methods(request_rec* r, const dav_resource* resource, apr_text_header* methods) {
    if (resource == nullptr || resource->hooks != &repository_hooks) return nullptr;
    apr_text_append(r->pool, methods, "REPORT");
    // Where a calendar can be made: an unmapped URL, and (as a hint for clients) the calendar home.
    if (!resource->exists || node_of(resource).kind == store::CollectionKind::calendar_home)
        apr_text_append(r->pool, methods, "MKCALENDAR");
    return nullptr;
}

const dav_options_provider options = {dav_header, dav_methods, nullptr};

int post_config(apr_pool_t* pool, apr_pool_t*, apr_pool_t*, server_rec*) {
    register_mkcalendar(pool);
    return OK;
}

void child_init(apr_pool_t*, server_rec*) {
    tune_child_memory();
}

int log_transaction(request_rec*) {
    // In the thread that served the request, now that nothing holds libical's strings.
    ical::release_thread_temporaries();
    release_free_memory();
    return DECLINED;
}

void register_hooks(apr_pool_t* pool) {
    // Apache loads modules in its single-threaded parent, before any request opens the database.
    store::configure_sqlite();
    dav_register_provider(pool, "caldav", &provider);
    register_authn_cache(pool);
    register_liveprops(pool);
    register_lock_filter();
    register_body_limit_filter();
    register_response_flush_filter();
    register_resource_types(pool);
    dav_options_provider_register(pool, "caldav", &options);
    dav_hook_find_liveprop(find_liveprop, nullptr, nullptr, APR_HOOK_MIDDLE);
    dav_hook_insert_all_liveprops(insert_all_liveprops, nullptr, nullptr, APR_HOOK_MIDDLE);
    dav_hook_deliver_report(deliver_report, nullptr, nullptr, APR_HOOK_MIDDLE);
    ap_hook_translate_name(translate_name, nullptr, nullptr, APR_HOOK_FIRST);
    ap_hook_map_to_storage(map_to_storage, nullptr, nullptr, APR_HOOK_FIRST);
    ap_hook_post_config(post_config, nullptr, nullptr, APR_HOOK_MIDDLE);
    ap_hook_child_init(child_init, nullptr, nullptr, APR_HOOK_MIDDLE);
    ap_hook_log_transaction(log_transaction, nullptr, nullptr, APR_HOOK_LAST);
    // Before mod_dav's handler (MIDDLE): refuse what the policy forbids before mod_dav parses anything.
    ap_hook_handler(before_mod_dav, nullptr, nullptr, APR_HOOK_FIRST);
}

}  // namespace

}  // namespace caldav::module

module AP_MODULE_DECLARE_DATA caldav_module = {
    STANDARD20_MODULE_STUFF,
    caldav::module::create_directory_config,
    caldav::module::merge_directory_config,
    nullptr,  // server config
    nullptr,  // merge server config
    caldav::module::directives,
    caldav::module::register_hooks,
    AP_MODULE_FLAG_NONE,
};
