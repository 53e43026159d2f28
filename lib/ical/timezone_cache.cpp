// One cache of timezones per process, keyed by what of a VTIMEZONE libical builds the zone from,
// so that two objects with the same definition share one expansion and a changed definition never
// reuses an old one.
#include "ical/timezone_cache.hpp"
#include "ical/content_lines.hpp"

#include <charconv>
#include <cstddef>
#include <cstring>
#include <forward_list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace caldav::ical {

namespace {

// Each distinct definition stays until the process ends: bounded, as clients may send any number.
constexpr std::size_t max_zones = 256;

struct ZoneDeleter {
    void operator()(icaltimezone* zone) const { icaltimezone_free(zone, 1); }
};
using ZonePtr = std::unique_ptr<icaltimezone, ZoneDeleter>;

// Builds a key from numbers and texts; every item is terminated or length-prefixed, so that two
// different sequences never give the same key.
class KeyWriter {
public:
    void number(long long value) {
        char digits[24];
        auto written = std::to_chars(digits, digits + sizeof digits, value);
        key_.append(digits, written.ptr);
        key_ += ',';
    }
    void text(const char* value) {
        if (value == nullptr) {
            key_ += "-,";
            return;
        }
        std::size_t length = std::strlen(value);
        number(static_cast<long long>(length));
        key_.append(value, length);
    }
    void time(const icaltimetype& time) {
        for (int field :
             {time.year, time.month, time.day, time.hour, time.minute, time.second, time.is_date, time.is_daylight})
            number(field);
        number(time.zone != nullptr ? 1 : 0);
    }
    void duration(const icaldurationtype& duration) {
        number(duration.is_neg);
        for (unsigned field : {duration.weeks, duration.days, duration.hours, duration.minutes, duration.seconds})
            number(field);
    }
    template <std::size_t size>
    void list(const short (&values)[size]) {
        for (std::size_t i = 0; i < size && values[i] != ICAL_RECURRENCE_ARRAY_MAX; ++i) number(values[i]);
        key_ += ';';
    }
    void rule(const icalrecurrencetype& rule) {
        number(rule.freq);
        time(rule.until);
        number(rule.count);
        number(rule.interval);
        number(rule.week_start);
        list(rule.by_second);
        list(rule.by_minute);
        list(rule.by_hour);
        list(rule.by_day);
        list(rule.by_month_day);
        list(rule.by_year_day);
        list(rule.by_week_no);
        list(rule.by_month);
        list(rule.by_set_pos);
        text(rule.rscale);
        number(rule.skip);
    }
    std::string take() { return std::move(key_); }

private:
    std::string key_;
};

const char* tzid_parameter(icalproperty* property) {
    icalparameter* tzid = icalproperty_get_first_parameter(property, ICAL_TZID_PARAMETER);
    return tzid != nullptr ? icalparameter_get_tzid(tzid) : nullptr;
}

// An observance's properties that libical 3.0 expands into the zone's transitions
// (icaltimezone_expand_vtimezone): DTSTART, TZOFFSETFROM, TZOFFSETTO, RDATE and RRULE.
void write_observance(KeyWriter& key, icalcomponent* observance) {
    key.number(-1);  // no kind is negative: where an observance starts is unambiguous
    key.number(icalcomponent_isa(observance));
    for (icalproperty* property = icalcomponent_get_first_property(observance, ICAL_ANY_PROPERTY); property != nullptr;
         property = icalcomponent_get_next_property(observance, ICAL_ANY_PROPERTY)) {
        icalproperty_kind kind = icalproperty_isa(property);
        switch (kind) {
            case ICAL_DTSTART_PROPERTY:
                key.number(kind);
                key.time(icalproperty_get_dtstart(property));
                key.text(tzid_parameter(property));
                break;
            case ICAL_TZOFFSETFROM_PROPERTY:
                key.number(kind);
                key.number(icalproperty_get_tzoffsetfrom(property));
                break;
            case ICAL_TZOFFSETTO_PROPERTY:
                key.number(kind);
                key.number(icalproperty_get_tzoffsetto(property));
                break;
            case ICAL_RDATE_PROPERTY: {
                icaldatetimeperiodtype rdate = icalproperty_get_rdate(property);
                key.number(kind);
                key.time(rdate.time);
                key.time(rdate.period.start);
                key.time(rdate.period.end);
                key.duration(rdate.period.duration);
                key.text(tzid_parameter(property));
                break;
            }
            case ICAL_RRULE_PROPERTY:
                key.number(kind);
                key.rule(icalproperty_get_rrule(property));
                break;
            default:
                break;  // TZNAME, COMMENT, X-: not part of the zone's offsets
        }
    }
}

// The key of a VTIMEZONE: its TZID, the names libical reads its location from (the recurrence
// iterator hands that name to ICU), and its observances in order; empty without a TZID. Read from
// the parsed values: serialising the whole component for a key was 5% of a PUT's instructions.
std::string zone_key(icalcomponent* vtimezone) {
    icalproperty* tzid = icalcomponent_get_first_property(vtimezone, ICAL_TZID_PROPERTY);
    if (tzid == nullptr || icalproperty_get_tzid(tzid) == nullptr) return {};
    KeyWriter key;
    key.text(icalproperty_get_tzid(tzid));
    icalproperty* location = icalcomponent_get_first_property(vtimezone, ICAL_LOCATION_PROPERTY);
    key.text(location != nullptr ? icalproperty_get_location(location) : nullptr);
    for (icalproperty* x = icalcomponent_get_first_property(vtimezone, ICAL_X_PROPERTY); x != nullptr;
         x = icalcomponent_get_next_property(vtimezone, ICAL_X_PROPERTY)) {
        const char* name = icalproperty_get_x_name(x);
        if (name != nullptr && equal_ascii_nocase(name, "X-LIC-LOCATION")) key.text(icalproperty_get_x(x));
    }
    for (icalcomponent* observance = icalcomponent_get_first_component(vtimezone, ICAL_ANY_COMPONENT);
         observance != nullptr; observance = icalcomponent_get_next_component(vtimezone, ICAL_ANY_COMPONENT))
        write_observance(key, observance);
    return key.take();
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
    std::string key = zone_key(vtimezone);
    if (key.empty()) return nullptr;
    std::lock_guard<std::mutex> lock(guard);
    auto found = zones.find(key);
    if (found != zones.end()) return found->second.get();
    if (zones.size() >= max_zones) return nullptr;
    ZonePtr zone = zone_from(vtimezone);
    if (!zone) return nullptr;
    return zones.emplace(std::move(key), std::move(zone)).first->second.get();
}

namespace {

// Texts of VTIMEZONEs, each mapped to its shared zone (which lives as long as the process). Keyed
// by views of the owned texts, so that a lookup copies nothing.
struct ZoneTexts {
    std::mutex guard;
    std::forward_list<std::string> texts;
    std::unordered_map<std::string_view, icaltimezone*> zones;
};

ZoneTexts& zone_texts() {
    static ZoneTexts texts;
    return texts;
}

}  // namespace

icaltimezone* zone_of_text(std::string_view vtimezone_text) {
    ZoneTexts& texts = zone_texts();
    std::lock_guard<std::mutex> lock(texts.guard);
    auto found = texts.zones.find(vtimezone_text);
    return found != texts.zones.end() ? found->second : nullptr;
}

void remember_zone_text(std::string_view vtimezone_text, icaltimezone* zone) {
    // A few spellings per zone (line ends, vendors' X- lines): the same bound as the zones. Real
    // VTIMEZONEs take a few KB; a client's 1 MB one is not kept for the life of the process.
    constexpr std::size_t max_text_size = std::size_t{16} * 1024;
    if (zone == nullptr || vtimezone_text.size() > max_text_size) return;
    ZoneTexts& texts = zone_texts();
    std::lock_guard<std::mutex> lock(texts.guard);
    if (texts.zones.size() >= max_zones || texts.zones.count(vtimezone_text) != 0) return;
    texts.texts.emplace_front(vtimezone_text);
    texts.zones.emplace(texts.texts.front(), zone);
}

}  // namespace caldav::ical
