// calendar-query (RFC 4791 §7.8): the filter (§9.7) is read into lib/query values; the time-range
// index narrows the members to those that can overlap, and only those are parsed to evaluate the
// rest of the filter. A filter that is only a time-range is answered from the index alone.
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

// The members to test: those the index says may overlap the query's time range, or all of them.
// `decided` is set when the index alone answers for that member (see query::time_range_component).
template <class Visit>
void for_each_candidate(store::Store& store, const store::Node& calendar, const query::CompFilter& filter,
                        Visit&& visit) {
    if (std::optional<query::TimeRange> range = query::index_range(filter)) {
        std::int64_t from = range->start.value_or(std::numeric_limits<std::int64_t>::min() / 2);
        std::int64_t to = range->end.value_or(std::numeric_limits<std::int64_t>::max() / 2);
        std::optional<std::string> component = query::time_range_component(filter);
        for (store::IndexedMember& member : store.overlapping(calendar, from, to)) {
            // One component type per object (RFC 4791 §4.1, checked on PUT): another type cannot match.
            std::optional<bool> decided;
            if (component && member.complete && !member.component.empty()) decided = member.component == *component;
            visit(std::move(member.node), decided);
        }
        return;
    }
    store.for_each_member(calendar, [&](store::Node& node) {
        if (!node.is_collection()) visit(std::move(node), std::nullopt);
        return true;
    });
}

}  // namespace

dav_error* calendar_query(request_rec* r, const dav_resource* resource, const apr_xml_doc* doc) {
    const Context* context = resource->info->context;
    query::CompFilter filter;
    try {
        filter = read_calendar_filter(doc);
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
        for_each_candidate(store, target, filter, [&](store::Node node, std::optional<bool> decided) {
            if (!decided) {
                test(std::move(node), timezone);
            } else if (*decided) {
                writer.properties(r, context, std::move(node));
            }
        });
    }
    writer.finish();
    return nullptr;
}

}  // namespace caldav::module
