// Busy time from the same expansion as the time-range index (RFC 4791 §7.10).
#include "ical/freebusy.hpp"

#include <libical/ical.h>

#include <algorithm>
#include <ctime>
#include <memory>

#include "ical/instances.hpp"
#include "ical/component_ptr.hpp"
#include "ical/parse.hpp"

namespace caldav::ical {

namespace {

constexpr std::size_t max_busy_instances = 10000;

// The FBTYPE an occurrence of `event` counts as, or nullptr when it takes no time (RFC 4791 §7.10).
const char* busy_type(const icalcomponent* event) {
    auto* component = const_cast<icalcomponent*>(event);
    if (icalcomponent_isa(component) != ICAL_VEVENT_COMPONENT) return nullptr;
    icalproperty* transparency = icalcomponent_get_first_property(component, ICAL_TRANSP_PROPERTY);
    if (transparency != nullptr && icalproperty_get_transp(transparency) == ICAL_TRANSP_TRANSPARENT) return nullptr;
    switch (icalcomponent_get_status(component)) {
        case ICAL_STATUS_CANCELLED:
            return nullptr;
        case ICAL_STATUS_TENTATIVE:
            return "BUSY-TENTATIVE";
        default:
            return "BUSY";
    }
}

std::string utc_text(std::int64_t seconds) {
    time_t value = static_cast<time_t>(seconds);
    std::tm parts{};
    gmtime_r(&value, &parts);
    char text[32];
    std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &parts);
    return text;
}

}  // namespace

std::vector<BusyPeriod> busy_periods(std::string_view bytes, std::int64_t from, std::int64_t to,
                                     std::string_view default_timezone) {
    ComponentPtr vcalendar = parse_ical(bytes);
    std::vector<BusyPeriod> periods;
    if (!vcalendar || icalcomponent_isa(vcalendar.get()) != ICAL_VCALENDAR_COMPONENT) return periods;
    Expansion flags;
    auto instances = detail::expand_calendar(reinterpret_cast<icalcomponent_impl*>(vcalendar.get()), default_timezone,
                                             {from, to, max_busy_instances}, flags);
    for (const detail::SourcedInstance& instance : instances) {
        const char* type = busy_type(reinterpret_cast<const icalcomponent*>(instance.source));
        std::int64_t start = std::max(instance.start, from);
        std::int64_t end = std::min(instance.end, to);
        if (type != nullptr && start < end) periods.push_back({start, end, type});
    }
    return periods;
}

std::string freebusy_reply(std::vector<BusyPeriod> periods, std::int64_t from, std::int64_t to) {
    std::sort(periods.begin(), periods.end(), [](const BusyPeriod& a, const BusyPeriod& b) {
        return a.type != b.type ? a.type < b.type : a.start < b.start;
    });
    std::vector<BusyPeriod> merged;
    for (const BusyPeriod& period : periods) {
        if (!merged.empty() && merged.back().type == period.type && period.start <= merged.back().end) {
            merged.back().end = std::max(merged.back().end, period.end);
        } else {
            merged.push_back(period);
        }
    }
    std::string out = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//mod_caldav//free-busy//EN\r\nBEGIN:VFREEBUSY\r\n";
    out += "DTSTAMP:" + utc_text(static_cast<std::int64_t>(std::time(nullptr))) + "\r\n";
    out += "DTSTART:" + utc_text(from) + "\r\nDTEND:" + utc_text(to) + "\r\n";
    for (const BusyPeriod& period : merged) {
        out += "FREEBUSY";
        if (period.type != "BUSY") out += ";FBTYPE=" + period.type;
        out += ":" + utc_text(period.start) + "/" + utc_text(period.end) + "\r\n";
    }
    out += "END:VFREEBUSY\r\nEND:VCALENDAR\r\n";
    return out;
}

}  // namespace caldav::ical
