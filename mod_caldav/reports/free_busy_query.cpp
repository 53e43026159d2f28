// free-busy-query (RFC 4791 §7.10): a VFREEBUSY of the calendar's busy time in a range. Only the
// members the time-range index says overlap are parsed.
#include <httpd.h>  // first: the other httpd headers depend on it
#include <http_protocol.h>

#include "dav/path.hpp"
#include "ical/calendar_data.hpp"
#include "ical/freebusy.hpp"
#include "object_checks.hpp"
#include "report.hpp"
#include "resource_kind.hpp"
#include "xml.hpp"

namespace caldav::module {

dav_error* free_busy_query(request_rec* r, const dav_resource* resource, const apr_xml_doc* doc) {
    std::pair<std::int64_t, std::int64_t> range;
    try {
        range = read_free_busy_range(doc);  // the same check as calendar-query's time ranges
    } catch (const InvalidFilter& invalid) {
        return invalid_request_error(r, invalid, caldav_namespace);
    }
    const std::int64_t from = range.first, to = range.second;
    store::Store& store = open_store(*resource->info->context);
    const store::Node& target = node_of(resource);
    std::vector<ical::BusyPeriod> periods;
    auto add = [&](std::int64_t id, const std::string& timezone) {
        for (ical::BusyPeriod& period : ical::busy_periods(store.body(id), from, to, timezone))
            periods.push_back(std::move(period));
    };
    if (!resource->collection) {
        add(target.id, calendar_timezone(store, store.lookup(dav::parent_path(target.path))));
    } else if (target.kind == store::CollectionKind::calendar) {
        std::string timezone = calendar_timezone(store, target);
        for (const store::IndexedMember& member : store.overlapping(target, from, to)) add(member.id, timezone);
    }
    std::string reply = ical::freebusy_reply(std::move(periods), from, to);
    r->status = HTTP_OK;
    ap_set_content_type(r, "text/calendar; charset=utf-8");
    ap_rwrite(reply.data(), static_cast<int>(reply.size()), r);
    return nullptr;
}

}  // namespace caldav::module
