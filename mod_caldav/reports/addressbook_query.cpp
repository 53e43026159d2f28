// addressbook-query (RFC 6352 §8.6): the filter (§10.5) read into lib/vcard values and tested on
// each card; CARDDAV:limit (§8.6.1) truncates with a 507 response for the request-URI.
#include <httpd.h>  // first: the other httpd headers depend on it
#include <apr_strings.h>
#include <http_protocol.h>

#include <cctype>
#include <cstdlib>
#include <cstring>

#include "report.hpp"
#include "resource_kind.hpp"
#include "vcard/vcard.hpp"
#include "xml.hpp"

namespace caldav::module {

namespace {

bool is_all_of(const apr_xml_elem* element) {
    const char* test = attribute(element, "test");
    return test != nullptr && std::strcmp(test, "allof") == 0;
}

vcard::TextMatch read_text_match(const apr_xml_elem* element) {
    vcard::TextMatch match;
    match.text = text_of(element);
    if (const char* collation = attribute(element, "collation")) match.collation = collation;
    if (!vcard::supported_collation(match.collation))
        throw InvalidFilter{"supported-collation", "unsupported collation " + match.collation};
    if (const char* type = attribute(element, "match-type")) match.match_type = type;
    if (match.match_type != "equals" && match.match_type != "contains" && match.match_type != "starts-with" &&
        match.match_type != "ends-with")
        throw InvalidFilter{"supported-filter", "unsupported match-type " + match.match_type};
    const char* negate = attribute(element, "negate-condition");
    match.negate = negate != nullptr && std::strcmp(negate, "yes") == 0;
    return match;
}

vcard::PropFilter read_prop_filter(const apr_xml_doc* doc, const apr_xml_elem* element) {
    vcard::PropFilter filter;
    filter.name = required_name(element, "supported-filter");
    for (char& c : filter.name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    filter.all_of = is_all_of(element);
    for (const apr_xml_elem* child = element->first_child; child != nullptr; child = child->next) {
        if (is_element(doc, child, carddav_namespace, "is-not-defined")) filter.is_not_defined = true;
        if (is_element(doc, child, carddav_namespace, "text-match"))
            filter.text_matches.push_back(read_text_match(child));
        if (is_element(doc, child, carddav_namespace, "param-filter")) {
            vcard::ParamFilter param;
            param.name = required_name(child, "supported-filter");
            for (const apr_xml_elem* inner = child->first_child; inner != nullptr; inner = inner->next) {
                if (is_element(doc, inner, carddav_namespace, "is-not-defined")) param.is_not_defined = true;
                if (is_element(doc, inner, carddav_namespace, "text-match")) param.text_match = read_text_match(inner);
            }
            filter.param_filters.push_back(std::move(param));
        }
    }
    return filter;
}

vcard::Filter read_filter(const apr_xml_doc* doc) {
    const apr_xml_elem* element = find_child(doc, doc->root, carddav_namespace, "filter");
    if (element == nullptr) throw InvalidFilter{"supported-filter", "addressbook-query needs a filter"};
    vcard::Filter filter;
    filter.all_of = is_all_of(element);
    for (const apr_xml_elem* child = element->first_child; child != nullptr; child = child->next)
        if (is_element(doc, child, carddav_namespace, "prop-filter"))
            filter.prop_filters.push_back(read_prop_filter(doc, child));
    return filter;
}

// CARDDAV:limit/CARDDAV:nresults, 0 for none.
long read_limit(const apr_xml_doc* doc) {
    const apr_xml_elem* limit = find_child(doc, doc->root, carddav_namespace, "limit");
    const apr_xml_elem* count = limit != nullptr ? find_child(doc, limit, carddav_namespace, "nresults") : nullptr;
    if (count == nullptr) return 0;
    long value = std::strtol(text_of(count).c_str(), nullptr, 10);
    return value > 0 ? value : 0;
}

// A positive text-match on an indexed property that every matching card must satisfy: the index then
// yields a superset of the answer, and only those cards are parsed. Folding maps a substring to a
// substring, so folded comparison never loses a match under any of the three collations.
const vcard::TextMatch* narrowing_match(const vcard::Filter& filter, const vcard::PropFilter** property) {
    if (filter.prop_filters.empty() || (!filter.all_of && filter.prop_filters.size() > 1)) return nullptr;
    for (const vcard::PropFilter& candidate : filter.prop_filters) {
        if (candidate.is_not_defined || !vcard::is_indexed_property(candidate.name)) continue;
        bool single = candidate.text_matches.size() == 1 && candidate.param_filters.empty();
        if (!single && !candidate.all_of) continue;
        for (const vcard::TextMatch& match : candidate.text_matches) {
            if (match.negate) continue;
            *property = &candidate;
            return &match;
        }
    }
    return nullptr;
}

}  // namespace

dav_error* addressbook_query(request_rec* r, const dav_resource* resource, const apr_xml_doc* doc) {
    const Context* context = resource->info->context;
    vcard::Filter filter;
    try {
        filter = read_filter(doc);
    } catch (const InvalidFilter& invalid) {
        return dav_new_error_tag(r->pool, HTTP_FORBIDDEN, 0, 0, apr_pstrdup(r->pool, invalid.message.c_str()),
                                 carddav_namespace, invalid.precondition);
    }
    long limit = read_limit(doc);
    store::Store& store = open_store(*context);
    const store::Node& target = node_of(resource);
    MultistatusWriter writer(r, doc);
    long listed = 0;
    auto test = [&](store::Node node) {
        if (!vcard::matches(vcard::parse(store.body(node.id)), filter)) return true;
        if (limit > 0 && listed == limit) return false;
        ++listed;
        writer.properties(r, context, std::move(node));
        return true;
    };
    if (!resource->collection) {
        test(target);
    } else if (target.kind == store::CollectionKind::addressbook && dav_get_depth(r, 0) > 0) {
        const vcard::PropFilter* indexed = nullptr;
        const vcard::TextMatch* narrowing = narrowing_match(filter, &indexed);
        bool more = true;
        if (narrowing != nullptr) {
            for (store::Node& node :
                 store.cards_matching(target, indexed->name, vcard::casefold(narrowing->text), narrowing->match_type)) {
                if (!test(std::move(node))) {
                    more = false;
                    break;
                }
            }
        }
        if (narrowing == nullptr)
            more = store.for_each_member(
                target, [&](store::Node& node) { return node.is_collection() || test(std::move(node)); });
        if (!more) writer.status(resource->uri, HTTP_INSUFFICIENT_STORAGE);
    }
    writer.finish();
    return nullptr;
}

}  // namespace caldav::module
