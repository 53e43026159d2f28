// The REPORTs this server answers (RFC 3253 §3.6), in one table: the dispatch of deliver_report,
// DAV:supported-report-set (RFC 3253 §3.1.5) and OPTIONS' report list (mod_dav's gather_reports)
// all read it, so that what is answered and what is advertised cannot drift apart.
#pragma once

#include <httpd.h>
#include "mod_dav_cxx.hpp"

namespace caldav::module {

// The kinds of resource a report may apply to, one bit each.
enum ResourceScope : unsigned {
    server_root = 1u << 0,             // /
    principal_collection = 1u << 1,    // /principals/
    home_collection = 1u << 2,         // /calendars/, /addressbooks/
    principal_resource = 1u << 3,      // /principals/USER/
    calendar_home = 1u << 4,           // /calendars/USER/
    addressbook_home = 1u << 5,        // /addressbooks/USER/
    calendar_collection = 1u << 6,     // RFC 4791 §4.2
    addressbook_collection = 1u << 7,  // RFC 6352 §5.2
    plain_collection = 1u << 8,        // made with MKCOL inside a home
    calendar_object = 1u << 9,         // RFC 4791 §4.1
    address_object = 1u << 10,         // RFC 6352 §5.1
    other_resource = 1u << 11,         // a member of a plain collection
    every_resource = (1u << 12) - 1,
};

using ReportHandler = dav_error* (*)(request_rec* r, const dav_resource* resource, const apr_xml_doc* doc);

struct ReportSpec {
    const char* ns;    // the namespace of the report's root element
    const char* name;  // its local name
    unsigned scopes;   // the ResourceScope bits of the resources it applies to
    ReportHandler handler;
};

// Every report, ending with an entry whose name is nullptr.
extern const ReportSpec report_table[];

// The kind of resource `resource` is (one ResourceScope bit; 0 for a resource that does not exist).
unsigned scope_of(const dav_resource* resource);

// The report whose root element `doc` has, or nullptr when no report of that name exists here.
const ReportSpec* find_report(const apr_xml_doc* doc);

// The <D:supported-report> elements of the reports that apply to `resource`, as the value of the
// DAV:supported-report-set live property (prefixes as mod_dav declares the live namespaces).
const char* supported_reports_xml(apr_pool_t* pool, const dav_resource* resource);

// mod_dav's gather_reports hook: the same reports for OPTIONS' DAV:supported-report-set.
void gather_reports(request_rec* r, const dav_resource* resource, apr_array_header_t* reports, dav_error** error);

}  // namespace caldav::module
