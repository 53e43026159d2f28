// One cache of timezones per process, keyed by the VTIMEZONE's text, so that two objects with the
// same definition share one expansion and a changed definition never reuses an old one.
#include "ical/timezone_cache.hpp"

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace caldav::ical {

namespace {

// Each distinct definition stays until the process ends: bounded, as clients may send any number.
constexpr std::size_t max_zones = 256;

struct ZoneDeleter {
    void operator()(icaltimezone* zone) const { icaltimezone_free(zone, 1); }
};
using ZonePtr = std::unique_ptr<icaltimezone, ZoneDeleter>;

std::string text_of(icalcomponent* component) {
    char* text = icalcomponent_as_ical_string_r(component);
    if (text == nullptr) return {};
    std::string result(text);
    icalmemory_free_buffer(text);
    return result;
}

ZonePtr zone_from(icalcomponent* vtimezone) {
    ZonePtr zone(icaltimezone_new());
    if (!zone) return nullptr;
    icalcomponent* copy = icalcomponent_new_clone(vtimezone);
    if (copy == nullptr) return nullptr;
    if (icaltimezone_set_component(zone.get(), copy) == 0) {  // no TZID: the zone did not take it
        icalcomponent_free(copy);
        return nullptr;
    }
    return zone;
}

}  // namespace

icaltimezone* shared_zone(icalcomponent* vtimezone) {
    // One cache for all threads: per-thread caches held a copy of every zone in each of a child's
    // 25 threads, megabytes of long-lived blocks scattered between requests' short-lived ones.
    // Sharing a zone is safe: libical 3.0 serialises the expansion of its transitions
    // (icaltimezone_get_utc_offset takes its changes mutex).
    static std::mutex guard;
    static std::unordered_map<std::string, ZonePtr> zones;
    std::string key = text_of(vtimezone);
    if (key.empty()) return nullptr;
    std::lock_guard<std::mutex> lock(guard);
    auto found = zones.find(key);
    if (found != zones.end()) return found->second.get();
    if (zones.size() >= max_zones) return nullptr;
    ZonePtr zone = zone_from(vtimezone);
    if (!zone) return nullptr;
    return zones.emplace(std::move(key), std::move(zone)).first->second.get();
}

}  // namespace caldav::ical
