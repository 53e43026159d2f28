// mod_dav's lock hooks (dav_hooks_locks) over the store's lock table. Indirect locks (RFC 4918
// §7.5: members of a Depth-infinity-locked collection) are derived from the ancestor's direct
// lock when asked for, so creating, moving or deleting members never leaves a stale record.
#include <httpd.h>  // first: the other httpd headers depend on it
#include <apr_strings.h>
#include <apr_uuid.h>
#include <http_protocol.h>
#include <util_filter.h>

#include <cstring>

#include "dav/path.hpp"
#include "request.hpp"
#include "store/locks.hpp"

struct dav_locktoken {
    const char* text;  // "opaquelocktoken:UUID"
};

struct dav_lockdb_private {
    request_rec* r;
    const caldav::module::Context* context;
};

namespace caldav::module {

namespace {

constexpr char token_scheme[] = "opaquelocktoken:";

store::Store& store_of(const dav_lockdb* lockdb) {
    return open_store(*lockdb->info->context);
}
const std::string& path_of(const dav_resource* resource) {
    return node_of(resource).path;
}
apr_pool_t* pool_of(const dav_lockdb* lockdb) {
    return lockdb->info->r->pool;
}

const char* get_supportedlock(const dav_resource*) {
    return "<D:lockentry><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></"
           "D:lockentry>" DEBUG_CR
           "<D:lockentry><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></"
           "D:lockentry>" DEBUG_CR;
}

dav_error* parse_locktoken(apr_pool_t* pool, const char* text, dav_locktoken** result) {
    apr_uuid_t uuid;
    std::size_t scheme_length = sizeof token_scheme - 1;
    if (std::strncmp(text, token_scheme, scheme_length) != 0 ||
        apr_uuid_parse(&uuid, text + scheme_length) != APR_SUCCESS) {
        // mod_dav treats this error id as "a state token of some other kind", which never matches.
        return dav_new_error(pool, HTTP_BAD_REQUEST, DAV_ERR_LOCK_UNK_STATE_TOKEN, 0,
                             "The lock token is not one this server issued.");
    }
    auto* token = static_cast<dav_locktoken*>(apr_palloc(pool, sizeof(dav_locktoken)));
    token->text = apr_pstrdup(pool, text);
    *result = token;
    return nullptr;
}

const char* format_locktoken(apr_pool_t* pool, const dav_locktoken* token) {
    return apr_pstrdup(pool, token->text);
}

int compare_locktoken(const dav_locktoken* first, const dav_locktoken* second) {
    return std::strcmp(first->text, second->text);
}

dav_error* open_lockdb(request_rec* r, int read_only, int, dav_lockdb** result) {
    const Context* context = nullptr;
    if (dav_error* error = resolve_context(r, &context)) return error;
    auto* lockdb = static_cast<dav_lockdb*>(apr_pcalloc(r->pool, sizeof(dav_lockdb)));
    lockdb->hooks = &lock_hooks;
    lockdb->ro = read_only;
    lockdb->info = static_cast<dav_lockdb_private*>(apr_palloc(r->pool, sizeof(dav_lockdb_private)));
    lockdb->info->r = r;
    lockdb->info->context = context;
    *result = lockdb;
    return nullptr;
}

void close_lockdb(dav_lockdb*) {}

// Lock-null-ness is derived (locked and not existing), so there is no marker to remove.
dav_error* remove_locknull_state(dav_lockdb*, const dav_resource*) {
    return nullptr;
}

dav_lock* new_lock(apr_pool_t* pool) {
    return static_cast<dav_lock*>(apr_pcalloc(pool, sizeof(dav_lock)));
}

dav_locktoken* token_from_text(apr_pool_t* pool, const std::string& text) {
    auto* token = static_cast<dav_locktoken*>(apr_palloc(pool, sizeof(dav_locktoken)));
    token->text = apr_pstrdup(pool, text.c_str());
    return token;
}

dav_error* create_lock(dav_lockdb* lockdb, const dav_resource* resource, dav_lock** result) {
    apr_pool_t* pool = pool_of(lockdb);
    apr_uuid_t uuid;
    apr_uuid_get(&uuid);
    char text[APR_UUID_FORMATTED_LENGTH + 1];
    apr_uuid_format(text, &uuid);
    dav_lock* lock = new_lock(pool);
    lock->rectype = DAV_LOCKREC_DIRECT;
    lock->is_locknull = !resource->exists;
    lock->locktoken = token_from_text(pool, std::string(token_scheme) + text);
    *result = lock;
    return nullptr;
}

// A dav_lock for `stored` as seen from `path`: direct where it was taken, indirect below it.
dav_lock* to_dav_lock(apr_pool_t* pool, const store::Lock& stored, const dav_resource* resource, int calltype) {
    dav_lock* lock = new_lock(pool);
    bool direct = stored.path == path_of(resource);
    lock->rectype = direct || calltype == DAV_GETLOCKS_RESOLVED ? DAV_LOCKREC_DIRECT
                    : calltype == DAV_GETLOCKS_PARTIAL          ? DAV_LOCKREC_INDIRECT_PARTIAL
                                                                : DAV_LOCKREC_INDIRECT;
    lock->is_locknull = !resource->exists;
    lock->locktoken = token_from_text(pool, stored.token);
    if (lock->rectype == DAV_LOCKREC_INDIRECT_PARTIAL) return lock;
    lock->scope = stored.exclusive ? DAV_LOCKSCOPE_EXCLUSIVE : DAV_LOCKSCOPE_SHARED;
    lock->type = DAV_LOCKTYPE_WRITE;
    lock->depth = stored.infinite ? DAV_INFINITY : 0;
    lock->timeout = static_cast<time_t>(stored.expires);
    lock->owner = stored.owner_xml.empty() ? nullptr : apr_pstrdup(pool, stored.owner_xml.c_str());
    lock->auth_user = stored.auth_user.empty() ? nullptr : apr_pstrdup(pool, stored.auth_user.c_str());
    return lock;
}

bool applies_to(const store::Lock& lock, const std::string& path) {
    return lock.path == path || (lock.infinite && dav::is_proper_ancestor(lock.path, path));
}

dav_error* get_locks(dav_lockdb* lockdb, const dav_resource* resource, int calltype, dav_lock** result) {
    *result = nullptr;
    return guarded(lockdb->info->r, [&]() -> dav_error* {
        if (!any_live_locks(*lockdb->info->context)) return nullptr;
        for (const store::Lock& stored :
             store::locks::covering(store_of(lockdb).database(), path_of(resource), store::now_seconds())) {
            dav_lock* lock = to_dav_lock(pool_of(lockdb), stored, resource, calltype);
            lock->next = *result;
            *result = lock;
        }
        return nullptr;
    });
}

dav_error* find_lock(dav_lockdb* lockdb, const dav_resource* resource, const dav_locktoken* token, int partial_ok,
                     dav_lock** result) {
    *result = nullptr;
    return guarded(lockdb->info->r, [&]() -> dav_error* {
        if (!any_live_locks(*lockdb->info->context)) return nullptr;
        auto stored = store::locks::by_token(store_of(lockdb).database(), token->text, store::now_seconds());
        if (stored && applies_to(*stored, path_of(resource)))
            *result = to_dav_lock(pool_of(lockdb), *stored, resource,
                                  partial_ok ? DAV_GETLOCKS_PARTIAL : DAV_GETLOCKS_COMPLETE);
        return nullptr;
    });
}

dav_error* has_locks(dav_lockdb* lockdb, const dav_resource* resource, int* present) {
    *present = 0;
    return guarded(lockdb->info->r, [&]() -> dav_error* {
        if (!any_live_locks(*lockdb->info->context)) return nullptr;
        *present = store::locks::has_direct(store_of(lockdb).database(), path_of(resource), store::now_seconds());
        return nullptr;
    });
}

constexpr char created_filter[] = "CALDAV_LOCK_CREATED";

// mod_dav answers every LOCK with 200; a LOCK that created its resource answers 201 (RFC 4918 §9.10.4).
apr_status_t answer_created(ap_filter_t* filter, apr_bucket_brigade* brigade) {
    if (filter->r->status == HTTP_OK) filter->r->status = HTTP_CREATED;
    ap_remove_output_filter(filter);
    return ap_pass_brigade(filter->next, brigade);
}

// RFC 4918 §7.3: a LOCK of an unmapped URL creates an empty resource, in the same transaction.
void create_locked_resource(dav_lockdb* lockdb, const dav_resource* resource) {
    const std::string& path = path_of(resource);
    store_of(lockdb).put(path, default_content_type(path), "");
    auto* mutable_resource = const_cast<dav_resource*>(resource);
    mutable_resource->exists = 1;
    *resource->info->node = store_of(lockdb).lookup(path);
    request_rec* r = lockdb->info->r;
    ap_add_output_filter(created_filter, nullptr, r, r->connection);
}

dav_error* append_locks(dav_lockdb* lockdb, const dav_resource* resource, int make_indirect, const dav_lock* lock) {
    if (make_indirect) return nullptr;  // indirect locks are derived from the direct one
    return guarded(lockdb->info->r, [&]() -> dav_error* {
        store::Database& database = store_of(lockdb).database();
        store::Transaction transaction(database);
        if (!resource->exists) create_locked_resource(lockdb, resource);
        store::locks::remove_expired(database, store::now_seconds());
        for (; lock != nullptr; lock = lock->next) {
            store::Lock stored;
            stored.token = lock->locktoken->text;
            stored.path = path_of(resource);
            stored.exclusive = lock->scope != DAV_LOCKSCOPE_SHARED;
            stored.infinite = resource->collection && lock->depth == DAV_INFINITY;
            stored.expires = lock->timeout;
            stored.owner_xml = lock->owner != nullptr ? lock->owner : "";
            stored.auth_user = lock->auth_user != nullptr ? lock->auth_user : "";
            store::locks::add(database, stored);
        }
        transaction.commit();
        lockdb->info->context->live_locks = true;
        return nullptr;
    });
}

dav_error* remove_lock(dav_lockdb* lockdb, const dav_resource* resource, const dav_locktoken* token) {
    return guarded(lockdb->info->r, [&]() -> dav_error* {
        store::Database& database = store_of(lockdb).database();
        if (token == nullptr) {
            // mod_dav removes "all locks" when the resource goes away (DELETE, MOVE source).
            store::locks::remove_at_or_below(database, path_of(resource));
            return nullptr;
        }
        auto stored = store::locks::by_token(database, token->text, 0);
        // Called for every member of the locked tree; only the direct record is real.
        if (stored && stored->path == path_of(resource)) store::locks::remove(database, token->text);
        return nullptr;
    });
}

dav_error* refresh_locks(dav_lockdb* lockdb, const dav_resource* resource, const dav_locktoken_list* tokens,
                         time_t new_time, dav_lock** result) {
    *result = nullptr;
    return guarded(lockdb->info->r, [&]() -> dav_error* {
        store::Database& database = store_of(lockdb).database();
        for (; tokens != nullptr; tokens = tokens->next) {
            auto stored = store::locks::by_token(database, tokens->locktoken->text, store::now_seconds());
            if (!stored || !applies_to(*stored, path_of(resource))) continue;
            store::locks::refresh(database, stored->token, new_time);
            stored->expires = new_time;
            dav_lock* lock = to_dav_lock(pool_of(lockdb), *stored, resource, DAV_GETLOCKS_RESOLVED);
            lock->next = *result;
            *result = lock;
        }
        return nullptr;
    });
}

}  // namespace

void register_lock_filter() {
    ap_register_output_filter(created_filter, answer_created, nullptr, AP_FTYPE_RESOURCE);
}

const dav_hooks_locks lock_hooks = {
    get_supportedlock, parse_locktoken,       format_locktoken, compare_locktoken, open_lockdb,
    close_lockdb,      remove_locknull_state, create_lock,      get_locks,         find_lock,
    has_locks,         append_locks,          remove_lock,      refresh_locks,
    nullptr,  // lookup_resource: mod_dav walks up with find_lock
    nullptr,  // ctx
};

}  // namespace caldav::module
