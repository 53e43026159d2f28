// The REPORT dispatch and the streaming multistatus writer.
#include <httpd.h>  // first: the other httpd headers depend on it
#include <apr_strings.h>
#include <apr_uri.h>
#include <http_protocol.h>
#include <util_filter.h>

#include "dav/access.hpp"
#include "dav/data_format.hpp"
#include "report.hpp"
#include "report_table.hpp"
#include "xml.hpp"

namespace caldav::module {

namespace {

// DAV: properties of a calendar object or vCard that its stored row answers by itself (RFC 4918 §15).
enum RowProperty { getetag, getcontenttype, getcontentlength };

// The REPORT's <D:prop> as row properties, in request order; empty when it asks for anything else
// (calendar-data, dead properties, ...), which then goes through mod_dav's property database. The
// common getetag-only query and sync answers cost ~12k instructions per member there, mostly
// property-database set-up and namespace bookkeeping; written directly, a few hundred.
std::vector<int> row_properties(const apr_xml_doc* doc) {
    const apr_xml_elem* prop = find_child(doc, doc->root, "DAV:", "prop");
    std::vector<int> result;
    if (prop == nullptr) return result;
    for (const apr_xml_elem* child = prop->first_child; child != nullptr; child = child->next) {
        if (is_element(doc, child, "DAV:", "getetag")) {
            result.push_back(getetag);
        } else if (is_element(doc, child, "DAV:", "getcontenttype")) {
            result.push_back(getcontenttype);
        } else if (is_element(doc, child, "DAV:", "getcontentlength")) {
            result.push_back(getcontentlength);
        } else {
            return {};
        }
    }
    return result;
}

}  // namespace

MultistatusWriter::MultistatusWriter(request_rec* r, const Context* context, const apr_xml_doc* doc)
    : r_(r), context_(context), doc_(doc), row_properties_(row_properties(doc)) {
    brigade_ = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    apr_pool_create(&scratch_, r->pool);
    dav_begin_multistatus(brigade_, r, HTTP_MULTI_STATUS, doc->namespaces);
}

MultistatusWriter::~MultistatusWriter() {
    if (!finished_) finish();
    apr_pool_destroy(scratch_);
}

// The same <response> mod_dav would send for row properties (one 200 propstat: a stored resource has
// them all), without a dav_resource or property database.
bool MultistatusWriter::listable(const std::string& path) const {
    return dav::listable(context_->user, path);
}

bool MultistatusWriter::write_from_row(const store::Node& node) {
    if (row_properties_.empty() || node.is_collection()) return false;
    write_row(node.path, node.etag, node.content_type, node.size);
    return true;
}

bool MultistatusWriter::asks_only_etag() const {
    return row_properties_.size() == 1 && row_properties_.front() == getetag;
}

void MultistatusWriter::etag_response(const std::string& path, const std::string& etag) {
    if (listable(path)) write_row(path, etag, {}, 0);
}

void MultistatusWriter::write_row(const std::string& path, const std::string& etag, const std::string& content_type,
                                  std::int64_t size) {
    const char* escaped_href =
        apr_xml_quote_string(scratch_, ap_escape_uri(scratch_, href(*context_, path, false).c_str()), 0);
    ap_fputstrs(r_->output_filters, brigade_, "<D:response><D:href>", escaped_href,
                "</D:href>" DEBUG_CR "<D:propstat><D:prop>", nullptr);
    for (int property : row_properties_) {
        switch (property) {
            case getetag:
                ap_fputstrs(r_->output_filters, brigade_, "<D:getetag>",
                            apr_xml_quote_string(scratch_, etag.c_str(), 0), "</D:getetag>", nullptr);
                break;
            case getcontenttype:
                ap_fputstrs(r_->output_filters, brigade_, "<D:getcontenttype>",
                            apr_xml_quote_string(scratch_, content_type.c_str(), 0), "</D:getcontenttype>", nullptr);
                break;
            default:
                ap_fprintf(r_->output_filters, brigade_,
                           "<D:getcontentlength>%" APR_INT64_T_FMT "</D:getcontentlength>",
                           static_cast<apr_int64_t>(size));
        }
    }
    ap_fputs(r_->output_filters, brigade_,
             "</D:prop>" DEBUG_CR "<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>" DEBUG_CR);
    apr_pool_clear(scratch_);
}

void MultistatusWriter::properties(store::Node node) {
    if (!listable(node.path) || write_from_row(node)) return;
    dav_resource* resource = make_resource(r_, context_, std::move(node), scratch_);
    dav_propdb* propdb = nullptr;
    dav_response response{};
    response.href = resource->uri;
    if (dav_popen_propdb(scratch_, r_, nullptr, resource, DAV_PROPDB_RO, doc_->namespaces, &propdb) == nullptr) {
        // RFC 4791 §9.5, §9.10, RFC 6352 §8.6, §8.7: queries and multigets ask (DAV:allprop |
        // DAV:propname | DAV:prop)?; none at all reads as allprop, as an empty PROPFIND (RFC 4918 §9.1).
        if (find_child(doc_, doc_->root, "DAV:", "prop") != nullptr) {
            response.propresult = dav_get_props(propdb, const_cast<apr_xml_doc*>(doc_));
        } else {
            bool names = find_child(doc_, doc_->root, "DAV:", "propname") != nullptr;
            response.propresult = dav_get_allprops(propdb, names ? DAV_PROP_INSERT_NAME : DAV_PROP_INSERT_VALUE);
        }
        dav_close_propdb(propdb);
    } else {
        response.status = HTTP_INTERNAL_SERVER_ERROR;
    }
    dav_send_one_response(&response, brigade_, r_, scratch_);
    apr_pool_clear(scratch_);
}

void MultistatusWriter::missing(const std::string& path) {
    if (listable(path)) status(href(*context_, path, false), HTTP_NOT_FOUND);
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

namespace {

// RFC 4791 §7.8, §7.9 (supported-calendar-data) and RFC 6352 §8.6, §8.7 (supported-address-data):
// a REPORT asking objects in a format the server cannot give is refused whole, before any answer.
dav_error* unsupported_data_error(request_rec* r, const apr_xml_doc* doc) {
    const apr_xml_elem* prop = find_child(doc, doc->root, "DAV:", "prop");
    for (const apr_xml_elem* child = prop != nullptr ? prop->first_child : nullptr; child != nullptr;
         child = child->next) {
        const char* type = attribute(child, "content-type");
        const char* version = attribute(child, "version");
        if (is_element(doc, child, caldav_namespace, "calendar-data") &&
            !dav::supported_calendar_data(type != nullptr ? type : "", version != nullptr ? version : ""))
            return dav_new_error_tag(r->pool, HTTP_FORBIDDEN, 0, 0,
                                     "Calendar data is served as text/calendar version 2.0 only.", caldav_namespace,
                                     "supported-calendar-data");
        if (is_element(doc, child, carddav_namespace, "address-data") &&
            !dav::supported_address_data(type != nullptr ? type : "", version != nullptr ? version : ""))
            return dav_new_error_tag(r->pool, HTTP_FORBIDDEN, 0, 0,
                                     "Address data is served as text/vcard version 3.0 or 4.0 only.", carddav_namespace,
                                     "supported-address-data");
    }
    return nullptr;
}

}  // namespace

int deliver_report(request_rec* r, const dav_resource* resource, const apr_xml_doc* doc, ap_filter_t*,
                   dav_error** error) {
    if (resource->hooks != &repository_hooks) return DECLINED;
    *error = guarded(r, [&]() -> dav_error* {
        // RFC 3253 §3.6: a report unknown here, or one that does not apply to this kind of resource.
        const ReportSpec* spec = find_report(doc);
        if (spec == nullptr || (spec->scopes & scope_of(resource)) == 0)
            return dav_new_error_tag(r->pool, HTTP_FORBIDDEN, 0, 0, "This report is not supported here.", nullptr,
                                     "supported-report");
        if (dav_error* unsupported = unsupported_data_error(r, doc)) return unsupported;
        return spec->handler(r, resource, doc);
    });
    return OK;
}

}  // namespace caldav::module
