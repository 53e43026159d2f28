// The CalDAV/CardDAV nature of resources, from the collection kinds the store records.
#include <httpd.h>  // first: the other httpd headers depend on it
#include <apr_strings.h>
#include <apr_xml.h>

#include <cstring>

#include "resource_kind.hpp"
#include "vcard/vcard.hpp"
#include "xml.hpp"

namespace caldav::module {

namespace {

using store::CollectionKind;

int get_resource_type(const dav_resource* resource, const char** name, const char** uri) {
    if (resource->hooks != &repository_hooks || !resource->exists || !resource->collection) return -1;
    switch (node_of(resource).kind) {
        case CollectionKind::calendar:
            *name = "calendar";
            *uri = caldav_namespace;
            return 0;
        case CollectionKind::addressbook:
            *name = "addressbook";
            *uri = carddav_namespace;
            return 0;
        case CollectionKind::principal:
            *name = "principal";
            *uri = "DAV:";
            return 0;
        default:
            return -1;
    }
}

const dav_resource_type_provider resource_types = {get_resource_type};

}  // namespace

CollectionKind parent_kind(const dav_resource* resource) {
    const store::Node& node = node_of(resource);
    if (resource->collection) return node.kind;
    return open_store(*resource->info->context).collection_kind(node.collection_id);
}

void register_resource_types(apr_pool_t* pool) {
    dav_resource_type_provider_register(pool, "caldav", &resource_types);
}

const char* address_data_value(apr_pool_t* pool, const dav_resource* resource) {
    std::string body = open_store(*resource->info->context).body(node_of(resource).id);
    // The REPORT's <address-data version="..."/> element, when the client asked for a version.
    if (dav_liveprop_elem* element = dav_get_liveprop_element(resource)) {
        if (element->elem != nullptr) {
            for (apr_xml_attr* attribute = element->elem->attr; attribute != nullptr; attribute = attribute->next) {
                if (std::strcmp(attribute->name, "version") == 0) body = vcard::convert(body, attribute->value);
            }
        }
    }
    return exact_xml_text(pool, body);
}

}  // namespace caldav::module
