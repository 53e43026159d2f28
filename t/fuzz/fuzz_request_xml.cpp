// libFuzzer target: REPORT, MKCALENDAR/MKCOL and PROPPATCH bodies as httpd parses them (apr_xml,
// i.e. expat) and as the module reads them (mod_caldav/request_xml.cpp), including dead properties
// stored and read back, which must be well-formed and a fixed point of store-then-read.
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_uri.h>
#include <apr_xml.h>

#include <cstddef>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <string_view>

#include "dav/sync_token.hpp"
#include "request_xml.hpp"
#include "xml.hpp"

using namespace caldav;
using namespace caldav::module;

namespace {

constexpr std::string_view sample_event =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:e\r\nDTSTAMP:20240101T000000Z\r\n"
    "DTSTART:20300107T100000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY;COUNT=6\r\nSUMMARY;LANGUAGE=en:Team meeting\r\n"
    "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:e\r\nDTSTAMP:20240101T000000Z\r\nRECURRENCE-ID:20300114T100000Z\r\n"
    "DTSTART:20300114T120000Z\r\nDURATION:PT1H\r\nSUMMARY:Moved\r\nEND:VEVENT\r\n"
    "BEGIN:VTODO\r\nUID:t\r\nDTSTAMP:20240101T000000Z\r\nDUE:20300110T000000Z\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";

constexpr std::string_view sample_card =
    "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:c1\r\nFN:Jane Doe\r\nN:Doe;Jane;;;\r\n"
    "EMAIL;TYPE=work:jane@example.com\r\nTEL;TYPE=cell:+1 555 0100\r\nEND:VCARD\r\n";

void check(bool condition) {
    if (!condition) __builtin_trap();
}

// The body parsed as httpd's ap_xml_parse_input does; nullptr when it is not well-formed XML.
apr_xml_doc* parse(apr_pool_t* pool, const char* bytes, std::size_t size) {
    apr_xml_parser* parser = apr_xml_parser_create(pool);
    apr_xml_doc* doc = nullptr;
    if (apr_xml_parser_feed(parser, bytes, size) != APR_SUCCESS) return nullptr;
    if (apr_xml_parser_done(parser, &doc) != APR_SUCCESS || doc == nullptr || doc->root == nullptr) return nullptr;
    return doc;
}

void calendar_query(const apr_xml_doc* doc) {
    try {
        query::CompFilter filter = read_calendar_filter(doc);
        check(filter.name == "VCALENDAR");
        query::index_range(filter);
        query::matches(sample_event, filter, "Europe/Berlin");
    } catch (const InvalidFilter& invalid) {
        check(invalid.precondition != nullptr && !invalid.message.empty());
    }
}

void addressbook_query(const apr_xml_doc* doc) {
    try {
        vcard::Filter filter = read_addressbook_filter(doc);
        vcard::matches(vcard::parse(sample_card), filter);
    } catch (const InvalidFilter& invalid) {
        check(invalid.precondition != nullptr && !invalid.message.empty());
    }
    check(read_addressbook_limit(doc) >= 0);
}

// multiget hrefs go through apr_uri_parse (path_of_href); sync tokens must survive format/parse.
void multiget_and_sync(apr_pool_t* pool, const apr_xml_doc* doc) {
    for (const std::string& href : read_multiget_hrefs(doc)) {
        apr_uri_t uri;
        apr_uri_parse(pool, href.c_str(), &uri);
    }
    if (std::optional<dav::SyncToken> token = dav::parse_sync_token(read_sync_token_text(doc))) {
        std::optional<dav::SyncToken> again = dav::parse_sync_token(dav::format_sync_token(*token));
        check(again && again->token == token->token && again->salt == token->salt);
    }
    check(read_sync_limit(doc) >= -1);
    check(sync_level_ok(doc) || find_child(doc, doc->root, "DAV:", "sync-level") != nullptr);
    // A range the request cannot use is refused with InvalidFilter (RFC 4791 §9.9), never crashes.
    try {
        auto range = read_free_busy_range(doc);
        check(range.first < range.second);
    } catch (const InvalidFilter&) {
    }
    try {
        check_calendar_data_ranges(doc);
    } catch (const InvalidFilter&) {
    }
}

// Every <C:calendar-data> of the body, as a REPORT's DAV:prop would carry it (RFC 4791 §9.6).
void calendar_data(const apr_xml_doc* doc, const apr_xml_elem* element, int depth) {
    if (depth > 64) return;
    if (is_element(doc, element, caldav_namespace, "calendar-data")) {
        std::string body(sample_event);
        auto child = [&](const char* name) { return find_child(doc, element, caldav_namespace, name); };
        if (auto range = read_utc_range(child("expand")))
            body = ical::expand_object(body, range->first, range->second, "Europe/Berlin");
        if (auto range = read_utc_range(child("limit-recurrence-set")))
            body = ical::limit_recurrence_set(body, range->first, range->second, "Europe/Berlin");
        if (auto range = read_utc_range(child("limit-freebusy-set")))
            body = ical::limit_freebusy_set(body, range->first, range->second);
        if (const apr_xml_elem* comp = child("comp")) ical::select_parts(body, read_component_selection(doc, comp));
    }
    for (const apr_xml_elem* scan = element->first_child; scan != nullptr; scan = scan->next)
        calendar_data(doc, scan, depth + 1);
}

// expand-property's PROPFIND-like request: every property it names must have a namespace mod_dav
// can look up, and the request must serialise.
void expand_property(apr_pool_t* pool, const apr_xml_doc* doc) {
    apr_xml_doc* request = expand_property_request(pool, doc);
    const apr_xml_elem* prop = request->root->first_child;
    check(prop != nullptr && prop->next == nullptr);
    for (const apr_xml_elem* property = prop->first_child; property != nullptr; property = property->next)
        check(property->ns >= 0 && property->ns < request->namespaces->nelts && property->name != nullptr);
    const char* text = nullptr;
    apr_xml_to_text(pool, request->root, APR_XML_X2T_FULL, request->namespaces, nullptr, &text, nullptr);
    check(text != nullptr);
}

void principal_search(const apr_xml_doc* doc) {
    PrincipalSearch search = read_principal_search(doc);
    for (const PropertySearch& one : search.searches)
        for (const apr_xml_elem* property : one.properties) check(property->name != nullptr);
}

// A dead property stored as dead_property_xml makes it must be well-formed on its own (a PROPFIND
// answer embeds it as is), name the same property, and come back identical when stored again.
// Names that are not QNames are refused (nullptr).
void dead_property(apr_pool_t* pool, const apr_xml_doc* doc, const apr_xml_elem* element) {
    bool storable = has_qualified_names(element);
    const char* stored = dead_property_xml(pool, element, doc->namespaces);
    check((stored != nullptr) == storable);
    if (stored == nullptr) return;
    apr_xml_doc* again = parse(pool, stored, std::strlen(stored));
    if (again == nullptr) {
        std::fprintf(stderr, "stored, not well-formed: %s\n", stored);
        __builtin_trap();
    }
    check(std::strcmp(namespace_of(again, again->root), namespace_of(doc, element)) == 0);
    check(std::strcmp(again->root->name, element->name) == 0);
    const char* restored = dead_property_xml(pool, again->root, again->namespaces);
    check(restored != nullptr);
    if (std::strcmp(stored, restored) != 0) {
        std::fprintf(stderr, "stored:   %s\nrestored: %s\n", stored, restored);
        __builtin_trap();
    }
}

// The properties a PROPPATCH (RFC 4918 §14.19: propertyupdate/set/prop/*) or a MKCALENDAR/MKCOL
// body stores; each once, since storing quotes the element in place.
void stored_properties(apr_pool_t* pool, const apr_xml_doc* doc) {
    std::set<const apr_xml_elem*> dead;
    for (bool mkcalendar : {true, false}) {
        CollectionRequest request;
        if (read_collection_body(doc, mkcalendar, request)) dead.insert(request.dead.begin(), request.dead.end());
    }
    if (is_element(doc, doc->root, "DAV:", "propertyupdate")) {
        for (const apr_xml_elem* set = doc->root->first_child; set != nullptr; set = set->next) {
            if (!is_element(doc, set, "DAV:", "set")) continue;
            for (const apr_xml_elem* prop = set->first_child; prop != nullptr; prop = prop->next)
                if (is_element(doc, prop, "DAV:", "prop"))
                    for (const apr_xml_elem* p = prop->first_child; p != nullptr; p = p->next) dead.insert(p);
        }
    }
    for (const apr_xml_elem* element : dead) dead_property(pool, doc, element);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    apr_initialize();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    apr_pool_t* pool = nullptr;
    apr_pool_create(&pool, nullptr);
    // Dirty memory, as a pool has when httpd reuses it: a string sized too large then shows it.
    std::memset(apr_palloc(pool, 7000), 'Z', 7000);
    std::memset(apr_palloc(pool, 65536), 'Z', 65536);
    apr_pool_clear(pool);
    if (apr_xml_doc* doc = parse(pool, reinterpret_cast<const char*>(data), size)) {
        calendar_query(doc);
        addressbook_query(doc);
        multiget_and_sync(pool, doc);
        calendar_data(doc, doc->root, 0);
        expand_property(pool, doc);
        principal_search(doc);
        stored_properties(pool, doc);  // last: it quotes text in place
    }
    apr_pool_destroy(pool);
    return 0;
}
