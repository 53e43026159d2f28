// The REPORT dispatch and the streaming multistatus writer.
#include <httpd.h>  // first: the other httpd headers depend on it
#include <apr_strings.h>
#include <apr_uri.h>
#include <http_protocol.h>
#include <util_filter.h>

#include "report.hpp"
#include "resource_kind.hpp"
#include "xml.hpp"

namespace caldav::module {

MultistatusWriter::MultistatusWriter(request_rec* r, const apr_xml_doc* doc) : r_(r), doc_(doc) {
    brigade_ = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    apr_pool_create(&scratch_, r->pool);
    dav_begin_multistatus(brigade_, r, HTTP_MULTI_STATUS, doc->namespaces);
}

MultistatusWriter::~MultistatusWriter() {
    if (!finished_) finish();
    apr_pool_destroy(scratch_);
}

void MultistatusWriter::properties(request_rec* r, const Context* context, store::Node node) {
    dav_resource* resource = make_resource(r, context, std::move(node), scratch_);
    dav_propdb* propdb = nullptr;
    dav_response response{};
    response.href = resource->uri;
    if (dav_popen_propdb(scratch_, r, nullptr, resource, DAV_PROPDB_RO, doc_->namespaces, &propdb) == nullptr) {
        response.propresult = dav_get_props(propdb, const_cast<apr_xml_doc*>(doc_));
        dav_close_propdb(propdb);
    } else {
        response.status = HTTP_INTERNAL_SERVER_ERROR;
    }
    dav_send_one_response(&response, brigade_, r_, scratch_);
    apr_pool_clear(scratch_);
}

void MultistatusWriter::status(const std::string& href_text, int status) {
    dav_response response{};
    response.href = apr_pstrdup(scratch_, href_text.c_str());
    response.status = status;
    dav_send_one_response(&response, brigade_, r_, scratch_);
    apr_pool_clear(scratch_);
}

void MultistatusWriter::finish(const std::string& trailer) {
    finished_ = true;
    if (!trailer.empty()) ap_fputs(r_->output_filters, brigade_, trailer.c_str());
    dav_finish_multistatus(r_, brigade_);
}

std::string decoded_href(request_rec* r, const std::string& href_text) {
    apr_uri_t uri;
    if (apr_uri_parse(r->pool, href_text.c_str(), &uri) != APR_SUCCESS || uri.path == nullptr) return href_text;
    char* path = apr_pstrdup(r->pool, uri.path);
    return ap_unescape_url(path) == OK ? path : uri.path;
}

std::optional<std::string> path_of_href(request_rec* r, const Context& context, const std::string& href_text) {
    apr_uri_t uri;
    if (apr_uri_parse(r->pool, href_text.c_str(), &uri) != APR_SUCCESS || uri.path == nullptr) return std::nullopt;
    char* path = apr_pstrdup(r->pool, uri.path);
    if (ap_unescape_url(path) != OK) return std::nullopt;
    return relative_path(context, path);
}

int deliver_report(request_rec* r, const dav_resource* resource, const apr_xml_doc* doc, ap_filter_t*,
                   dav_error** error) {
    if (resource->hooks != &repository_hooks) return DECLINED;
    const apr_xml_elem* root = doc->root;
    *error = guarded(r, [&]() -> dav_error* {
        if (is_element(doc, root, caldav_namespace, "calendar-multiget") ||
            is_element(doc, root, carddav_namespace, "addressbook-multiget"))
            return calendar_multiget(r, resource, doc);
        if (is_element(doc, root, caldav_namespace, "calendar-query")) return calendar_query(r, resource, doc);
        if (is_element(doc, root, carddav_namespace, "addressbook-query")) return addressbook_query(r, resource, doc);
        if (is_element(doc, root, "DAV:", "sync-collection")) return sync_collection(r, resource, doc);
        if (is_element(doc, root, caldav_namespace, "free-busy-query")) return free_busy_query(r, resource, doc);
        if (is_element(doc, root, "DAV:", "expand-property")) return expand_property(r, resource, doc);
        if (is_element(doc, root, "DAV:", "principal-property-search"))
            return principal_property_search(r, resource, doc);
        if (is_element(doc, root, "DAV:", "principal-search-property-set"))
            return principal_search_property_set(r, resource, doc);
        // RFC 3253 §3.6: a report the resource does not support.
        return dav_new_error_tag(r->pool, HTTP_FORBIDDEN, 0, 0, "This report is not supported here.", nullptr,
                                 "supported-report");
    });
    return OK;
}

}  // namespace caldav::module
