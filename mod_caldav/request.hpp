// What every hook needs to know about a request: its user, the URL root, the database,
// and the conversions between store results, C++ exceptions and mod_dav's dav_error.
#pragma once

#include <httpd.h>
#include "mod_dav_cxx.hpp"

#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "store/store.hpp"

namespace caldav::module {

struct Context {
    std::string database;                    // the SQLite file
    std::string root_url;                    // the DAV root in the URL space, without trailing slash ("/caldav")
    std::string user;                        // the authenticated user of the top-level request
    request_rec* top;                        // the top-level request, whose pool holds the leased Store
    mutable store::Store* store = nullptr;   // leased on first use by open_store
    mutable std::optional<bool> live_locks;  // see any_live_locks
};

// Resolves (once per request_rec) where the request's DAV root and database are. On failure
// returns a 500 dav_error after logging one line that says what to configure.
dav_error* resolve_context(request_rec* r, const Context** result);

// The authenticated user; subrequests (COPY/MOVE destinations) act for the request that made them.
const char* request_user(const request_rec* r);
const request_rec* top_request(const request_rec* r);

// The canonical path below the root named by `uri` (decoded), or nullopt when it lies outside
// the root or is not a clean path.
std::optional<std::string> relative_path(const Context& context, std::string_view uri);
std::string href(const Context& context, std::string_view path, bool collection);

// The request's Store: leased from the process's StorePool on first use and given back when the
// top-level request ends; subrequests (COPY/MOVE destinations) share it, so a transaction and the
// reads inside it run on one connection.
store::Store& open_store(const Context& context);

// Whether the database held a lock in force when this request first asked; a lock this request
// takes makes it true. Most databases hold none, and mod_dav asks for the locks on every ancestor
// of every resource a request touches (a PUT asked 15 times): one query per request answers them.
bool any_live_locks(const Context& context);

// Runs `body`, turning every exception into a logged dav_error: no exception reaches Apache's C.
dav_error* error_from_exception(request_rec* r);
template <class Body>
dav_error* guarded(request_rec* r, Body&& body) {
    try {
        return body();
    } catch (...) {
        return error_from_exception(r);
    }
}

// A C++ object owned by an APR pool: destroyed when the pool is cleared.
template <class T, class... Args>
T* pool_new(apr_pool_t* pool, Args&&... args) {
    void* memory = apr_palloc(pool, sizeof(T));
    T* object = new (memory) T(std::forward<Args>(args)...);
    apr_pool_cleanup_register(
        pool, object,
        [](void* data) -> apr_status_t {
            static_cast<T*>(data)->~T();
            return APR_SUCCESS;
        },
        apr_pool_cleanup_null);
    return object;
}

}  // namespace caldav::module

// mod_dav's opaque per-resource record, ours to define.
struct dav_resource_private {
    request_rec* r;  // the request (or lookup subrequest) the resource was resolved for
    const caldav::module::Context* context;
    caldav::store::Node* node;  // pool-owned
    bool replace_pending;       // mod_dav asked to remove this COPY/MOVE destination: done in the same transaction
    std::string* body;          // a GET's bytes, read with the lookup (pool-owned), or nullptr
    // The parent collection as get_parent_resource read it (pool-owned), or nullptr: a PUT's
    // open_stream reuses it rather than reading it again. A write to the resource clears it.
    caldav::store::Node* parent;
};

namespace caldav::module {

extern const dav_hooks_repository repository_hooks;
extern const dav_hooks_propdb propdb_hooks;
extern const dav_hooks_locks lock_hooks;
extern const dav_hooks_liveprop liveprop_hooks;

// The Last-Modified time a response shows for `node`: a shared collection's creation (see
// dav::is_shared), anything else's last change.
std::int64_t shown_modified(const store::Node& node);

// A dav_resource for `node`, allocated in `pool`.
dav_resource* make_resource(request_rec* r, const Context* context, store::Node node, apr_pool_t* pool);
// The Content-Type of a body stored without one, from the name's extension.
std::string default_content_type(std::string_view path);
inline const store::Node& node_of(const dav_resource* resource) {
    return *resource->info->node;
}

// The walker (walk.cpp) and the liveprops (liveprop.cpp).
dav_error* walk(const dav_walk_params* params, int depth, dav_response** response);
void register_liveprops(apr_pool_t* pool);
void register_lock_filter();
int find_liveprop(const dav_resource* resource, const char* ns_uri, const char* name, const dav_hooks_liveprop** hooks);
void insert_all_liveprops(request_rec* r, const dav_resource* resource, dav_prop_insert what, apr_text_header* text);

}  // namespace caldav::module
