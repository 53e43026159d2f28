// calendar-multiget (RFC 4791 §7.9) and addressbook-multiget (RFC 6352 §8.7): the requested
// properties of each listed href; 404 for what does not exist, 403 (and a denial line) for hrefs
// into another user's space, so a multiget never reveals whether someone else's resource exists.
#include <httpd.h>  // first: the other httpd headers depend on it
#include <http_protocol.h>

#include "dav/access.hpp"
#include "denial.hpp"
#include "report.hpp"
#include "store/database.hpp"
#include "xml.hpp"

namespace caldav::module {

dav_error* calendar_multiget(request_rec* r, const dav_resource* resource, const apr_xml_doc* doc) {
    const Context* context = resource->info->context;
    if (dav_error* error = calendar_data_ranges_error(r, doc)) return error;
    store::Store& store = open_store(*context);
    store::ReadTransaction snapshot(store.database());  // all hrefs answered from one state
    MultistatusWriter writer(r, context, doc);
    for (const std::string& href_text : read_multiget_hrefs(doc)) {
        std::optional<std::string> path = path_of_href(r, *context, href_text);
        if (!path) {
            writer.status(decoded_href(r, href_text), HTTP_NOT_FOUND);
            continue;
        }
        // dav::listable's decision, asked for its reason: an href named by the client is a denial
        // (403 and the log line) before any lookup, so its existence is never revealed.
        dav::Decision decision = dav::decide(context->user, dav::classify(*path), dav::Operation::read);
        if (!decision.allowed) {
            deny(r, HTTP_FORBIDDEN, decision.reason);
            writer.status(decoded_href(r, href_text), HTTP_FORBIDDEN);
            continue;
        }
        store::Node node = store.lookup(*path);
        if (!node.exists()) {
            writer.missing(*path);
            continue;
        }
        writer.properties(std::move(node));
    }
    writer.finish();
    return nullptr;
}

}  // namespace caldav::module
