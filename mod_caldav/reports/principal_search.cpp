// principal-property-search and principal-search-property-set (RFC 3744 §9.4, §9.5), enough for
// iOS and Evolution to find the user's own principal. Only the requesting user's principal can
// match: a search never reveals who else has an account.
#include <httpd.h>  // first: the other httpd headers depend on it
#include <http_protocol.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "config.hpp"
#include "dav/calendar_user_address.hpp"
#include "report.hpp"
#include "resource_kind.hpp"
#include "store/properties.hpp"
#include "xml.hpp"

namespace caldav::module {

namespace {

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

// The values a search may match for the user's principal, by property.
std::vector<std::string> searchable_values(request_rec* r, const Context& context, const apr_xml_doc* doc,
                                           const apr_xml_elem* property) {
    if (is_element(doc, property, "DAV:", "displayname")) {
        store::Store& store = open_store(context);
        store::Node principal = store.lookup("principals/" + context.user);
        auto stored = store::properties::get(store.database(), {true, principal.id}, "DAV:", "displayname");
        return {stored ? *stored : context.user};
    }
    if (is_element(doc, property, caldav_namespace, "calendar-user-address-set") ||
        is_element(doc, property, "http://calendarserver.org/ns/", "email-address-set")) {
        const char* domain = directory_config(r).email_domain;
        std::optional<std::string> mail = dav::mail_address(context.user, domain != nullptr ? domain : "");
        if (!mail) return {};
        return {"mailto:" + *mail, *mail};
    }
    return {};
}

bool matches_search(request_rec* r, const Context& context, const apr_xml_doc* doc, const PropertySearch& search) {
    std::string wanted = lower(search.match);
    for (const apr_xml_elem* property : search.properties) {
        for (const std::string& value : searchable_values(r, context, doc, property))
            if (lower(value).find(wanted) != std::string::npos) return true;
    }
    return false;
}

}  // namespace

dav_error* principal_property_search(request_rec* r, const dav_resource* resource, const apr_xml_doc* doc) {
    const Context* context = resource->info->context;
    PrincipalSearch request = read_principal_search(doc);
    bool all = true, any = false;
    for (const PropertySearch& search : request.searches) {
        bool found = matches_search(r, *context, doc, search);
        all = all && found;
        any = any || found;
    }
    MultistatusWriter writer(r, context, doc);
    if (request.any_of ? any : (all && any))
        writer.properties(open_store(*context).lookup("principals/" + context->user));
    writer.finish();
    return nullptr;
}

dav_error* principal_search_property_set(request_rec* r, const dav_resource*, const apr_xml_doc*) {
    r->status = HTTP_OK;
    ap_set_content_type(r, "text/xml; charset=utf-8");
    ap_rputs(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        "<D:principal-search-property-set xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">\n"
        "<D:principal-search-property><D:prop><D:displayname/></D:prop>"
        "<D:description xml:lang=\"en\">Display name</D:description></D:principal-search-property>\n"
        "<D:principal-search-property><D:prop><C:calendar-user-address-set/></D:prop>"
        "<D:description xml:lang=\"en\">Calendar address</D:description></D:principal-search-property>\n"
        "</D:principal-search-property-set>\n",
        r);
    return nullptr;
}

}  // namespace caldav::module
