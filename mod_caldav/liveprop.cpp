// Live properties computed from the store (RFC 4918 §15, RFC 5397 current-user-principal), so a
// PROPFIND over thousands of members needs no file, no subrequest and no parsing per member.
#include <httpd.h>  // first: the other httpd headers depend on it
#include <apr_date.h>
#include <apr_strings.h>
#include <apr_time.h>
#include <http_protocol.h>

#include <cstring>

#include "request.hpp"

namespace caldav::module {

namespace {

enum PropertyId {
    creationdate = DAV_PROPID_creationdate,
    getcontentlength = DAV_PROPID_getcontentlength,
    getcontenttype = DAV_PROPID_getcontenttype,
    getetag = DAV_PROPID_getetag,
    getlastmodified = DAV_PROPID_getlastmodified,
    current_user_principal = DAV_PROPID_END + 1,  // RFC 5397 §3
};

const char* const namespace_uris[] = {"DAV:", nullptr};

const dav_liveprop_spec specs[] = {
    {0, "creationdate", creationdate, 0},
    {0, "getcontentlength", getcontentlength, 0},
    {0, "getcontenttype", getcontenttype, 0},
    {0, "getetag", getetag, 0},
    {0, "getlastmodified", getlastmodified, 0},
    {0, "current-user-principal", current_user_principal, 0},
    {0, nullptr, 0, 0},
};

dav_prop_insert insert_prop(const dav_resource* resource, int propid, dav_prop_insert what, apr_text_header* text);
int is_writable(const dav_resource*, int) {
    return 0;
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

// The property's value as XML text, or nullptr where it is not defined for this resource.
const char* value_of(const dav_resource* resource, int propid) {
    const store::Node& node = node_of(resource);
    apr_pool_t* pool = resource->pool;
    switch (propid) {
        case creationdate:
            return iso8601(pool, node.created);
        case getlastmodified:
            return rfc1123(pool, node.modified);
        case getetag:
            return apr_xml_quote_string(pool, resource->hooks->getetag(resource), 0);
        case getcontentlength:
            return resource->collection ? nullptr
                                        : apr_psprintf(pool, "%" APR_INT64_T_FMT, static_cast<apr_int64_t>(node.size));
        case getcontenttype:
            return resource->collection ? nullptr : apr_xml_quote_string(pool, node.content_type.c_str(), 0);
        case current_user_principal: {
            const Context& context = *resource->info->context;
            std::string principal = href(context, "principals/" + context.user, true);
            const char* escaped = ap_escape_uri(pool, principal.c_str());
            return apr_pstrcat(pool, "<D:href>", apr_xml_quote_string(pool, escaped, 0), "</D:href>", nullptr);
        }
        default:
            return nullptr;
    }
}

dav_prop_insert insert_prop(const dav_resource* resource, int propid, dav_prop_insert what, apr_text_header* text) {
    if (!resource->exists || resource->hooks != &repository_hooks) return DAV_PROP_INSERT_NOTDEF;
    const char* value = value_of(resource, propid);
    if (value == nullptr) return DAV_PROP_INSERT_NOTDEF;
    const dav_liveprop_spec* info = nullptr;
    long ns = dav_get_liveprop_info(propid, &group, &info);
    apr_pool_t* pool = resource->pool;
    const char* xml = nullptr;
    if (what == DAV_PROP_INSERT_VALUE)
        xml = apr_psprintf(pool, "<lp%ld:%s>%s</lp%ld:%s>" DEBUG_CR, ns, info->name, value, ns, info->name);
    else if (what == DAV_PROP_INSERT_NAME)
        xml = apr_psprintf(pool, "<lp%ld:%s/>" DEBUG_CR, ns, info->name);
    else
        xml = apr_psprintf(pool, "<D:supported-live-property D:name=\"%s\" D:namespace=\"%s\"/>" DEBUG_CR, info->name,
                           namespace_uris[info->ns]);
    apr_text_append(pool, text, xml);
    return what;
}

}  // namespace

const dav_hooks_liveprop liveprop_hooks = {
    insert_prop, is_writable, namespace_uris,
    nullptr,  // patch_validate: nothing here is writable
    nullptr,  // patch_exec
    nullptr,  // patch_commit
    nullptr,  // patch_rollback
    nullptr,  // ctx
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
    // getcontenttype comes through the property database (see propdb.cpp); current-user-principal,
    // like all RFC 3744 properties, is only returned when asked for by name.
    for (int propid : {creationdate, getcontentlength, getlastmodified, getetag})
        insert_prop(resource, propid, what, text);
}

}  // namespace caldav::module
