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
#include "query/filter_validity.hpp"
#include "vcard/vcard.hpp"
#include "xml.hpp"

namespace caldav::module {

namespace {

// A positive text-match on an indexed property that every matching card must satisfy: the index then
// yields a superset of the answer, and only those cards are parsed. The index holds the
// i;unicode-casemap form (lib/query/collation), which maps code point by code point, so a substring's
// form is a substring of the value's: comparing forms never loses a match under any of the collations.
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
        filter = read_addressbook_filter(doc);
    } catch (const InvalidFilter& invalid) {
        return invalid_request_error(r, invalid, carddav_namespace);
    }
    // RFC 6352 §8.6: a prop-filter or param-filter that names no vCard property or parameter.
    if (std::optional<std::string> reason = query::unsupported_addressbook_filter(filter))
        return dav_new_error_tag(r->pool, HTTP_FORBIDDEN, 0, 0, apr_pstrdup(r->pool, reason->c_str()),
                                 carddav_namespace, "supported-filter");
    long limit = read_addressbook_limit(doc);
    store::Store& store = open_store(*context);
    const store::Node& target = node_of(resource);
    MultistatusWriter writer(r, context, doc);
    long listed = 0;
    auto test = [&](store::Node node) {
        if (!vcard::matches(vcard::parse(store.body(node.id)), filter)) return true;
        if (limit > 0 && listed == limit) return false;
        ++listed;
        writer.properties(std::move(node));
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
