// MKCALENDAR (RFC 4791 §5.3.1) and extended MKCOL (RFC 5689): mod_dav knows neither (it answers
// 415 to a MKCOL with a body), so this handler runs before mod_dav's. The collection and all its
// initial properties are created in one transaction, or nothing is.
#include <httpd.h>  // first: the other httpd headers depend on it
#include <apr_strings.h>
#include <http_log.h>
#include <http_protocol.h>
#include <util_xml.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "dav/path.hpp"
#include "mkcalendar.hpp"
#include "object_checks.hpp"
#include "request_xml.hpp"
#include "resource_kind.hpp"
#include "store/properties.hpp"
#include "xml.hpp"

APLOG_USE_MODULE(caldav);

namespace caldav::module {

namespace {

using store::CollectionKind;

int mkcalendar_method = M_INVALID;

int answer_error(request_rec* r, int status, const char* ns, const char* tag, const char* why) {
    dav_error* error = dav_new_error_tag(r->pool, status, 0, 0, why, ns, tag);
    return dav_handle_err(r, error, nullptr);
}

// An empty element naming `property`, with its namespace declared on it (a prefix cannot be bound
// to no namespace: such a property is written unprefixed, in the empty default namespace).
const char* property_name_xml(apr_pool_t* pool, const apr_xml_doc* doc, const apr_xml_elem* property) {
    const char* ns = namespace_of(doc, property);
    if (*ns == '\0') return apr_pstrcat(pool, "<", property->name, " xmlns=\"\"/>", nullptr);
    return apr_pstrcat(pool, "<x:", property->name, " xmlns:x=\"", apr_xml_quote_string(pool, ns, 1), "\"/>", nullptr);
}

// RFC 5689 §3.3 and RFC 4791 §5.3.1.2: when a property cannot be set nothing is created, and the
// answer is 403 with an mkcol-response (mkcalendar-response) whose propstats give each refused
// property 403 with its precondition and every other one 424 (Failed Dependency).
int answer_refused_properties(request_rec* r, const apr_xml_doc* doc, const CollectionRequest& request,
                              bool is_mkcalendar) {
    apr_pool_t* pool = r->pool;
    std::string body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
    body += is_mkcalendar ? "<C:mkcalendar-response xmlns:D=\"DAV:\" xmlns:C=\"" + std::string(caldav_namespace) + "\">"
                          : std::string("<D:mkcol-response xmlns:D=\"DAV:\">");
    std::string failed_dependency;
    for (const apr_xml_elem* property : request.properties) {
        auto refusal = std::find_if(request.refused.begin(), request.refused.end(),
                                    [&](const CollectionRequest::Refusal& one) { return one.property == property; });
        if (refusal == request.refused.end()) {
            failed_dependency += property_name_xml(pool, doc, property);
            continue;
        }
        body += apr_pstrcat(pool, "<D:propstat><D:prop>", property_name_xml(pool, doc, property),
                            "</D:prop><D:status>HTTP/1.1 403 Forbidden</D:status><D:error><p:", refusal->precondition,
                            " xmlns:p=\"", refusal->precondition_namespace, "\"/></D:error></D:propstat>", nullptr);
    }
    if (!failed_dependency.empty())
        body += "<D:propstat><D:prop>" + failed_dependency +
                "</D:prop><D:status>HTTP/1.1 424 Failed Dependency</D:status></D:propstat>";
    body += is_mkcalendar ? "</C:mkcalendar-response>" : "</D:mkcol-response>";
    r->status = HTTP_FORBIDDEN;
    ap_set_content_type(r, "application/xml; charset=utf-8");
    ap_rwrite(body.data(), static_cast<int>(body.size()), r);
    return DONE;
}

// RFC 4791 §5.3.1.2, RFC 5689 §3: 201 with an empty body. (A handler that returns HTTP_CREATED
// gets httpd's error page for an unknown status as its body: "internal error or misconfiguration".)
int answer_created(request_rec* r) {
    r->status = HTTP_CREATED;
    apr_table_setn(r->headers_out, "Cache-Control", "no-cache");
    ap_set_content_length(r, 0);
    return DONE;
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

    CollectionRequest request;
    if (is_mkcalendar) request.kind = CollectionKind::calendar;
    if (!read_collection_body(doc, is_mkcalendar, request)) return HTTP_BAD_REQUEST;
    // RFC 4791 §5.2.2: a calendar-timezone the server could not use is refused like a protected property.
    for (const apr_xml_elem* property : request.dead)
        if (calendar_timezone_error(r->pool, namespace_of(doc, property), property->name, property) != nullptr)
            request.refused.push_back({property, caldav_namespace, "valid-calendar-data"});
    if (!request.refused.empty()) return answer_refused_properties(r, doc, request, is_mkcalendar);
    if (dav_error* error = location_error(r, store, path, request.kind)) return dav_handle_err(r, error, nullptr);
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
    return answer_created(r);
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
