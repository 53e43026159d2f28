// calendar-query (RFC 4791 §7.8): the filter (§9.7) is read into lib/query values; the time-range
// index narrows the members to those that can overlap, and only those are parsed to evaluate the
// rest of the filter.
#include <httpd.h>  // first: the other httpd headers depend on it
#include <apr_strings.h>
#include <http_protocol.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <limits>

#include "dav/path.hpp"
#include "ical/calendar_data.hpp"
#include "object_checks.hpp"
#include "query/calendar_filter.hpp"
#include "report.hpp"
#include "resource_kind.hpp"
#include "xml.hpp"

namespace caldav::module {

namespace {

// RFC 4791 §9.9: start and end are UTC date-times in the basic format, 20060104T000000Z.
std::optional<std::int64_t> utc_time(const char* text) {
    if (text == nullptr) return std::nullopt;
    std::optional<std::int64_t> seconds = ical::parse_utc_time(text);
    if (!seconds) throw InvalidFilter{"valid-filter", std::string("time-range value is not a UTC date-time: ") + text};
    return seconds;
}

query::TimeRange read_time_range(const apr_xml_elem* element) {
    query::TimeRange range{utc_time(attribute(element, "start")), utc_time(attribute(element, "end"))};
    if (!range.start && !range.end) throw InvalidFilter{"valid-filter", "time-range needs a start or an end"};
    return range;
}

query::TextMatch read_text_match(const apr_xml_elem* element) {
    query::TextMatch match;
    match.text = text_of(element);
    if (const char* collation = attribute(element, "collation")) match.collation = collation;
    if (!query::supported_collation(match.collation))
        throw InvalidFilter{"supported-collation", "unsupported collation " + match.collation};
    const char* negate = attribute(element, "negate-condition");
    match.negate = negate != nullptr && std::strcmp(negate, "yes") == 0;
    return match;
}

query::ParamFilter read_param_filter(const apr_xml_doc* doc, const apr_xml_elem* element) {
    query::ParamFilter filter;
    filter.name = required_name(element, "valid-filter");
    for (const apr_xml_elem* child = element->first_child; child != nullptr; child = child->next) {
        if (is_element(doc, child, caldav_namespace, "is-not-defined")) filter.is_not_defined = true;
        if (is_element(doc, child, caldav_namespace, "text-match")) filter.text_match = read_text_match(child);
    }
    return filter;
}

query::PropFilter read_prop_filter(const apr_xml_doc* doc, const apr_xml_elem* element) {
    query::PropFilter filter;
    filter.name = required_name(element, "valid-filter");
    for (const apr_xml_elem* child = element->first_child; child != nullptr; child = child->next) {
        if (is_element(doc, child, caldav_namespace, "is-not-defined")) filter.is_not_defined = true;
        if (is_element(doc, child, caldav_namespace, "time-range")) filter.time_range = read_time_range(child);
        if (is_element(doc, child, caldav_namespace, "text-match")) filter.text_match = read_text_match(child);
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

query::CompFilter read_filter(const apr_xml_doc* doc) {
    const apr_xml_elem* filter = find_child(doc, doc->root, caldav_namespace, "filter");
    if (filter == nullptr) throw InvalidFilter{"valid-filter", "calendar-query needs a filter"};
    const apr_xml_elem* top = find_child(doc, filter, caldav_namespace, "comp-filter");
    if (top == nullptr) throw InvalidFilter{"valid-filter", "the filter needs a VCALENDAR comp-filter"};
    query::CompFilter result = read_comp_filter(doc, top);
    if (result.name != "VCALENDAR") throw InvalidFilter{"valid-filter", "the top comp-filter must be VCALENDAR"};
    return result;
}

// The members to test: those the index says may overlap the query's time range, or all of them.
template <class Visit>
void for_each_candidate(store::Store& store, const store::Node& calendar, const query::CompFilter& filter,
                        Visit&& visit) {
    if (std::optional<query::TimeRange> range = query::index_range(filter)) {
        std::int64_t from = range->start.value_or(std::numeric_limits<std::int64_t>::min() / 2);
        std::int64_t to = range->end.value_or(std::numeric_limits<std::int64_t>::max() / 2);
        for (store::Node& node : store.overlapping(calendar, from, to)) visit(std::move(node));
        return;
    }
    store.for_each_member(calendar, [&](store::Node& node) {
        if (!node.is_collection()) visit(std::move(node));
        return true;
    });
}

}  // namespace

dav_error* calendar_query(request_rec* r, const dav_resource* resource, const apr_xml_doc* doc) {
    const Context* context = resource->info->context;
    query::CompFilter filter;
    try {
        filter = read_filter(doc);
    } catch (const InvalidFilter& invalid) {
        return dav_new_error_tag(r->pool, HTTP_FORBIDDEN, 0, 0, apr_pstrdup(r->pool, invalid.message.c_str()),
                                 caldav_namespace, invalid.precondition);
    }
    store::Store& store = open_store(*context);
    const store::Node& target = node_of(resource);
    MultistatusWriter writer(r, doc);
    auto test = [&](store::Node node, const std::string& timezone) {
        if (query::matches(store.body(node.id), filter, timezone)) writer.properties(r, context, std::move(node));
    };
    if (!resource->collection) {
        test(target, calendar_timezone(store, store.lookup(dav::parent_path(target.path))));
    } else if (target.kind == store::CollectionKind::calendar && dav_get_depth(r, 0) > 0) {
        std::string timezone = calendar_timezone(store, target);
        for_each_candidate(store, target, filter, [&](store::Node node) { test(std::move(node), timezone); });
    }
    writer.finish();
    return nullptr;
}

}  // namespace caldav::module
