// expand-property (RFC 3253 §3.8), as iOS and macOS use it on principals: the listed properties of
// the resource. Hrefs inside values are returned as they are (### not expanded into the properties
// of the resources they name).
#include <httpd.h>  // first: the other httpd headers depend on it
#include <apr_strings.h>

#include "report.hpp"
#include "xml.hpp"

namespace caldav::module {

namespace {

apr_xml_elem* new_element(apr_pool_t* pool, const char* name, int ns, apr_xml_elem* parent) {
    auto* element = static_cast<apr_xml_elem*>(apr_pcalloc(pool, sizeof(apr_xml_elem)));
    element->name = name;
    element->ns = ns;
    element->parent = parent;
    if (parent != nullptr) {
        if (parent->last_child != nullptr) {
            parent->last_child->next = element;
        } else {
            parent->first_child = element;
        }
        parent->last_child = element;
    }
    return element;
}

}  // namespace

dav_error* expand_property(request_rec* r, const dav_resource* resource, const apr_xml_doc* doc) {
    // The same request as a PROPFIND would put it: <D:prop> with one element per <D:property>.
    auto* request = static_cast<apr_xml_doc*>(apr_pcalloc(r->pool, sizeof(apr_xml_doc)));
    request->namespaces = doc->namespaces;
    request->root = new_element(r->pool, "expand-property", APR_XML_NS_DAV_ID, nullptr);
    apr_xml_elem* prop = new_element(r->pool, "prop", APR_XML_NS_DAV_ID, request->root);
    for (const apr_xml_elem* property = doc->root->first_child; property != nullptr; property = property->next) {
        if (!is_element(doc, property, "DAV:", "property")) continue;
        const char* name = attribute(property, "name");
        if (name == nullptr) continue;
        const char* ns = attribute(property, "namespace");
        int index = apr_xml_insert_uri(request->namespaces, ns != nullptr ? ns : "DAV:");
        new_element(r->pool, apr_pstrdup(r->pool, name), index, prop);
    }
    MultistatusWriter writer(r, request);
    writer.properties(r, resource->info->context, node_of(resource));
    writer.finish();
    return nullptr;
}

}  // namespace caldav::module
