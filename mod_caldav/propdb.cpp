// mod_dav's dead-property hooks (dav_hooks_propdb) over the store. Each property is kept as the
// complete element the client sent, namespace declarations included, so values with their own
// namespaces and xml:lang come back exactly (RFC 4918 §4.3-§4.5). A PROPPATCH is one transaction.
#include <httpd.h>  // first: the other httpd headers depend on it
#include <apr_strings.h>
#include <apr_xml.h>
#include <http_log.h>

#include <cstring>
#include <optional>
#include <vector>

#include "object_checks.hpp"
#include "request.hpp"
#include "request_xml.hpp"
#include "store/properties.hpp"
#include "xml.hpp"

APLOG_USE_MODULE(caldav);

struct dav_db {
    const dav_resource* resource;
    apr_pool_t* pool;
    caldav::store::PropertyOwner owner;
    std::vector<caldav::store::PropertyName>* names;  // pool-owned, filled by first_name
    std::size_t next;
    caldav::store::Transaction* transaction;  // pool-owned, begun by the first change
    bool timezone_changed;                    // a calendar's calendar-timezone was set or removed
};

struct dav_namespace_map {
    const apr_array_header_t* namespaces;
};

struct dav_deadprop_rollback {
    const char* ns;
    const char* name;
    std::optional<std::string>* previous;  // pool-owned
};

