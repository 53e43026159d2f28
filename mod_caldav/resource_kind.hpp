// What CalDAV and CardDAV make of a resource: their namespaces, DAV:resourcetype (calendar,
// addressbook, principal) and the collection kind a member lives in.
#pragma once

#include "request.hpp"
#include "xml.hpp"  // the namespaces

namespace caldav::module {

// The kind of the collection holding `resource` (a member), or of the resource itself.
store::CollectionKind parent_kind(const dav_resource* resource);

// RFC 4791 §4.2 / RFC 6352 §5.2 / RFC 3744 §4: adds calendar, addressbook or principal to
// mod_dav's DAV:resourcetype.
void register_resource_types(apr_pool_t* pool);

// The address-data of a vCard, converted to the version the REPORT asked for (RFC 6352 §10.4).
const char* address_data_value(apr_pool_t* pool, const dav_resource* resource);

}  // namespace caldav::module
