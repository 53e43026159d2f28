// MKCALENDAR (RFC 4791 §5.3.1) and extended MKCOL (RFC 5689): mod_dav knows neither (it answers
// 415 to a MKCOL with a body), so this handler runs before mod_dav's. The collection and all its
// initial properties are created in one transaction, or nothing is.
#include <httpd.h>  // first: the other httpd headers depend on it
#include <apr_strings.h>
#include <http_log.h>
#include <http_protocol.h>
#include <util_xml.h>

#include <cstring>
#include <string>
#include <vector>

#include "dav/path.hpp"
#include "mkcalendar.hpp"
#include "resource_kind.hpp"
#include "store/properties.hpp"
#include "xml.hpp"

APLOG_USE_MODULE(caldav);

namespace caldav::module {

namespace {

using store::CollectionKind;

int mkcalendar_method = M_INVALID;

struct Request {
    CollectionKind kind = CollectionKind::plain;
    std::string components;  // for calendars
    std::vector<const apr_xml_elem*> dead;
    const char* refused = nullptr;  // the first property that cannot be set, with why
};

const char* const calendar_components[] = {"VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY"};

// RFC 4791 §5.2.3: a list of <comp name="..."/> of the component types the server supports.
bool read_components(const apr_xml_doc* doc, const apr_xml_elem* property, std::string& components) {
    components.clear();
    for (const apr_xml_elem* comp = property->first_child; comp != nullptr; comp = comp->next) {
        if (!is_element(doc, comp, caldav_namespace, "comp")) return false;
        const char* name = attribute(comp, "name");
        if (name == nullptr) return false;
        bool known = false;
        for (const char* supported : calendar_components) known = known || std::strcmp(supported, name) == 0;
        if (!known) return false;
        if (!components.empty()) components += ',';
        components += name;
    }
    return !components.empty();
}

// RFC 5689 §3: DAV:resourcetype says which kind of collection to make.
bool read_resourcetype(const apr_xml_doc* doc, const apr_xml_elem* property, CollectionKind& kind) {
    for (const apr_xml_elem* type = property->first_child; type != nullptr; type = type->next) {
        if (is_element(doc, type, "DAV:", "collection")) continue;
        if (is_element(doc, type, caldav_namespace, "calendar")) {
            kind = CollectionKind::calendar;
        } else if (is_element(doc, type, carddav_namespace, "addressbook")) {
            kind = CollectionKind::addressbook;
        } else {
            return false;
        }
    }
    return true;
}

void read_property(const apr_xml_doc* doc, const apr_xml_elem* property, Request& request) {
    if (is_element(doc, property, "DAV:", "resourcetype")) {
        if (!read_resourcetype(doc, property, request.kind)) request.refused = "an unsupported DAV:resourcetype";
    } else if (is_element(doc, property, caldav_namespace, "supported-calendar-component-set")) {
        if (!read_components(doc, property, request.components))
            request.refused = "a supported-calendar-component-set naming no supported component";
    } else if (std::strcmp(namespace_of(doc, property), "DAV:") == 0 &&
               std::strcmp(property->name, "displayname") != 0) {
        request.refused = "a protected DAV: property";
    } else {
        request.dead.push_back(property);
    }
}

// The body's <set><prop>...</prop></set> elements (RFC 4791 §9.1, RFC 5689 §5.1).
bool read_body(const apr_xml_doc* doc, bool is_mkcalendar, Request& request) {
    if (doc == nullptr) return true;
    bool root_ok = is_mkcalendar ? is_element(doc, doc->root, caldav_namespace, "mkcalendar")
                                 : is_element(doc, doc->root, "DAV:", "mkcol");
    if (!root_ok) return false;
    for (const apr_xml_elem* set = doc->root->first_child; set != nullptr; set = set->next) {
        if (!is_element(doc, set, "DAV:", "set")) return false;
        for (const apr_xml_elem* prop = set->first_child; prop != nullptr; prop = prop->next) {
            if (!is_element(doc, prop, "DAV:", "prop")) return false;
            for (const apr_xml_elem* property = prop->first_child; property != nullptr; property = property->next)
                read_property(doc, property, request);
        }
    }
    return true;
}

int answer_error(request_rec* r, int status, const char* ns, const char* tag, const char* why) {
    dav_error* error = dav_new_error_tag(r->pool, status, 0, 0, why, ns, tag);
    return dav_handle_err(r, error, nullptr);
}

// RFC 4791 §5.3.1: calendars go in the calendar home (or a plain collection there), never inside
// another calendar or address book; likewise address books (RFC 6352 §5.2).
bool location_ok(CollectionKind parent, CollectionKind kind) {
    switch (parent) {
        case CollectionKind::calendar_home:
            return kind != CollectionKind::addressbook;
        case CollectionKind::addressbook_home:
            return kind != CollectionKind::calendar;
        case CollectionKind::plain:
            return true;
        default:
            return false;
    }
}

int create(request_rec* r, const apr_xml_doc* doc, bool is_mkcalendar) {
    dav_resource* resource = nullptr;
    if (dav_error* error = dav_get_resource(r, 0, 0, &resource)) return dav_handle_err(r, error, nullptr);
    if (resource->exists)
        return answer_error(r, HTTP_METHOD_NOT_ALLOWED, "DAV:", "resource-must-be-null", "The resource exists.");
    const Context& context = *resource->info->context;
    store::Store& store = open_store(context);
    const std::string& path = node_of(resource).path;
    store::Node parent = store.lookup(dav::parent_path(path));
    if (!parent.is_collection()) return HTTP_CONFLICT;

    Request request;
    if (is_mkcalendar) request.kind = CollectionKind::calendar;
    if (!read_body(doc, is_mkcalendar, request)) return HTTP_BAD_REQUEST;
    if (request.refused != nullptr)
        return answer_error(r, HTTP_FORBIDDEN, "DAV:", "cannot-modify-protected-property",
                            apr_pstrcat(r->pool, "The request sets ", request.refused, ".", nullptr));
    if (!location_ok(parent.kind, request.kind)) {
        bool calendar = request.kind == CollectionKind::calendar;
        return answer_error(r, HTTP_FORBIDDEN, calendar ? caldav_namespace : carddav_namespace,
                            calendar ? "calendar-collection-location-ok" : "addressbook-collection-location-ok",
                            "Collections of this kind cannot be created here.");
    }
    if (request.kind == CollectionKind::calendar && request.components.empty()) request.components = "VEVENT,VTODO";

    // Honour locks on the parent (a new member changes it), as mod_dav does for MKCOL.
    dav_response* multistatus = nullptr;
    if (dav_error* error = dav_validate_request(r, resource, 0, nullptr, &multistatus,
                                                DAV_VALIDATE_PARENT | DAV_VALIDATE_USE_424, nullptr))
        return dav_handle_err(r, error, multistatus);

    store::Transaction transaction(store.database());
    store.make_collection(path, request.kind, request.components);
    store::Node created = store.lookup(path);
    for (const apr_xml_elem* property : request.dead) {
        const char* xml = dead_property_xml(r->pool, property, doc->namespaces);
        store::properties::set(store.database(), {true, created.id}, namespace_of(doc, property), property->name, xml);
    }
    transaction.commit();
    apr_table_setn(r->headers_out, "Cache-Control", "no-cache");
    return HTTP_CREATED;
}

}  // namespace

void register_mkcalendar(apr_pool_t* pool) {
    mkcalendar_method = ap_method_register(pool, "MKCALENDAR");
}

int handle_collection_creation(request_rec* r) {
    bool is_mkcalendar = r->method_number == mkcalendar_method && mkcalendar_method != M_INVALID;
    bool is_mkcol = r->method_number == M_MKCOL;
    if (!is_mkcalendar && !is_mkcol) return DECLINED;
    // A MKCOL without an XML body stays with mod_dav (which answers 415 to other bodies, RFC 4918 §9.3).
    const char* type = apr_table_get(r->headers_in, "Content-Type");
    bool xml_body = type != nullptr && (ap_strstr_c(type, "/xml") != nullptr || ap_strstr_c(type, "+xml") != nullptr);
    if (is_mkcol && !xml_body) return DECLINED;
    apr_xml_doc* doc = nullptr;
    if (int status = ap_xml_parse_input(r, &doc); status != OK) return status;
    if (is_mkcol && doc == nullptr) return DECLINED;
    try {
        return create(r, doc, is_mkcalendar);
    } catch (...) {
        return dav_handle_err(r, error_from_exception(r), nullptr);
    }
}

}  // namespace caldav::module