namespace caldav::module {

namespace {

// Listing DAV:getcontenttype and DAV:getcontentlanguage among the dead properties stops mod_dav
// from running a GET subrequest per resource to find them in an allprop PROPFIND.
constexpr const char* store_served[] = {"getcontenttype", "getcontentlanguage"};
constexpr std::size_t store_served_count = 2;

store::Store& store_of(const dav_db* db) {
    return open_store(*db->resource->info->context);
}

void begin_change(dav_db* db, const dav_prop_name* name) {
    if (db->transaction == nullptr) db->transaction = pool_new<store::Transaction>(db->pool, store_of(db).database());
    // RFC 4791 §5.2.2: floating and all-day times are in the calendar's time zone; its index must follow.
    if (std::strcmp(name->ns, caldav_namespace) == 0 && std::strcmp(name->name, "calendar-timezone") == 0 &&
        node_of(db->resource).kind == store::CollectionKind::calendar)
        db->timezone_changed = true;
}

dav_error* open(apr_pool_t* pool, const dav_resource* resource, int, dav_db** result) {
    *result = nullptr;
    if (!resource->exists) return nullptr;  // a lock-null resource has no properties
    auto* db = static_cast<dav_db*>(apr_pcalloc(pool, sizeof(dav_db)));
    db->resource = resource;
    db->pool = pool;
    db->owner = {resource->collection != 0, node_of(resource).id};
    *result = db;
    return nullptr;
}

void close(dav_db* db) {
    if (db->transaction == nullptr) return;
    try {
        if (db->timezone_changed) reindex_calendar(db->resource->info->r, store_of(db), node_of(db->resource));
        db->transaction->commit();
    } catch (const std::exception& error) {
        db->transaction->rollback();
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, db->resource->info->r, "caldav: PROPPATCH not saved: %s", error.what());
    }
}

dav_error* define_namespaces(dav_db*, dav_xmlns_info*) {
    return nullptr;
}

dav_error* output_value(dav_db* db, const dav_prop_name* name, dav_xmlns_info*, apr_text_header* text, int* found) {
    *found = 0;
    if (std::strcmp(name->ns, "DAV:") == 0 && std::strcmp(name->name, "getcontenttype") == 0) {
        const store::Node& node = node_of(db->resource);
        if (db->resource->collection) return nullptr;
        apr_text_append(
            db->pool, text,
            apr_pstrcat(db->pool, "<D:getcontenttype>", apr_xml_quote_string(db->pool, node.content_type.c_str(), 0),
                        "</D:getcontenttype>" DEBUG_CR, nullptr));
        *found = 1;
        return nullptr;
    }
    return guarded(db->resource->info->r, [&]() -> dav_error* {
        std::optional<std::string> xml =
            store::properties::get(store_of(db).database(), db->owner, name->ns, name->name);
        if (xml) {
            apr_text_append(db->pool, text, apr_pstrcat(db->pool, xml->c_str(), DEBUG_CR, nullptr));
            *found = 1;
        }
        return nullptr;
    });
}

dav_error* map_namespaces(dav_db* db, const apr_array_header_t* namespaces, dav_namespace_map** mapping) {
    auto* map = static_cast<dav_namespace_map*>(apr_palloc(db->pool, sizeof(dav_namespace_map)));
    map->namespaces = namespaces;
    *mapping = map;
    return nullptr;
}

dav_error* store_property(dav_db* db, const dav_prop_name* name, const apr_xml_elem* element,
                          dav_namespace_map* mapping) {
    return guarded(db->resource->info->r, [&]() -> dav_error* {
        const char* xml = dead_property_xml(db->pool, element, mapping->namespaces);
        if (xml == nullptr)
            return dav_new_error(db->pool, HTTP_BAD_REQUEST, 0, 0, "A name in the value is not a QName.");
        begin_change(db, name);
        store::properties::set(store_of(db).database(), db->owner, name->ns, name->name, xml);
        return nullptr;
    });
}

dav_error* remove_property(dav_db* db, const dav_prop_name* name) {
    return guarded(db->resource->info->r, [&]() -> dav_error* {
        begin_change(db, name);
        store::properties::remove(store_of(db).database(), db->owner, name->ns, name->name);
        return nullptr;
    });
}

int exists(dav_db* db, const dav_prop_name* name) {
    try {
        return store::properties::get(store_of(db).database(), db->owner, name->ns, name->name).has_value();
    } catch (...) {
        return 0;
    }
}

void fill_name(dav_db* db, dav_prop_name* name) {
    std::size_t real = db->names->size();
    if (db->next < real) {
        const store::PropertyName& entry = (*db->names)[db->next];
        name->ns = apr_pstrdup(db->pool, entry.ns.c_str());
        name->name = apr_pstrdup(db->pool, entry.name.c_str());
    } else if (db->next < real + store_served_count) {
        name->ns = "DAV:";
        name->name = store_served[db->next - real];
    } else {
        name->ns = nullptr;
        name->name = nullptr;
    }
    ++db->next;
}

dav_error* first_name(dav_db* db, dav_prop_name* name) {
    return guarded(db->resource->info->r, [&]() -> dav_error* {
        db->names = pool_new<std::vector<store::PropertyName>>(
            db->pool, store::properties::names(store_of(db).database(), db->owner));
        db->next = 0;
        fill_name(db, name);
        return nullptr;
    });
}

dav_error* next_name(dav_db* db, dav_prop_name* name) {
    fill_name(db, name);
    return nullptr;
}

dav_error* get_rollback(dav_db* db, const dav_prop_name* name, dav_deadprop_rollback** result) {
    return guarded(db->resource->info->r, [&]() -> dav_error* {
        auto* rollback = static_cast<dav_deadprop_rollback*>(apr_palloc(db->pool, sizeof(dav_deadprop_rollback)));
        rollback->ns = apr_pstrdup(db->pool, name->ns);
        rollback->name = apr_pstrdup(db->pool, name->name);
        rollback->previous = pool_new<std::optional<std::string>>(
            db->pool, store::properties::get(store_of(db).database(), db->owner, name->ns, name->name));
        *result = rollback;
        return nullptr;
    });
}

dav_error* apply_rollback(dav_db* db, dav_deadprop_rollback* rollback) {
    return guarded(db->resource->info->r, [&]() -> dav_error* {
        store::Database& database = store_of(db).database();
        if (*rollback->previous)
            store::properties::set(database, db->owner, rollback->ns, rollback->name, **rollback->previous);
        else
            store::properties::remove(database, db->owner, rollback->ns, rollback->name);
        return nullptr;
    });
}

}  // namespace

const dav_hooks_propdb propdb_hooks = {
    open,    close,      define_namespaces, output_value, map_namespaces, store_property, remove_property,
    exists,  first_name, next_name,         get_rollback, apply_rollback,
    nullptr,  // ctx
};

}  // namespace caldav::module
