// Per-request context (user, URL root, database) and the exception-to-dav_error boundary.
#include <httpd.h>  // first: the other httpd headers depend on it
#include "request.hpp"

#include <apr_strings.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>

#include <cstring>
#include <exception>

#include "config.hpp"
#include "dav/path.hpp"
#include "object_checks.hpp"
#include "store/locks.hpp"
#include "store/pool.hpp"

APLOG_USE_MODULE(caldav);

namespace caldav::module {

namespace {

std::string without_trailing_slashes(std::string text) {
    while (text.size() > 1 && text.back() == '/') text.pop_back();
    return text;
}

bool has_path_prefix(std::string_view text, std::string_view prefix) {
    if (prefix == "/") return !text.empty() && text[0] == '/';
    return text.size() >= prefix.size() && text.compare(0, prefix.size(), prefix) == 0 &&
           (text.size() == prefix.size() || text[prefix.size()] == '/');
}

// The URL root: DavBasePath, or a <Location>'s path, or (Alias + <Directory>) the part of the URI
// in front of what the Alias appended to the directory.
// The path of the innermost <Directory>/<Location> section configuring the request. Our own config
// knows it only where one of our directives appears, so fall back to the core's record of it.
const char* section_path(const request_rec* r, const caldav_directory_config& config) {
    if (config.section_path != nullptr) return config.section_path;
    auto* core = static_cast<core_dir_config*>(ap_get_core_module_config(r->per_dir_config));
    return core != nullptr ? core->d : nullptr;
}

std::optional<std::string> find_root_url(const request_rec* r, const caldav_directory_config& config) {
    const char* base = dav_get_base_path(const_cast<request_rec*>(r));
    std::string uri = r->uri != nullptr ? r->uri : "";
    if (base == nullptr) base = section_path(r, config);
    if (base == nullptr) return std::nullopt;
    std::string root = without_trailing_slashes(base);
    if (has_path_prefix(uri, root)) return root == "/" ? std::string() : root;
    if (r->filename == nullptr) return std::nullopt;
    std::string mapped = std::string(r->filename) + (r->path_info != nullptr ? r->path_info : "");
    if (!has_path_prefix(mapped, root)) return std::nullopt;
    std::string rest = without_trailing_slashes(mapped.substr(root.size()));
    std::string trimmed_uri = without_trailing_slashes(uri);
    if (rest == "/") rest.clear();
    if (trimmed_uri.size() < rest.size() ||
        trimmed_uri.compare(trimmed_uri.size() - rest.size(), rest.size(), rest) != 0)
        return std::nullopt;
    return trimmed_uri.substr(0, trimmed_uri.size() - rest.size());
}

std::optional<std::string> find_database(const request_rec* r, const caldav_directory_config& config) {
    if (config.database != nullptr) return std::string(config.database);
    // Under Alias + <Directory DIR>, the default is DIR/caldav.sqlite. A <Location> has no directory.
    const char* section = section_path(r, config);
    if (section == nullptr || r->filename == nullptr) return std::nullopt;
    std::string directory = without_trailing_slashes(section);
    if (!has_path_prefix(r->filename, directory)) return std::nullopt;
    return directory + "/caldav.sqlite";
}

dav_error* configuration_error(request_rec* r, const char* what) {
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "caldav: configuration: %s", what);
    return dav_new_error(r->pool, HTTP_INTERNAL_SERVER_ERROR, 0, 0, nullptr);
}

}  // namespace

const request_rec* top_request(const request_rec* r) {
    while (r->main != nullptr) r = r->main;
    return r;
}

const char* request_user(const request_rec* r) {
    for (const request_rec* scan = r; scan != nullptr; scan = scan->main) {
        if (scan->user != nullptr && *scan->user != '\0') return scan->user;
    }
    return nullptr;
}

