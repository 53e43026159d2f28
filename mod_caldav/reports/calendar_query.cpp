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
#include "query/filter_validity.hpp"
#include "report.hpp"
#include "resource_kind.hpp"
#include "xml.hpp"

namespace caldav::module {

namespace {

// One calendar-query: the filter, the writer, and how a member found to match is answered.
class Query {
public:
    Query(store::Store& store, const query::CompFilter& filter, MultistatusWriter& writer)
        : store_(store), filter_(filter), writer_(writer) {}

    // A member read whole: its body decides.
    void test(store::Node node, const std::string& timezone) {
        if (query::matches(store_.body(node.id), filter_, timezone)) writer_.properties(std::move(node));
    }

    // The members the time-range index says may overlap `range`. Where the index alone decides
    // (see query::time_range_component) nothing is parsed, and a getetag-only REPORT is answered
    // from the index rows without reading the resources at all.
    void indexed(const store::Node& calendar, const query::TimeRange& range, const std::string& timezone) {
        std::int64_t from = range.start.value_or(std::numeric_limits<std::int64_t>::min() / 2);
        std::int64_t to = range.end.value_or(std::numeric_limits<std::int64_t>::max() / 2);
        std::optional<std::string> component = query::time_range_component(filter_);
        for (const store::IndexedMember& member : store_.overlapping(calendar, from, to)) {
            // One component type per object (RFC 4791 §4.1, checked on PUT): another type cannot match.
            bool decided = component && member.complete && !member.component.empty();
            if (decided && member.component != *component) continue;
            bool matches = decided || query::matches(store_.body(member.id), filter_, timezone);
            if (matches) answer(dav::join_path(calendar.path, member.name), member.etag);
        }
    }

private:
    void answer(const std::string& path, const std::string& etag) {
        if (writer_.asks_only_etag()) {
            writer_.etag_response(path, etag);
            return;
        }
        store::Node node = store_.lookup(path);
        if (node.exists()) writer_.properties(std::move(node));  // else deleted meanwhile
    }

    store::Store& store_;
    const query::CompFilter& filter_;
    MultistatusWriter& writer_;
};

}  // namespace

dav_error* calendar_query(request_rec* r, const dav_resource* resource, const apr_xml_doc* doc) {
    const Context* context = resource->info->context;
    query::CompFilter filter;
    try {
        filter = read_calendar_filter(doc);
    } catch (const InvalidFilter& invalid) {
        return invalid_request_error(r, invalid, caldav_namespace);
    }
    // RFC 4791 §7.8: a filter no calendar object could be judged by (lib/query/filter_validity).
    if (std::optional<std::string> reason = query::invalid_calendar_filter(filter))
        return dav_new_error_tag(r->pool, HTTP_FORBIDDEN, 0, 0, apr_pstrdup(r->pool, reason->c_str()), caldav_namespace,
                                 "valid-filter");
    if (dav_error* error = calendar_data_ranges_error(r, doc)) return error;
    store::Store& store = open_store(*context);
    const store::Node& target = node_of(resource);
    MultistatusWriter writer(r, context, doc);
    Query query(store, filter, writer);
    if (!resource->collection) {
        query.test(target, calendar_timezone(store, store.lookup(dav::parent_path(target.path))));
    } else if (target.kind == store::CollectionKind::calendar && dav_get_depth(r, 0) > 0) {
        std::string timezone = calendar_timezone(store, target);
        if (std::optional<query::TimeRange> range = query::index_range(filter)) {
            query.indexed(target, *range, timezone);
        } else {
            store.for_each_member(target, [&](store::Node& node) {
                if (!node.is_collection()) query.test(std::move(node), timezone);
                return true;
            });
        }
    }
    writer.finish();
    return nullptr;
}

}  // namespace caldav::module
