// mod_dav's walk hook: visits a resource and, by depth, its members (PROPFIND, LOCK, DELETE,
// UNLOCK walks). Members come from the store a page at a time, other users' entries are never
// visited (visit_member), and for PROPFIND each member lives in a pool cleared after it is streamed out, so
// memory does not grow with the size of the collection.
#include <httpd.h>  // first: the other httpd headers depend on it
#include <http_protocol.h>

#include "dav/access.hpp"
#include "dav/path.hpp"
#include "request.hpp"
#include "store/locks.hpp"

namespace caldav::module {

namespace {

struct Walk {
    const dav_walk_params* params;
    dav_walk_resource state;
    request_rec* r;
    const Context* context;
    bool streaming;  // PROPFIND streams each response; other walks keep what they add to the multistatus
};

dav_error* visit(Walk& walk, const dav_resource* resource, int depth);

// Every member a walk reaches comes through here: what the user may not read is not visited, so
// a PROPFIND never lists it and a tree operation never touches it (dav::listable, the filter every
// listing shares with the REPORTs' MultistatusWriter).
dav_error* visit_member(Walk& walk, store::Node member, int depth) {
    if (!dav::listable(walk.context->user, member.path)) return nullptr;
    apr_pool_t* pool = walk.params->pool;
    apr_pool_t* scratch = nullptr;
    if (walk.streaming) {
        apr_pool_create(&scratch, walk.params->pool);
        pool = scratch;
    }
    dav_resource* resource = make_resource(walk.r, walk.context, std::move(member), pool);
    dav_error* error = visit(walk, resource, depth);
    if (scratch != nullptr) apr_pool_destroy(scratch);
    return error;
}

dav_error* visit_locknull_members(Walk& walk, const store::Node& collection) {
    if (!any_live_locks(*walk.context)) return nullptr;
    store::Store& store = open_store(*walk.context);
    for (const std::string& path :
         store::locks::locknull_members(store.database(), collection.path, store::now_seconds())) {
        store::Node missing;
        missing.path = path;
        dav_resource* resource = make_resource(walk.r, walk.context, std::move(missing), walk.params->pool);
        walk.state.resource = resource;
        if (dav_error* error = walk.params->func(&walk.state, DAV_CALLTYPE_LOCKNULL)) return error;
    }
    return nullptr;
}

dav_error* visit(Walk& walk, const dav_resource* resource, int depth) {
    walk.state.resource = resource;
    int calltype = resource->collection ? DAV_CALLTYPE_COLLECTION : DAV_CALLTYPE_MEMBER;
    if (dav_error* error = walk.params->func(&walk.state, calltype)) return error;
    if (depth == 0 || !resource->collection) return nullptr;

    const store::Node& collection = node_of(resource);
    store::Store& store = open_store(*walk.context);
    int member_depth = depth == DAV_INFINITY ? DAV_INFINITY : depth - 1;
    // macOS Contacts uses only the first address book a home lists: the default one comes first.
    bool default_first = collection.kind == store::CollectionKind::calendar_home ||
                         collection.kind == store::CollectionKind::addressbook_home;
    std::string default_path = dav::join_path(collection.path, "default");
    if (default_first) {
        store::Node first = store.lookup(default_path);
        if (first.exists()) {
            if (dav_error* error = visit_member(walk, std::move(first), member_depth)) return error;
        }
    }
    dav_error* error = nullptr;
    store.for_each_member(collection, [&](store::Node& member) {
        if (default_first && member.path == default_path) return true;
        error = visit_member(walk, std::move(member), member_depth);
        return error == nullptr;
    });
    if (error != nullptr) return error;
    if ((walk.params->walk_type & DAV_WALKTYPE_LOCKNULL) != 0) return visit_locknull_members(walk, collection);
    return nullptr;
}

}  // namespace

dav_error* walk(const dav_walk_params* params, int depth, dav_response** response) {
    request_rec* r = params->root->info->r;
    *response = nullptr;
    return guarded(r, [&]() -> dav_error* {
        Walk walk{params, {}, r, params->root->info->context, top_request(r)->method_number == M_PROPFIND};
        walk.state.walk_ctx = params->walk_ctx;
        walk.state.pool = params->pool;
        dav_error* error = visit(walk, params->root, depth);
        *response = walk.state.response;
        return error;
    });
}

}  // namespace caldav::module
