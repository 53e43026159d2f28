// Request bodies read into C++ values: the filters and parameters of each REPORT, the properties
// of MKCALENDAR/MKCOL, and dead properties as stored. APR only (no httpd, no mod_dav).
#include "request_xml.hpp"

#include <apr_strings.h>

#include <cstdlib>
#include <cstring>

#include "xml.hpp"

namespace caldav::module {

namespace {

bool is_all_of(const apr_xml_elem* element) {
    const char* test = attribute(element, "test");
    return test != nullptr && std::strcmp(test, "allof") == 0;
}

bool is_negated(const apr_xml_elem* element) {
    const char* negate = attribute(element, "negate-condition");
    return negate != nullptr && std::strcmp(negate, "yes") == 0;
}

std::string upper_case(const char* text) {
    std::string result;
    for (const char* c = text != nullptr ? text : ""; *c != '\0'; ++c)
        result += static_cast<char>(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
    return result;
}

// ---- calendar-query (RFC 4791 §9.7) ----

// RFC 4791 §9.9: one check for every time range a request carries (lib/query/time_range.hpp). In a
// calendar-query filter a range that selects nothing or is not UTC fails the valid-filter
// precondition, 403 like every precondition (RFC 3253 §1.6, RFC 4791 §7.8); where no precondition
// is defined (free-busy-query's range, calendar-data's expand and limits) it is a malformed request, 400.
query::TimeRange checked_range(const apr_xml_elem* element, query::Bounds bounds, const char* precondition,
                               int status = 400) {
    query::TimeRangeReading reading =
        query::read_time_range(attribute(element, "start"), attribute(element, "end"), bounds);
    if (!reading.range) throw InvalidFilter{precondition, reading.problem, status};
    return *reading.range;
}

query::TimeRange read_time_range(const apr_xml_elem* element) {
    return checked_range(element, query::Bounds::at_least_one, "valid-filter", 403);
}

query::TextMatch read_calendar_text_match(const apr_xml_elem* element) {
    query::TextMatch match;
    match.text = text_of(element);
    if (const char* collation = attribute(element, "collation")) match.collation = collation;
    if (!query::supported_collation(match.collation))
        throw InvalidFilter{"supported-collation", "unsupported collation " + match.collation};
    match.negate = is_negated(element);
    return match;
}

query::ParamFilter read_param_filter(const apr_xml_doc* doc, const apr_xml_elem* element) {
    query::ParamFilter filter;
    filter.name = required_name(element, "valid-filter");
    for (const apr_xml_elem* child = element->first_child; child != nullptr; child = child->next) {
        if (is_element(doc, child, caldav_namespace, "is-not-defined")) filter.is_not_defined = true;
        if (is_element(doc, child, caldav_namespace, "text-match")) filter.text_match = read_calendar_text_match(child);
    }
    return filter;
}

query::PropFilter read_prop_filter(const apr_xml_doc* doc, const apr_xml_elem* element) {
    query::PropFilter filter;
    filter.name = required_name(element, "valid-filter");
    for (const apr_xml_elem* child = element->first_child; child != nullptr; child = child->next) {
        if (is_element(doc, child, caldav_namespace, "is-not-defined")) filter.is_not_defined = true;
        if (is_element(doc, child, caldav_namespace, "time-range")) filter.time_range = read_time_range(child);
        if (is_element(doc, child, caldav_namespace, "text-match")) filter.text_match = read_calendar_text_match(child);
        if (is_element(doc, child, caldav_namespace, "param-filter"))
            filter.param_filters.push_back(read_param_filter(doc, child));
    }
    return filter;
}

query::CompFilter read_comp_filter(const apr_xml_doc* doc, const apr_xml_elem* element) {
    query::CompFilter filter;
    filter.name = required_name(element, "valid-filter");
    for (const apr_xml_elem* child = element->first_child; child != nullptr; child = child->next) {
        if (is_element(doc, child, caldav_namespace, "is-not-defined")) filter.is_not_defined = true;
        if (is_element(doc, child, caldav_namespace, "time-range")) filter.time_range = read_time_range(child);
        if (is_element(doc, child, caldav_namespace, "prop-filter"))
            filter.prop_filters.push_back(read_prop_filter(doc, child));
        if (is_element(doc, child, caldav_namespace, "comp-filter"))
            filter.comp_filters.push_back(read_comp_filter(doc, child));
    }
    return filter;
}

// ---- addressbook-query (RFC 6352 §10.5) ----

vcard::TextMatch read_card_text_match(const apr_xml_elem* element) {
    vcard::TextMatch match;
    match.text = text_of(element);
    if (const char* collation = attribute(element, "collation")) match.collation = collation;
    if (!query::supported_collation(match.collation))
        throw InvalidFilter{"supported-collation", "unsupported collation " + match.collation};
    if (const char* type = attribute(element, "match-type")) match.match_type = type;
    if (!query::parse_match_type(match.match_type))
        throw InvalidFilter{"supported-filter", "unsupported match-type " + match.match_type};
    match.negate = is_negated(element);
    return match;
}

vcard::PropFilter read_card_prop_filter(const apr_xml_doc* doc, const apr_xml_elem* element) {
    vcard::PropFilter filter;
    filter.name = upper_case(required_name(element, "supported-filter"));
    filter.all_of = is_all_of(element);
    for (const apr_xml_elem* child = element->first_child; child != nullptr; child = child->next) {
        if (is_element(doc, child, carddav_namespace, "is-not-defined")) filter.is_not_defined = true;
        if (is_element(doc, child, carddav_namespace, "text-match"))
            filter.text_matches.push_back(read_card_text_match(child));
        if (is_element(doc, child, carddav_namespace, "param-filter")) {
            vcard::ParamFilter param;
            param.name = required_name(child, "supported-filter");
            for (const apr_xml_elem* inner = child->first_child; inner != nullptr; inner = inner->next) {
                if (is_element(doc, inner, carddav_namespace, "is-not-defined")) param.is_not_defined = true;
                if (is_element(doc, inner, carddav_namespace, "text-match"))
                    param.text_match = read_card_text_match(inner);
            }
            filter.param_filters.push_back(std::move(param));
        }
    }
    return filter;
}

// ---- MKCALENDAR / extended MKCOL ----

const char* const calendar_components[] = {"VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY"};

// RFC 4791 §5.2.3: a list of <comp name="..."/> of the component types the server supports.
bool read_components(const apr_xml_doc* doc, const apr_xml_elem* property, std::string& components) {
    components.clear();
    for (const apr_xml_elem* comp = property->first_child; comp != nullptr; comp = comp->next) {
        if (!is_element(doc, comp, caldav_namespace, "comp")) return false;
        const char* name = attribute(comp, "name");
        if (name == nullptr) return false;
        bool known = false;
        for (const char* supported : calendar_components) known = known || std::strcmp(supported, name) == 0;
        if (!known) return false;
        if (!components.empty()) components += ',';
        components += name;
    }
    return !components.empty();
}

// RFC 5689 §3: DAV:resourcetype says which kind of collection to make.
bool read_resourcetype(const apr_xml_doc* doc, const apr_xml_elem* property, store::CollectionKind& kind) {
    for (const apr_xml_elem* type = property->first_child; type != nullptr; type = type->next) {
        if (is_element(doc, type, "DAV:", "collection")) continue;
        if (is_element(doc, type, caldav_namespace, "calendar")) {
            kind = store::CollectionKind::calendar;
        } else if (is_element(doc, type, carddav_namespace, "addressbook")) {
            kind = store::CollectionKind::addressbook;
        } else {
            return false;
        }
    }
    return true;
}

void read_collection_property(const apr_xml_doc* doc, const apr_xml_elem* property, CollectionRequest& request) {
    request.properties.push_back(property);
    if (is_element(doc, property, "DAV:", "resourcetype")) {
        if (!read_resourcetype(doc, property, request.kind))
            request.refused.push_back({property, "DAV:", "valid-resourcetype"});  // RFC 5689 §3.3
    } else if (is_element(doc, property, caldav_namespace, "supported-calendar-component-set")) {
        if (!read_components(doc, property, request.components))
            request.refused.push_back({property, caldav_namespace, "supported-calendar-component"});
    } else if (std::strcmp(namespace_of(doc, property), "DAV:") == 0 &&
               std::strcmp(property->name, "displayname") != 0) {
        request.refused.push_back({property, "DAV:", "cannot-modify-protected-property"});
    } else {
        request.dead.push_back(property);
    }
}

// ---- expand-property ----

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

// The next element of the subtree of `top` in document order, or nullptr (no recursion: a body may
// nest deeply).
apr_xml_elem* next_in_subtree(const apr_xml_elem* top, const apr_xml_elem* element) {
    if (element->first_child != nullptr) return element->first_child;
    while (element != top && element->next == nullptr) element = element->parent;
    return element == top ? nullptr : element->next;
}

// A local name as apr_xml leaves it after splitting off the prefix: a QName's is an NCName, with no
// colon left and not starting with '-', '.' or a digit (which a prefix or an empty one hid from expat).
bool is_local_name(const char* name) {
    bool bad_start = *name == '\0' || *name == '-' || *name == '.' || (*name >= '0' && *name <= '9');
    return !bad_start && std::strchr(name, ':') == nullptr;
}

// apr_xml prepends each attribute it parses, so an element's list is in reverse document order:
// reversed again (the whole subtree, without recursion), a stored property keeps the client's order.
void restore_attribute_order(apr_xml_elem* top) {
    for (apr_xml_elem* element = top; element != nullptr;) {
        apr_xml_attr* reversed = nullptr;
        for (apr_xml_attr* attr = element->attr; attr != nullptr;) {
            apr_xml_attr* next = attr->next;
            attr->next = reversed;
            reversed = attr;
            attr = next;
        }
        element->attr = reversed;
        element = next_in_subtree(top, element);
    }
}

}  // namespace

const char* required_name(const apr_xml_elem* element, const char* precondition) {
    const char* name = attribute(element, "name");
    if (name == nullptr || *name == '\0')
        throw InvalidFilter{precondition, std::string(element->name) + " needs a name attribute"};
    return name;
}

query::CompFilter read_calendar_filter(const apr_xml_doc* doc) {
    const apr_xml_elem* filter = find_child(doc, doc->root, caldav_namespace, "filter");
    if (filter == nullptr) throw InvalidFilter{"valid-filter", "calendar-query needs a filter"};
    const apr_xml_elem* top = find_child(doc, filter, caldav_namespace, "comp-filter");
    if (top == nullptr) throw InvalidFilter{"valid-filter", "the filter needs a VCALENDAR comp-filter"};
    query::CompFilter result = read_comp_filter(doc, top);
    if (result.name != "VCALENDAR") throw InvalidFilter{"valid-filter", "the top comp-filter must be VCALENDAR"};
    return result;
}

vcard::Filter read_addressbook_filter(const apr_xml_doc* doc) {
    const apr_xml_elem* element = find_child(doc, doc->root, carddav_namespace, "filter");
    if (element == nullptr) throw InvalidFilter{"supported-filter", "addressbook-query needs a filter"};
    vcard::Filter filter;
    filter.all_of = is_all_of(element);
    for (const apr_xml_elem* child = element->first_child; child != nullptr; child = child->next)
        if (is_element(doc, child, carddav_namespace, "prop-filter"))
            filter.prop_filters.push_back(read_card_prop_filter(doc, child));
    return filter;
}

long read_addressbook_limit(const apr_xml_doc* doc) {
    const apr_xml_elem* limit = find_child(doc, doc->root, carddav_namespace, "limit");
    const apr_xml_elem* count = limit != nullptr ? find_child(doc, limit, carddav_namespace, "nresults") : nullptr;
    if (count == nullptr) return 0;
    long value = std::strtol(text_of(count).c_str(), nullptr, 10);
    return value > 0 ? value : 0;
}

std::vector<std::string> read_multiget_hrefs(const apr_xml_doc* doc) {
    std::vector<std::string> hrefs;
    for (const apr_xml_elem* element = doc->root->first_child; element != nullptr; element = element->next)
        if (is_element(doc, element, "DAV:", "href")) hrefs.push_back(text_of(element));
    return hrefs;
}

std::string read_sync_token_text(const apr_xml_doc* doc) {
    const apr_xml_elem* token = find_child(doc, doc->root, "DAV:", "sync-token");
    return token != nullptr ? text_of(token) : std::string();
}

bool sync_level_ok(const apr_xml_doc* doc) {
    const apr_xml_elem* level = find_child(doc, doc->root, "DAV:", "sync-level");
    if (level == nullptr) return true;
    std::string text = text_of(level);
    return text == "1" || text == "infinite";
}

long read_sync_limit(const apr_xml_doc* doc) {
    const apr_xml_elem* limit = find_child(doc, doc->root, "DAV:", "limit");
    if (limit == nullptr) return 0;
    const apr_xml_elem* count = find_child(doc, limit, "DAV:", "nresults");
    if (count == nullptr) return -1;
    std::string text = text_of(count);
    char* end = nullptr;
    long value = std::strtol(text.c_str(), &end, 10);
    return end != nullptr && *end == '\0' && value > 0 ? value : -1;
}

std::optional<std::pair<std::int64_t, std::int64_t>> read_utc_range(const apr_xml_elem* element) {
    if (element == nullptr) return std::nullopt;
    query::TimeRangeReading reading =
        query::read_time_range(attribute(element, "start"), attribute(element, "end"), query::Bounds::both);
    if (!reading.range) return std::nullopt;
    return std::make_pair(*reading.range->start, *reading.range->end);
}

std::pair<std::int64_t, std::int64_t> read_free_busy_range(const apr_xml_doc* doc) {
    const apr_xml_elem* element = find_child(doc, doc->root, caldav_namespace, "time-range");
    if (element == nullptr) throw InvalidFilter{"valid-filter", "free-busy-query needs a time-range", 400};
    query::TimeRange range = checked_range(element, query::Bounds::both, "valid-filter");
    return {*range.start, *range.end};
}

void check_calendar_data_ranges(const apr_xml_doc* doc) {
    const apr_xml_elem* prop = find_child(doc, doc->root, "DAV:", "prop");
    const apr_xml_elem* data = prop != nullptr ? find_child(doc, prop, caldav_namespace, "calendar-data") : nullptr;
    if (data == nullptr) return;
    for (const char* name : {"expand", "limit-recurrence-set", "limit-freebusy-set"}) {
        // RFC 4791 §9.6.5-§9.6.7 define no precondition for these: a plain 400.
        if (const apr_xml_elem* element = find_child(doc, data, caldav_namespace, name))
            checked_range(element, query::Bounds::both, nullptr);
    }
}

ical::ComponentSelection read_component_selection(const apr_xml_doc* doc, const apr_xml_elem* comp) {
    ical::ComponentSelection selection;
    selection.name = upper_case(attribute(comp, "name"));
    for (const apr_xml_elem* child = comp->first_child; child != nullptr; child = child->next) {
        if (is_element(doc, child, caldav_namespace, "prop")) {
            selection.all_properties = false;
            if (const char* property = attribute(child, "name")) selection.properties.push_back(upper_case(property));
        } else if (is_element(doc, child, caldav_namespace, "comp")) {
            selection.all_components = false;
            selection.components.push_back(read_component_selection(doc, child));
        }
    }
    // An explicit allprop/allcomp wins over any listed names.
    if (find_child(doc, comp, caldav_namespace, "allprop") != nullptr) selection.all_properties = true;
    if (find_child(doc, comp, caldav_namespace, "allcomp") != nullptr) selection.all_components = true;
    return selection;
}

apr_xml_doc* expand_property_request(apr_pool_t* pool, const apr_xml_doc* doc) {
    auto* request = static_cast<apr_xml_doc*>(apr_pcalloc(pool, sizeof(apr_xml_doc)));
    request->namespaces = doc->namespaces;
    request->root = new_element(pool, "expand-property", APR_XML_NS_DAV_ID, nullptr);
    apr_xml_elem* prop = new_element(pool, "prop", APR_XML_NS_DAV_ID, request->root);
    for (const apr_xml_elem* property = doc->root->first_child; property != nullptr; property = property->next) {
        if (!is_element(doc, property, "DAV:", "property")) continue;
        const char* name = attribute(property, "name");
        if (name == nullptr) continue;
        const char* ns = attribute(property, "namespace");
        int index = apr_xml_insert_uri(request->namespaces, ns != nullptr ? ns : "DAV:");
        new_element(pool, apr_pstrdup(pool, name), index, prop);
    }
    return request;
}

PrincipalSearch read_principal_search(const apr_xml_doc* doc) {
    PrincipalSearch search;
    const char* test = attribute(doc->root, "test");
    search.any_of = test != nullptr && std::strcmp(test, "anyof") == 0;
    for (const apr_xml_elem* element = doc->root->first_child; element != nullptr; element = element->next) {
        if (!is_element(doc, element, "DAV:", "property-search")) continue;
        PropertySearch one;
        const apr_xml_elem* prop = find_child(doc, element, "DAV:", "prop");
        const apr_xml_elem* match = find_child(doc, element, "DAV:", "match");
        if (prop != nullptr && match != nullptr) {
            for (const apr_xml_elem* property = prop->first_child; property != nullptr; property = property->next)
                one.properties.push_back(property);
            one.match = text_of(match);
        }
        search.searches.push_back(std::move(one));
    }
    return search;
}

bool read_collection_body(const apr_xml_doc* doc, bool is_mkcalendar, CollectionRequest& request) {
    if (doc == nullptr) return true;
    bool root_ok = is_mkcalendar ? is_element(doc, doc->root, caldav_namespace, "mkcalendar")
                                 : is_element(doc, doc->root, "DAV:", "mkcol");
    if (!root_ok) return false;
    for (const apr_xml_elem* set = doc->root->first_child; set != nullptr; set = set->next) {
        if (!is_element(doc, set, "DAV:", "set")) return false;
        for (const apr_xml_elem* prop = set->first_child; prop != nullptr; prop = prop->next) {
            if (!is_element(doc, prop, "DAV:", "prop")) return false;
            for (const apr_xml_elem* property = prop->first_child; property != nullptr; property = property->next) {
                if (!has_qualified_names(property)) return false;
                read_collection_property(doc, property, request);
            }
        }
    }
    return true;
}

bool has_qualified_names(const apr_xml_elem* top) {
    for (const apr_xml_elem* element = top; element != nullptr; element = next_in_subtree(top, element)) {
        if (!is_local_name(element->name)) return false;
        // An attribute left named "xmlns" (sent as ":xmlns") would be written as a declaration.
        for (const apr_xml_attr* attr = element->attr; attr != nullptr; attr = attr->next)
            if (!is_local_name(attr->name) || std::strcmp(attr->name, "xmlns") == 0) return false;
    }
    return true;
}

const char* dead_property_xml(apr_pool_t* pool, const apr_xml_elem* element, const apr_array_header_t* namespaces) {
    if (!has_qualified_names(element)) return nullptr;
    auto* editable = const_cast<apr_xml_elem*>(element);
    restore_attribute_order(editable);
    apr_xml_quote_elem(pool, editable);
    // Not APR_XML_X2T_FULL_NS_LANG: apr-util 1.6 sizes that style's output too large (it counts
    // the namespace declarations and xml:lang twice) and the string then ends in the excess bytes of
    // pool memory, earlier requests' data. APR_XML_X2T_FULL sizes exactly; under a stand-in parent
    // without a language it writes the element's own xml:lang, and the declarations are added here.
    apr_xml_elem no_language{};
    apr_xml_elem* parent = editable->parent;
    editable->parent = &no_language;
    const char* text = nullptr;
    apr_xml_to_text(pool, editable, APR_XML_X2T_FULL, nullptr, nullptr, &text, nullptr);
    editable->parent = parent;
    std::string xml(text);
    std::string name = editable->ns == APR_XML_NS_NONE ? std::string("<") + editable->name
                                                       : "<ns" + std::to_string(editable->ns) + ":" + editable->name;
    std::string declarations;
    for (int i = namespaces->nelts; i--;)
        declarations += " xmlns:ns" + std::to_string(i) + "=\"" + APR_XML_GET_URI_ITEM(namespaces, i) + "\"";
    xml.insert(name.size(), declarations);
    return apr_pstrmemdup(pool, xml.data(), xml.size());
}

}  // namespace caldav::module
