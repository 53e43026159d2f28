// Live properties computed from the store: WebDAV's (RFC 4918 §15), discovery (RFC 5397
// current-user-principal, RFC 3744 principal-URL/owner/current-user-privilege-set, RFC 4791 §6,
// RFC 6352 §7), collection facts (RFC 4791 §5.2, RFC 6352 §6.2, RFC 6578 sync-token, CalendarServer
// getctag) and the object data of REPORTs (calendar-data, address-data). A PROPFIND over thousands
// of members needs no file, no subrequest and no parsing per member.
#include <httpd.h>  // first: the other httpd headers depend on it
#include <apr_date.h>
#include <apr_strings.h>
#include <apr_time.h>
#include <http_protocol.h>

#include <algorithm>
#include <cstring>

#include "config.hpp"
#include "dav/access.hpp"
#include "dav/calendar_user_address.hpp"
#include "dav/path.hpp"
#include "dav/sync_token.hpp"
#include "ical/calendar_data.hpp"
#include "object_checks.hpp"
#include "xml.hpp"
#include "request.hpp"
#include "request_xml.hpp"
#include "report_table.hpp"
#include "resource_kind.hpp"

namespace caldav::module {

namespace {

using store::CollectionKind;

enum Namespace { dav_ns, caldav_ns, carddav_ns, calendarserver_ns };

const char* const namespace_uris[] = {"DAV:", caldav_namespace, carddav_namespace, calendarserver_namespace, nullptr};

enum PropertyId {
    creationdate = DAV_PROPID_creationdate,
    getcontentlength = DAV_PROPID_getcontentlength,
    getcontenttype = DAV_PROPID_getcontenttype,
    getetag = DAV_PROPID_getetag,
    getlastmodified = DAV_PROPID_getlastmodified,
    current_user_principal = DAV_PROPID_END + 1,  // RFC 5397 §3
    principal_url,                                // RFC 3744 §4.2
    principal_collection_set,                     // RFC 3744 §5.8
    owner,                                        // RFC 3744 §5.1
    current_user_privilege_set,                   // RFC 3744 §5.4
    supported_report_set,                         // RFC 3253 §3.1.5
    sync_token,                                   // RFC 6578 §4
    calendar_home_set,                            // RFC 4791 §6.2.1
    calendar_user_address_set,                    // RFC 6638 §2.4.1
    supported_calendar_component_set,             // RFC 4791 §5.2.3
    supported_calendar_data,                      // RFC 4791 §5.2.4
    calendar_max_resource_size,                   // RFC 4791 §5.2.5
    calendar_data,                                // RFC 4791 §9.6
    addressbook_home_set,                         // RFC 6352 §7.1.1
    supported_address_data,                       // RFC 6352 §6.2.2
    addressbook_max_resource_size,                // RFC 6352 §6.2.3
    address_data,                                 // RFC 6352 §10.4
    getctag,                                      // CalendarServer ctag
    quota_available_bytes,                        // RFC 4331 §3
    quota_used_bytes,                             // RFC 4331 §4
    calendar_timezone_property,                   // RFC 4791 §5.2.2: validated here, stored as a dead property
};

const dav_liveprop_spec specs[] = {
    {dav_ns, "creationdate", creationdate, 0},
    {dav_ns, "getcontentlength", getcontentlength, 0},
    {dav_ns, "getcontenttype", getcontenttype, 0},
    {dav_ns, "getetag", getetag, 0},
    {dav_ns, "getlastmodified", getlastmodified, 0},
    {dav_ns, "current-user-principal", current_user_principal, 0},
    {dav_ns, "principal-URL", principal_url, 0},
    {dav_ns, "principal-collection-set", principal_collection_set, 0},
    {dav_ns, "owner", owner, 0},
    {dav_ns, "current-user-privilege-set", current_user_privilege_set, 0},
    {dav_ns, "supported-report-set", supported_report_set, 0},
    {dav_ns, "sync-token", sync_token, 0},
    {caldav_ns, "calendar-home-set", calendar_home_set, 0},
    {caldav_ns, "calendar-user-address-set", calendar_user_address_set, 0},
    {caldav_ns, "supported-calendar-component-set", supported_calendar_component_set, 0},
    {caldav_ns, "supported-calendar-data", supported_calendar_data, 0},
    {caldav_ns, "max-resource-size", calendar_max_resource_size, 0},
    {caldav_ns, "calendar-data", calendar_data, 0},
    {carddav_ns, "addressbook-home-set", addressbook_home_set, 0},
    {carddav_ns, "supported-address-data", supported_address_data, 0},
    {carddav_ns, "max-resource-size", addressbook_max_resource_size, 0},
    {carddav_ns, "address-data", address_data, 0},
    {calendarserver_ns, "getctag", getctag, 0},
    {dav_ns, "quota-available-bytes", quota_available_bytes, 0},
    {dav_ns, "quota-used-bytes", quota_used_bytes, 0},
    {caldav_ns, "calendar-timezone", calendar_timezone_property, 1},
    {0, nullptr, 0, 0},
};

dav_prop_insert insert_prop(const dav_resource* resource, int propid, dav_prop_insert what, apr_text_header* text);
// Every property here but calendar-timezone is computed, hence protected. Declaring them "writable"
// routes PROPPATCH to patch_validate, which refuses with RFC 4918 §9.2.1's 403
// cannot-modify-protected-property; mod_dav's own refusal of a read-only property is a 409.
int is_writable(const dav_resource*, int) {
    return 1;
}

dav_error* patch_validate(const dav_resource* resource, const apr_xml_elem* element, int operation, void**,
                          int* defer_to_dead) {
    // RFC 4791 §5.2.2: calendar-timezone is the client's, kept as a dead property (propdb.cpp), but
    // only a valid one: mod_dav's dead-property path cannot refuse a value (a store error becomes a
    // 500), so it is checked here and then deferred to it. Its value is read from there too
    // (value_of has none). No other property of ours is named calendar-timezone.
    if (std::strcmp(element->name, "calendar-timezone") == 0) {
        dav_error* invalid = nullptr;
        if (operation == DAV_PROP_OP_SET)
            invalid = calendar_timezone_error(resource->pool, caldav_namespace, element->name, element);
        // mod_dav writes the description into the propstat unescaped; it quotes the value's text.
        if (invalid != nullptr) invalid->desc = apr_xml_quote_string(resource->pool, invalid->desc, 0);
        *defer_to_dead = invalid == nullptr;
        return invalid;
    }
    // mod_dav's PROPPATCH multistatus has no room for the <D:error> element: the description it
    // prints in <D:responsedescription> names the precondition (plain text, mod_dav does not escape it).
    const char* description = apr_psprintf(resource->pool,
                                           "cannot-modify-protected-property: %s is computed by the server "
                                           "(RFC 4918 section 9.2.1).",
                                           element->name);
    return dav_new_error_tag(resource->pool, HTTP_FORBIDDEN, 0, 0, description, nullptr,
                             "cannot-modify-protected-property");
}

const dav_liveprop_group group = {specs, namespace_uris, &liveprop_hooks};

const char* iso8601(apr_pool_t* pool, std::int64_t seconds) {
    apr_time_exp_t parts;
    apr_time_exp_gmt(&parts, apr_time_from_sec(seconds));
    return apr_psprintf(pool, "%.4d-%.2d-%.2dT%.2d:%.2d:%.2dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                        parts.tm_hour, parts.tm_min, parts.tm_sec);
}

const char* rfc1123(apr_pool_t* pool, std::int64_t seconds) {
    char* text = static_cast<char*>(apr_palloc(pool, APR_RFC822_DATE_LEN));
    apr_rfc822_date(text, apr_time_from_sec(seconds));
    return text;
}

// <D:href> of a path below the root, escaped for a URL and then for XML.
const char* href_element(apr_pool_t* pool, const Context& context, std::string_view path, bool collection) {
    const char* escaped = ap_escape_uri(pool, href(context, path, collection).c_str());
    return apr_pstrcat(pool, "<D:href>", apr_xml_quote_string(pool, escaped, 0), "</D:href>", nullptr);
}

// The prefix mod_dav declared for one of our namespaces in this response ("lp2").
const char* prefix(apr_pool_t* pool, Namespace ns) {
    return apr_psprintf(pool, "lp%ld", dav_get_liveprop_ns_index(namespace_uris[ns]));
}

const char* privileges(apr_pool_t* pool, const Context& context, const store::Node& node) {
    dav::Place place = dav::classify(node.path);
    bool owned = dav::decide(context.user, place, dav::Operation::modify).allowed;
    const char* result =
        "<D:privilege><D:read/></D:privilege>"
        "<D:privilege><D:read-current-user-privilege-set/></D:privilege>";
    if (owned) result = apr_pstrcat(pool, result, "<D:privilege><D:write-properties/></D:privilege>", nullptr);
    if (dav::decide(context.user, place, dav::Operation::write).allowed)
        result =
            apr_pstrcat(pool, result,
                        "<D:privilege><D:write/></D:privilege><D:privilege><D:write-content/></D:privilege>", nullptr);
    // Members may be added to and removed from the user's own homes and collections.
    bool holds_members = node.is_collection() && node.kind != CollectionKind::principal;
    if (owned && holds_members)
        result = apr_pstrcat(pool, result, "<D:privilege><D:bind/></D:privilege><D:privilege><D:unbind/></D:privilege>",
                             nullptr);
    return result;
}

// RFC 6638 §2.4.1: the addresses of the principal's own user (`user`), never the requester's.
const char* calendar_addresses(apr_pool_t* pool, const dav_resource* resource, const std::string& user) {
    const Context& context = *resource->info->context;
    const caldav_directory_config& config = directory_config(resource->info->r);
    std::optional<std::string> mailto =
        dav::calendar_user_address(user, config.email_domain != nullptr ? config.email_domain : "");
    const char* principal = href_element(pool, context, "principals/" + user, true);
    if (!mailto) return principal;
    return apr_pstrcat(pool, "<D:href>", apr_xml_quote_string(pool, apr_pstrdup(pool, mailto->c_str()), 0), "</D:href>",
                       principal, nullptr);
}

const char* sync_token_value(apr_pool_t* pool, const dav_resource* resource) {
    const store::Node& node = node_of(resource);
    auto salt = open_store(*resource->info->context).sync_salt(node, node.sync_token);
    std::string token = dav::format_sync_token({node.sync_token, salt.value_or(0)});
    // apr_xml_quote_string returns its argument when nothing needs quoting: copy into the pool first.
    return apr_xml_quote_string(pool, apr_pstrdup(pool, token.c_str()), 0);
}

const char* component_set(apr_pool_t* pool, const store::Node& node) {
    const char* c = prefix(pool, caldav_ns);
    const char* result = "";
    std::string_view list = node.components;
    while (!list.empty()) {
        std::size_t comma = list.find(',');
        std::string name(list.substr(0, comma));
        result = apr_pstrcat(pool, result, "<", c, ":comp name=\"", apr_xml_quote_string(pool, name.c_str(), 1), "\"/>",
                             nullptr);
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    }
    return result;
}

// The REPORT's <C:calendar-data> element, which may select parts or ask for occurrences (RFC 4791 §9.6).
dav_liveprop_elem* data_request(const dav_resource* resource) {
    dav_liveprop_elem* element = dav_get_liveprop_element(resource);
    if (element == nullptr || element->elem == nullptr || element->doc == nullptr) return nullptr;
    return element;
}

const char* object_data(apr_pool_t* pool, const dav_resource* resource) {
    store::Store& store = open_store(*resource->info->context);
    std::string body = store.body(node_of(resource).id);
    dav_liveprop_elem* request = data_request(resource);
    if (request == nullptr) return exact_xml_text(pool, body);
    auto child = [&](const char* name) { return find_child(request->doc, request->elem, caldav_namespace, name); };
    auto timezone = [&] { return calendar_timezone(store, store.lookup(dav::parent_path(node_of(resource).path))); };
    if (auto range = read_utc_range(child("expand")))
        body = ical::expand_object(body, range->first, range->second, timezone());
    if (auto range = read_utc_range(child("limit-recurrence-set")))
        body = ical::limit_recurrence_set(body, range->first, range->second, timezone());
    if (auto range = read_utc_range(child("limit-freebusy-set")))
        body = ical::limit_freebusy_set(body, range->first, range->second);
    if (const apr_xml_elem* comp = child("comp"))
        body = ical::select_parts(body, read_component_selection(request->doc, comp));
    return exact_xml_text(pool, body);
}

// RFC 4331: one quota (CalDAVQuota) covers all of a user's collections; defined only where it applies.
const char* quota_value(const dav_resource* resource, int propid) {
    const store::Node& node = node_of(resource);
    apr_off_t limit = quota(directory_config(resource->info->r));
    if (!resource->collection || node.owner.empty() || limit == 0) return nullptr;
    std::int64_t used = open_store(*resource->info->context).used_bytes(node.owner);
    std::int64_t value = propid == quota_used_bytes ? used : std::max<std::int64_t>(0, limit - used);
    return apr_psprintf(resource->pool, "%" APR_INT64_T_FMT, value);
}

bool is_kind(const dav_resource* resource, CollectionKind kind) {
    return resource->collection && node_of(resource).kind == kind;
}

// The property's value as XML text, or nullptr where it is not defined for this resource.
const char* value_of(const dav_resource* resource, int propid) {
    const store::Node& node = node_of(resource);
    const Context& context = *resource->info->context;
    apr_pool_t* pool = resource->pool;
    bool is_principal = is_kind(resource, CollectionKind::principal);
    // A principal's properties describe its own user (the owner of its path), whoever asks.
    std::string principal_user = is_principal ? dav::classify(node.path).owner : std::string();
    switch (propid) {
        case creationdate:
            return iso8601(pool, node.created);
        case getlastmodified:
            return rfc1123(pool, shown_modified(node));
        case getetag:
            return apr_xml_quote_string(pool, resource->hooks->getetag(resource), 0);
        case getcontentlength:
            return resource->collection ? nullptr : apr_psprintf(pool, "%" APR_INT64_T_FMT, node.size);
        case getcontenttype:
            return resource->collection ? nullptr
                                        : apr_xml_quote_string(pool, apr_pstrdup(pool, node.content_type.c_str()), 0);
        case current_user_principal:
            return href_element(pool, context, "principals/" + context.user, true);
        case principal_url:
            return is_principal ? href_element(pool, context, node.path, true) : nullptr;
        case principal_collection_set:
            return href_element(pool, context, "principals", true);
        case owner: {
            std::string user = dav::classify(node.path).owner;
            return user.empty() ? nullptr : href_element(pool, context, "principals/" + user, true);
        }
        case current_user_privilege_set:
            return privileges(pool, context, node);
        case supported_report_set:
            return supported_reports_xml(pool, resource);
        case sync_token:
        case getctag:
            return is_kind(resource, CollectionKind::calendar) || is_kind(resource, CollectionKind::addressbook)
                       ? sync_token_value(pool, resource)
                       : nullptr;
        case calendar_home_set:
            return is_principal ? href_element(pool, context, "calendars/" + principal_user, true) : nullptr;
        case calendar_user_address_set:
            return is_principal ? calendar_addresses(pool, resource, principal_user) : nullptr;
        case addressbook_home_set:
            return is_principal ? href_element(pool, context, "addressbooks/" + principal_user, true) : nullptr;
        case supported_calendar_component_set:
            return is_kind(resource, CollectionKind::calendar) ? component_set(pool, node) : nullptr;
        case supported_calendar_data:
            return is_kind(resource, CollectionKind::calendar)
                       ? apr_psprintf(pool, "<%s:calendar-data content-type=\"text/calendar\" version=\"2.0\"/>",
                                      prefix(pool, caldav_ns))
                       : nullptr;
        case supported_address_data: {
            if (!is_kind(resource, CollectionKind::addressbook)) return nullptr;
            const char* card = prefix(pool, carddav_ns);
            return apr_psprintf(pool,
                                "<%s:address-data-type content-type=\"text/vcard\" version=\"3.0\"/>"
                                "<%s:address-data-type content-type=\"text/vcard\" version=\"4.0\"/>",
                                card, card);
        }
        case calendar_max_resource_size:
        case addressbook_max_resource_size: {
            CollectionKind wanted =
                propid == calendar_max_resource_size ? CollectionKind::calendar : CollectionKind::addressbook;
            if (!is_kind(resource, wanted)) return nullptr;
            return apr_psprintf(pool, "%" APR_OFF_T_FMT, max_resource_size(directory_config(resource->info->r)));
        }
        case calendar_data:
            return !resource->collection && parent_kind(resource) == CollectionKind::calendar
                       ? object_data(pool, resource)
                       : nullptr;
        case address_data:
            return !resource->collection && parent_kind(resource) == CollectionKind::addressbook
                       ? address_data_value(pool, resource)
                       : nullptr;
        case quota_available_bytes:
        case quota_used_bytes:
            return quota_value(resource, propid);
        default:
            return nullptr;
    }
}

dav_prop_insert insert_prop(const dav_resource* resource, int propid, dav_prop_insert what, apr_text_header* text) {
    if (!resource->exists || resource->hooks != &repository_hooks) return DAV_PROP_INSERT_NOTDEF;
    const char* value = nullptr;
    try {
        value = value_of(resource, propid);
    } catch (...) {
        error_from_exception(resource->info->r);  // logged; the property is reported missing
    }
    if (value == nullptr) return DAV_PROP_INSERT_NOTDEF;
    const dav_liveprop_spec* info = nullptr;
    long ns = dav_get_liveprop_info(propid, &group, &info);
    apr_pool_t* pool = resource->pool;
    const char* xml = nullptr;
    if (what == DAV_PROP_INSERT_VALUE || what == DAV_PROP_INSERT_NAME) {
        const char* tag = apr_psprintf(pool, "lp%ld:%s", ns, info->name);
        // Not apr_psprintf: it copies a %s a byte at a time, and `value` may be a whole calendar.
        xml = what == DAV_PROP_INSERT_VALUE ? apr_pstrcat(pool, "<", tag, ">", value, "</", tag, ">" DEBUG_CR, nullptr)
                                            : apr_pstrcat(pool, "<", tag, "/>" DEBUG_CR, nullptr);
    } else {
        xml = apr_psprintf(pool, "<D:supported-live-property D:name=\"%s\" D:namespace=\"%s\"/>" DEBUG_CR, info->name,
                           namespace_uris[info->ns]);
    }
    apr_text_append(pool, text, xml);
    return what;
}

}  // namespace

const dav_hooks_liveprop liveprop_hooks = {
    insert_prop,    is_writable, namespace_uris,
    patch_validate,  // refuses: nothing here is writable (calendar-timezone goes to the dead properties)
    nullptr,         // patch_exec: never reached
    nullptr,         // patch_commit
    nullptr,         // patch_rollback
    nullptr,         // ctx
};

void register_liveprops(apr_pool_t* pool) {
    dav_register_liveprop_group(pool, &group);
}

int find_liveprop(const dav_resource* resource, const char* ns_uri, const char* name,
                  const dav_hooks_liveprop** hooks) {
    if (resource->hooks != &repository_hooks) return 0;
    return dav_do_find_liveprop(ns_uri, name, &group, hooks);
}

void insert_all_liveprops(request_rec*, const dav_resource* resource, dav_prop_insert what, apr_text_header* text) {
    if (resource->hooks != &repository_hooks || !resource->exists) return;
    // getcontenttype comes through the property database (see propdb.cpp); RFC 3744 and the
    // discovery properties, like object data, are only returned when asked for by name.
    for (int propid : {creationdate, getcontentlength, getlastmodified, getetag})
        insert_prop(resource, propid, what, text);
}

}  // namespace caldav::module