dav_error* resolve_context(request_rec* r, const Context** result) {
    static const char key[] = "caldav-context";
    void* cached = nullptr;
    apr_pool_userdata_get(&cached, key, r->pool);
    // Subrequests share the parent's pool; the cache is keyed to the request_rec that built it.
    auto* entry = static_cast<std::pair<const request_rec*, Context*>*>(cached);
    if (entry != nullptr && entry->first == r) {
        *result = entry->second;
        return nullptr;
    }
    const caldav_directory_config& config = directory_config(r);
    std::optional<std::string> root = find_root_url(r, config);
    if (!root) return configuration_error(r, "cannot tell the URL root of the DAV area: add DavBasePath");
    std::optional<std::string> database = find_database(r, config);
    if (!database)
        return configuration_error(
            r, apr_psprintf(r->pool, "no database for %s: set CalDAVDatabase (required inside <Location>)",
                            config.section_path != nullptr ? config.section_path : "this location"));
    const char* user = request_user(r);
    auto* context =
        pool_new<Context>(r->pool, Context{*database, *root, user != nullptr ? user : "",
                                           const_cast<request_rec*>(top_request(r)), nullptr, std::nullopt});
    auto* pair = pool_new<std::pair<const request_rec*, Context*>>(r->pool, r, context);
    apr_pool_userdata_set(pair, key, apr_pool_cleanup_null, r->pool);
    *result = context;
    return nullptr;
}

std::optional<std::string> relative_path(const Context& context, std::string_view uri) {
    if (!has_path_prefix(uri, context.root_url.empty() ? "/" : context.root_url)) return std::nullopt;
    return dav::canonical_path(uri.substr(context.root_url.size()));
}

std::string href(const Context& context, std::string_view path, bool collection) {
    std::string result = context.root_url + "/";
    result += path;
    if (collection && !path.empty()) result += '/';
    return result;
}

bool any_live_locks(const Context& context) {
    if (!context.live_locks)
        context.live_locks = store::locks::any_live(open_store(context).database(), store::now_seconds());
    return *context.live_locks;
}

store::Store& open_store(const Context& context) {
    if (context.store != nullptr) return *context.store;
    apr_pool_t* pool = context.top->pool;
    const char* key = apr_pstrcat(pool, "caldav-store:", context.database.c_str(), nullptr);
    void* found = nullptr;
    apr_pool_userdata_get(&found, key, pool);
    if (found == nullptr) {
        found = pool_new<store::StorePool::Lease>(pool, store::StorePool::for_database(context.database).acquire());
        apr_pool_userdata_setn(found, key, apr_pool_cleanup_null, pool);
    }
    context.store = &**static_cast<store::StorePool::Lease*>(found);
    return *context.store;
}

dav_error* error_from_exception(request_rec* r) {
    try {
        throw;
    } catch (const store::Error& error) {
        switch (error.kind()) {
            case store::ErrorKind::conflict:
                return dav_new_error(r->pool, HTTP_CONFLICT, 0, 0, apr_pstrdup(r->pool, error.what()));
            case store::ErrorKind::precondition:
                return dav_new_error(r->pool, HTTP_PRECONDITION_FAILED, 0, 0, nullptr);
            case store::ErrorKind::quota:
                ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "caldav: %s", error.what());
                return dav_new_error_tag(r->pool, HTTP_INSUFFICIENT_STORAGE, 0, 0,
                                         "The user's quota (CalDAVQuota) would be exceeded.", nullptr,
                                         "quota-not-exceeded");
            case store::ErrorKind::uid_conflict: {
                const Context* context = nullptr;
                if (dav_error* unresolved = resolve_context(r, &context)) return unresolved;
                return uid_conflict_error(r, *context, error.detail());
            }
            case store::ErrorKind::busy:
                ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "caldav: %s", error.what());
                apr_table_setn(r->err_headers_out, "Retry-After", "2");
                return dav_new_error(r->pool, HTTP_SERVICE_UNAVAILABLE, 0, 0, nullptr);
            default:
                ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "caldav: %s", error.what());
                return dav_new_error(r->pool, HTTP_INTERNAL_SERVER_ERROR, 0, 0, nullptr);
        }
    } catch (const std::bad_alloc&) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "caldav: out of memory");
    } catch (const std::exception& error) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "caldav: internal error: %s", error.what());
    } catch (...) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "caldav: internal error");
    }
    return dav_new_error(r->pool, HTTP_INTERNAL_SERVER_ERROR, 0, 0, nullptr);
}

}  // namespace caldav::module
