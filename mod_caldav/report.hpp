// REPORT (RFC 3253 §3.6) through mod_dav's deliver_report hook: the dispatch to one file per report
// in reports/, and the streaming multistatus writer they share.
#pragma once

#include <string>
#include <vector>

#include "request.hpp"
#include "request_xml.hpp"

namespace caldav::module {

// mod_dav's deliver_report hook (registered at MIDDLE; the provider supplies no versioning hooks).
int deliver_report(request_rec* r, const dav_resource* resource, const apr_xml_doc* doc, ap_filter_t* output,
                   dav_error** error);

// Writes a 207 multistatus a response at a time: each member's properties are computed in a pool
// cleared right after they are sent, so memory does not grow with the number of members.
// Every <response> about a stored resource passes dav::listable here: a report lists nothing the
// user could not read by a request of its own, whatever the report walked to find it.
class MultistatusWriter {
public:
    MultistatusWriter(request_rec* r, const Context* context, const apr_xml_doc* doc);
    MultistatusWriter(const MultistatusWriter&) = delete;
    MultistatusWriter& operator=(const MultistatusWriter&) = delete;
    ~MultistatusWriter();

    // A <response> with the properties the REPORT's <D:prop> asks for.
    void properties(store::Node node);
    // True when the REPORT asks for DAV:getetag alone, which an index row's name and ETag answer
    // (store::IndexedMember) without reading the resource.
    bool asks_only_etag() const;
    // That <response>, for a member at `path` with `etag`; only when asks_only_etag().
    void etag_response(const std::string& path, const std::string& etag);
    // A 404 <response> for a member at `path` that was deleted or does not exist.
    void missing(const std::string& path);
    // A <response> with a status only, for an href the request itself named (a multiget's refused
    // or unusable href, the request-URI's 507): echoed, never looked up, so not filtered.
    void status(const std::string& href_text, int status);
    // Ends the body; `trailer` is XML to place before </D:multistatus> (e.g. DAV:sync-token).
    void finish(const std::string& trailer = {});

private:
    bool listable(const std::string& path) const;
    bool write_from_row(const store::Node& node);
    void write_row(const std::string& path, const std::string& etag, const std::string& content_type,
                   std::int64_t size);

    request_rec* r_;
    const Context* context_;
    const apr_xml_doc* doc_;
    // The requested properties when the stored row alone answers all of them (see row_properties).
    std::vector<int> row_properties_;
    apr_bucket_brigade* brigade_;
    apr_pool_t* scratch_;
    bool finished_ = false;
};

// The REPORTs, one file each under reports/.
dav_error* calendar_multiget(request_rec* r, const dav_resource* resource, const apr_xml_doc* doc);
dav_error* calendar_query(request_rec* r, const dav_resource* resource, const apr_xml_doc* doc);
dav_error* addressbook_query(request_rec* r, const dav_resource* resource, const apr_xml_doc* doc);
dav_error* sync_collection(request_rec* r, const dav_resource* resource, const apr_xml_doc* doc);
dav_error* expand_property(request_rec* r, const dav_resource* resource, const apr_xml_doc* doc);
dav_error* free_busy_query(request_rec* r, const dav_resource* resource, const apr_xml_doc* doc);
dav_error* principal_property_search(request_rec* r, const dav_resource* resource, const apr_xml_doc* doc);
dav_error* principal_search_property_set(request_rec* r, const dav_resource* resource, const apr_xml_doc* doc);

// The error for a REPORT body that cannot be evaluated: its status, and its precondition element (in
// namespace `ns`) when it names one.
dav_error* invalid_request_error(request_rec* r, const InvalidFilter& invalid, const char* ns);
// The error for invalid ranges in the REPORT's calendar-data (check_calendar_data_ranges), or nullptr.
dav_error* calendar_data_ranges_error(request_rec* r, const apr_xml_doc* doc);

// The path below the root that an href of a REPORT body names (absolute URL or path), or nullopt.
std::optional<std::string> path_of_href(request_rec* r, const Context& context, const std::string& href_text);
// The href's URL path, percent-decoded, as a response names it (the writer encodes it again).
std::string decoded_href(request_rec* r, const std::string& href_text);

}  // namespace caldav::module
