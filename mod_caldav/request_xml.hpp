// REPORT, MKCALENDAR/MKCOL and PROPPATCH bodies (parsed by httpd into an apr_xml_doc) read into C++
// values. Needs only APR and lib/, so t/fuzz/fuzz_request_xml.cpp runs all of it without httpd.
#pragma once

#include <apr_xml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ical/calendar_data.hpp"
#include "query/calendar_filter.hpp"
#include "store/store.hpp"
#include "vcard/vcard.hpp"

namespace caldav::module {

// A REPORT filter that cannot be evaluated (thrown while reading it): the precondition to answer with
// (RFC 4791 §7.7 valid-filter, supported-collation; RFC 6352 §8.3 supported-filter).
struct InvalidFilter {
    const char* precondition;  // the CALDAV: or CARDDAV: element; nullptr for none
    std::string message;
    int status = 403;  // 400 for a malformed time range outside a filter (RFC 4791 §9.9)
};

// The name attribute every comp-, prop- and param-filter carries; throws InvalidFilter without it.
const char* required_name(const apr_xml_elem* element, const char* precondition);

// calendar-query's <C:filter> (RFC 4791 §9.7), from its VCALENDAR comp-filter; throws InvalidFilter.
query::CompFilter read_calendar_filter(const apr_xml_doc* doc);

// addressbook-query's <CARDDAV:filter> (RFC 6352 §10.5); throws InvalidFilter.
vcard::Filter read_addressbook_filter(const apr_xml_doc* doc);
// addressbook-query's CARDDAV:limit/CARDDAV:nresults (RFC 6352 §8.6.1), 0 for none.
long read_addressbook_limit(const apr_xml_doc* doc);

// The DAV:href texts of a calendar-multiget or addressbook-multiget, in order.
std::vector<std::string> read_multiget_hrefs(const apr_xml_doc* doc);

// sync-collection's DAV:sync-token text (RFC 6578 §3.2), empty for an initial sync.
std::string read_sync_token_text(const apr_xml_doc* doc);
// RFC 6578 §6.3: DAV:sync-level is "1" or "infinite". A request without one (clients of the drafts
// before the RFC send none) is read as level 1.
bool sync_level_ok(const apr_xml_doc* doc);
// sync-collection's DAV:limit/DAV:nresults (RFC 5323 §5.17), or 0 for no limit; -1 when malformed.
long read_sync_limit(const apr_xml_doc* doc);

// The start and end attributes of a <C:expand> or <C:limit-*-set> element (RFC 4791 §9.6.5-§9.6.7),
// when the element exists and they make a valid range (check_calendar_data_ranges refused others).
std::optional<std::pair<std::int64_t, std::int64_t>> read_utc_range(const apr_xml_elem* element);
// free-busy-query's <C:time-range> (RFC 4791 §7.10), which needs a start and an end; throws InvalidFilter.
std::pair<std::int64_t, std::int64_t> read_free_busy_range(const apr_xml_doc* doc);
// Checks the ranges of the REPORT's <C:calendar-data> (expand, limit-recurrence-set,
// limit-freebusy-set) before any answer is written: they are read per resource, too late for a 400.
// Throws InvalidFilter.
void check_calendar_data_ranges(const apr_xml_doc* doc);

// calendar-data's <C:comp> with <C:prop>/<C:allprop> and nested <C:comp>/<C:allcomp> (RFC 4791 §9.6.1).
ical::ComponentSelection read_component_selection(const apr_xml_doc* doc, const apr_xml_elem* comp);

// expand-property (RFC 3253 §3.8) as the PROPFIND-like request mod_dav answers: a <D:prop> with one
// element per <D:property>. Shares (and may extend) the namespaces of `doc`.
apr_xml_doc* expand_property_request(apr_pool_t* pool, const apr_xml_doc* doc);

// principal-property-search (RFC 3744 §9.4): each <D:property-search>'s properties and match text.
struct PropertySearch {
    std::vector<const apr_xml_elem*> properties;  // empty when the search lacks DAV:prop or DAV:match
    std::string match;
};
struct PrincipalSearch {
    bool any_of = false;  // test="anyof"; else every search must match
    std::vector<PropertySearch> searches;
};
PrincipalSearch read_principal_search(const apr_xml_doc* doc);

// The body of MKCALENDAR (RFC 4791 §5.3.1) or an extended MKCOL (RFC 5689 §5.1).
struct CollectionRequest {
    // A property the request cannot set, and the precondition that names why (RFC 5689 §3.3).
    struct Refusal {
        const apr_xml_elem* property;
        const char* precondition_namespace;
        const char* precondition;
    };
    store::CollectionKind kind = store::CollectionKind::plain;
    std::string components;                       // for calendars: supported-calendar-component-set, comma-separated
    std::vector<const apr_xml_elem*> dead;        // the properties to store as they are
    std::vector<const apr_xml_elem*> properties;  // every property of the body, in order
    std::vector<Refusal> refused;                 // those that cannot be set: nothing is created
};
// Reads <set><prop>...</prop></set> into `request`; false when the body is not such a request.
bool read_collection_body(const apr_xml_doc* doc, bool is_mkcalendar, CollectionRequest& request);

// True when every element and attribute name in the subtree is a QName (Namespaces in XML §4).
// apr_xml (expat without namespace processing) also accepts names such as "a:b:c", "a:" or "a:-b", which
// stored as they are would put an undeclared prefix or an empty name into every PROPFIND answer.
bool has_qualified_names(const apr_xml_elem* top);

// A dead property as stored (PROPPATCH, MKCALENDAR): the complete element with its namespace
// declarations and xml:lang, attributes in the order sent; nullptr when it has a name that is not
// a QName (has_qualified_names). Quotes the element's text and reorders its attributes in place,
// so call it once per element.
const char* dead_property_xml(apr_pool_t* pool, const apr_xml_elem* element, const apr_array_header_t* namespaces);

}  // namespace caldav::module
