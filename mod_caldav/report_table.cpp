// The one table of REPORTs: which exist, which kinds of resource each applies to, and its handler.
#include <httpd.h>  // first: the other httpd headers depend on it
#include <apr_strings.h>

#include <cstring>

#include "dav/access.hpp"
#include "report.hpp"
#include "report_table.hpp"
#include "resource_kind.hpp"
#include "xml.hpp"

namespace caldav::module {

const ReportSpec report_table[] = {
    // RFC 4791 §7.8, §7.9, §7.10: on a calendar collection or a calendar object resource.
    {caldav_namespace, "calendar-query", calendar_collection | calendar_object, calendar_query},
    {caldav_namespace, "calendar-multiget", calendar_collection | calendar_object, calendar_multiget},
    {caldav_namespace, "free-busy-query", calendar_collection | calendar_object, free_busy_query},
    // RFC 6352 §8.6, §8.7: on an address book collection or an address object resource.
    {carddav_namespace, "addressbook-query", addressbook_collection | address_object, addressbook_query},
    {carddav_namespace, "addressbook-multiget", addressbook_collection | address_object, calendar_multiget},
    // RFC 6578 §3: the collections whose members clients synchronize, plain WebDAV ones included
    // (file sync clients). Not the server's shared collections, whose members are other users'
    // principals and homes.
    {"DAV:", "sync-collection", calendar_collection | addressbook_collection | plain_collection, sync_collection},
    // RFC 3253 §3.8: the properties of the request-URI itself, on any resource.
    {"DAV:", "expand-property", every_resource, expand_property},
    // RFC 3744 §9.4, §9.5: on the principal collection (DAV:principal-collection-set) and principals.
    {"DAV:", "principal-property-search", principal_collection | principal_resource, principal_property_search},
    {"DAV:", "principal-search-property-set", principal_collection | principal_resource, principal_search_property_set},
    {nullptr, nullptr, 0, nullptr},
};

unsigned scope_of(const dav_resource* resource) {
    if (!resource->exists) return 0;
    const store::Node& node = node_of(resource);
    using store::CollectionKind;
    if (!resource->collection) {
        switch (parent_kind(resource)) {
            case CollectionKind::calendar:
                return calendar_object;
            case CollectionKind::addressbook:
                return address_object;
            default:
                return other_resource;
        }
    }
    switch (node.kind) {
        case CollectionKind::calendar:
            return calendar_collection;
        case CollectionKind::addressbook:
            return addressbook_collection;
        case CollectionKind::principal:
            return principal_resource;
        case CollectionKind::calendar_home:
            return calendar_home;
        case CollectionKind::addressbook_home:
            return addressbook_home;
        case CollectionKind::plain:
            return plain_collection;
        default:
            break;
    }
    switch (dav::classify(node.path).area) {
        case dav::Area::root:
            return server_root;
        case dav::Area::principals_root:
            return principal_collection;
        case dav::Area::calendars_root:
        case dav::Area::addressbooks_root:
            return home_collection;
        default:
            return 0;
    }
}

const ReportSpec* find_report(const apr_xml_doc* doc) {
    for (const ReportSpec* spec = report_table; spec->name != nullptr; ++spec)
        if (is_element(doc, doc->root, spec->ns, spec->name)) return spec;
    return nullptr;
}

const char* supported_reports_xml(apr_pool_t* pool, const dav_resource* resource) {
    unsigned scope = scope_of(resource);
    const char* result = "";
    for (const ReportSpec* spec = report_table; spec->name != nullptr; ++spec) {
        if ((spec->scopes & scope) == 0) continue;
        // mod_dav declares every live-property namespace (lpN) on each response; DAV: is D.
        const char* prefix =
            std::strcmp(spec->ns, "DAV:") == 0 ? "D" : apr_psprintf(pool, "lp%ld", dav_get_liveprop_ns_index(spec->ns));
        result = apr_pstrcat(pool, result, "<D:supported-report><D:report><", prefix, ":", spec->name,
                             "/></D:report></D:supported-report>", nullptr);
    }
    return result;
}

void gather_reports(request_rec* r, const dav_resource* resource, apr_array_header_t* reports, dav_error** error) {
    if (resource == nullptr || resource->hooks != &repository_hooks) return;
    *error = guarded(r, [&]() -> dav_error* {
        // httpd 2.4's mod_dav makes this array with a pointer's room per element but reads it as an
        // array of dav_report_elem (16 bytes apart): hand it the structures it reads, in an array
        // whose elt_size says so. No other provider serves these resources, so nothing is dropped.
        if (reports->elt_size != static_cast<int>(sizeof(dav_report_elem)))
            *reports = *apr_array_make(reports->pool, 8, sizeof(dav_report_elem));
        unsigned scope = scope_of(resource);
        for (const ReportSpec* spec = report_table; spec->name != nullptr; ++spec) {
            if ((spec->scopes & scope) == 0) continue;
            dav_report_elem& element = APR_ARRAY_PUSH(reports, dav_report_elem);
            element.nmspace = spec->ns;
            element.name = spec->name;
        }
        return nullptr;
    });
}

}  // namespace caldav::module
