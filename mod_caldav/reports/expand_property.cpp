// expand-property (RFC 3253 §3.8), as iOS and macOS use it on principals: the listed properties of
// the resource. Hrefs inside values are returned as they are (### not expanded into the properties
// of the resources they name).
#include <httpd.h>  // first: the other httpd headers depend on it
#include <apr_strings.h>

#include "report.hpp"
#include "xml.hpp"

namespace caldav::module {

dav_error* expand_property(request_rec* r, const dav_resource* resource, const apr_xml_doc* doc) {
    // The same request as a PROPFIND would put it: <D:prop> with one element per <D:property>.
    MultistatusWriter writer(r, resource->info->context, expand_property_request(r->pool, doc));
    writer.properties(node_of(resource));
    writer.finish();
    return nullptr;
}

}  // namespace caldav::module
