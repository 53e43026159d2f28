// Recurrence expansion into the time-range index (RFC 4791 §9.9 per component, RFC 5545 §3.8.5 for
// RRULE/RDATE/EXDATE, §3.8.4.4 for RECURRENCE-ID and RANGE=THISANDFUTURE), with libical.
#include "ical/instances.hpp"
#include "ical/calendar_timezone.hpp"
#include "ical/civil_date.hpp"
#include "ical/component_ptr.hpp"
#include "ical/parse.hpp"
#include "ical/simple_recurrence.hpp"
#include "ical/temporaries.hpp"
#include "ical/content_lines.hpp"
#include "ical/timezone_cache.hpp"
#include "ical/wall_clock.hpp"

#include <libical/ical.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace caldav::ical {

namespace {

// Work done by libical inside icalrecur_iterator_next is proportional to the time it skips counted
// in units of the rule's frequency; stop a series (and report it truncated) beyond this many units.
constexpr std::int64_t max_frequency_units = 200000;

struct IteratorDeleter {
    void operator()(icalrecur_iterator* iterator) const { icalrecur_iterator_free(iterator); }
};
using IteratorPtr = std::unique_ptr<icalrecur_iterator, IteratorDeleter>;

std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
    std::int64_t sum;
    if (__builtin_add_overflow(a, b, &sum)) return b > 0 ? INT64_MAX : INT64_MIN;
    return sum;
}

std::string trimmed(std::string_view text) {
    std::size_t begin = 0, end = text.size();
    while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
    while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
    return std::string(text.substr(begin, end - begin));
}

// The most common Windows zone names (as Outlook and Exchange write them in TZID) and the IANA
// zone of the same rules (the "001" territory of the Unicode CLDR mapping).
constexpr std::pair<const char*, const char*> windows_zones[] = {
    {"W. Europe Standard Time", "Europe/Berlin"},
    {"Romance Standard Time", "Europe/Paris"},
    {"Central Europe Standard Time", "Europe/Budapest"},
    {"Central European Standard Time", "Europe/Warsaw"},
    {"GMT Standard Time", "Europe/London"},
    {"Greenwich Standard Time", "Atlantic/Reykjavik"},
    {"E. Europe Standard Time", "Europe/Chisinau"},
    {"FLE Standard Time", "Europe/Kiev"},
    {"GTB Standard Time", "Europe/Bucharest"},
    {"Russian Standard Time", "Europe/Moscow"},
    {"Turkey Standard Time", "Europe/Istanbul"},
    {"Israel Standard Time", "Asia/Jerusalem"},
    {"South Africa Standard Time", "Africa/Johannesburg"},
    {"Arabian Standard Time", "Asia/Dubai"},
    {"India Standard Time", "Asia/Kolkata"},
    {"China Standard Time", "Asia/Shanghai"},
    {"Singapore Standard Time", "Asia/Singapore"},
    {"Tokyo Standard Time", "Asia/Tokyo"},
    {"Korea Standard Time", "Asia/Seoul"},
    {"AUS Eastern Standard Time", "Australia/Sydney"},
    {"New Zealand Standard Time", "Pacific/Auckland"},
    {"Eastern Standard Time", "America/New_York"},
    {"Central Standard Time", "America/Chicago"},
    {"Mountain Standard Time", "America/Denver"},
    {"US Mountain Standard Time", "America/Phoenix"},
    {"Pacific Standard Time", "America/Los_Angeles"},
    {"Alaskan Standard Time", "America/Anchorage"},
    {"Hawaiian Standard Time", "Pacific/Honolulu"},
    {"Atlantic Standard Time", "America/Halifax"},
    {"E. South America Standard Time", "America/Sao_Paulo"},
    {"UTC", "UTC"},
    {"Coordinated Universal Time", "UTC"},
};

// A zone libical knows by name: an IANA location ("Europe/Berlin"), libical's own TZID
// ("/freeassociation.sourceforge.net/Europe/Berlin"), another vendor's prefix
// ("/mozilla.org/20050126_1/Europe/Berlin") or a Windows name.
icaltimezone* builtin_zone(std::string_view name) {
    std::string location = trimmed(name);
    if (location.empty()) return nullptr;
    if (equal_ascii_nocase(location, "UTC") || equal_ascii_nocase(location, "GMT") ||
        equal_ascii_nocase(location, "Etc/UTC") || equal_ascii_nocase(location, "Z"))
        return icaltimezone_get_utc_timezone();
    if (icaltimezone* zone = icaltimezone_get_builtin_timezone(location.c_str())) return zone;
    if (location[0] == '/') {
        if (icaltimezone* zone = icaltimezone_get_builtin_timezone_from_tzid(location.c_str())) return zone;
    }
    for (std::size_t slash = location.find('/'); slash != std::string::npos; slash = location.find('/', slash + 1)) {
        std::string suffix = location.substr(slash + 1);
        if (suffix.find('/') == std::string::npos) break;  // "Berlin" alone is no location
        if (icaltimezone* zone = icaltimezone_get_builtin_timezone(suffix.c_str())) return zone;
    }
    for (const auto& [windows, iana] : windows_zones)
        if (equal_ascii_nocase(location, windows)) return builtin_zone(iana);
    return nullptr;
}

// The zone of floating times and dates (RFC 4791 §5.2.2, §7.3): the calendar's own VTIMEZONE when
// `spec` is the iCalendar text of its calendar-timezone, whatever its TZID, else a zone libical
// knows by the name `spec`. A definition accepted once is found again by its text; one that
// validate_calendar_timezone refuses (stored before it was checked) is never expanded: its rules
// may recur every second. nullptr = UTC.
icaltimezone* default_zone(std::string_view spec) {
    if (spec.find("BEGIN:VTIMEZONE") == std::string_view::npos) return builtin_zone(spec);
    if (icaltimezone* known = zone_of_text(spec)) return known;
    if (!validate_calendar_timezone(spec).valid) return nullptr;
    ComponentPtr root = parse_ical(spec);
    icalcomponent* vtimezone = icalcomponent_get_first_component(root.get(), ICAL_VTIMEZONE_COMPONENT);
    icaltimezone* zone = shared_zone(vtimezone);
    if (zone == nullptr) {  // the process's cache of zones is full: the TZID's built-in zone, if any
        return builtin_zone(icalproperty_get_tzid(icalcomponent_get_first_property(vtimezone, ICAL_TZID_PROPERTY)));
    }
    remember_zone_text(spec, zone);
    return zone;
}

// Resolves the times of one VCALENDAR: TZIDs through its own VTIMEZONEs first, then libical's
// built-in zones; floating times and dates in the default zone (nullptr = UTC).
class Clock {
public:
    Clock(icalcomponent* vcalendar, std::string_view default_timezone, const KnownZones* known_zones)
        : vcalendar_(vcalendar), known_zones_(known_zones), floating_(default_zone(default_timezone)) {}

    // The zone of a property's value: nullptr when it is floating, a DATE or UTC.
    icaltimezone* zone_of(icalproperty* property) {
        icalparameter* parameter = icalproperty_get_first_parameter(property, ICAL_TZID_PARAMETER);
        if (parameter == nullptr) return nullptr;
        const char* tzid = icalparameter_get_tzid(parameter);
        if (tzid == nullptr) return nullptr;
        auto found = zones_.find(tzid);
        if (found != zones_.end()) return found->second;
        icaltimezone* zone = resolve(tzid);
        zones_.emplace(tzid, zone);
        return zone;
    }

    // UTC seconds of a time whose wall-clock fields are in `zone` (nullptr: floating), or in UTC.
    std::int64_t utc(icaltimetype time, icaltimezone* zone) const {
        if (time.is_date) {
            time.is_date = 0;
            time.hour = time.minute = time.second = 0;
            zone = nullptr;
        } else if (icaltime_is_utc(time)) {
            return epoch_of_fields(time);
        }
        icaltimezone* from = zone != nullptr ? zone : floating_;
        if (from == nullptr || from == icaltimezone_get_utc_timezone()) return epoch_of_fields(time);
        return utc_of_wall_clock(time, from);
    }

    // The wall-clock time of `utc` in `zone` (nullptr: the floating zone), as a DATE if asked.
    icaltimetype local(std::int64_t utc, icaltimezone* zone, bool is_date) const {
        icaltimezone* in = zone != nullptr ? zone : floating_;
        icaltimetype time = icaltime_from_timet_with_zone(static_cast<time_t>(utc), is_date ? 1 : 0,
                                                          in != nullptr ? in : icaltimezone_get_utc_timezone());
        if (zone == nullptr) time.zone = nullptr;
        return time;
    }

private:
    // The object's own VTIMEZONE (RFC 5545 §3.6.5) through the process-wide cache, else a zone
    // libical knows by that name.
    icaltimezone* resolve(const char* tzid) {
        if (icaltimezone* known = find_known_zone(tzid)) return known;
        if (icalcomponent* vtimezone = find_vtimezone(tzid)) {
            if (icaltimezone* shared = shared_zone(vtimezone)) return shared;
            icalproperty* id = icalcomponent_get_first_property(vtimezone, ICAL_TZID_PROPERTY);
            return icalcomponent_get_timezone(vcalendar_, icalproperty_get_tzid(id));
        }
        return builtin_zone(trimmed(tzid));
    }

    // The VTIMEZONE whose TZID is `tzid`, or failing that equal to it without surrounding spaces
    // (Outlook pads some). An external iterator: callers may be walking the VCALENDAR's components
    // with its internal one.
    icalcomponent* find_vtimezone(const char* tzid) const {
        std::string wanted = trimmed(tzid);
        icalcomponent* padded = nullptr;
        icalcompiter members = icalcomponent_begin_component(vcalendar_, ICAL_VTIMEZONE_COMPONENT);
        for (icalcomponent* vtimezone; (vtimezone = icalcompiter_deref(&members)) != nullptr;
             icalcompiter_next(&members)) {
            icalproperty* id = icalcomponent_get_first_property(vtimezone, ICAL_TZID_PROPERTY);
            const char* name = id != nullptr ? icalproperty_get_tzid(id) : nullptr;
            if (name == nullptr) continue;
            if (std::string_view(name) == tzid) return vtimezone;
            if (padded == nullptr && trimmed(name) == wanted) padded = vtimezone;
        }
        return padded;
    }

    // The same among the VTIMEZONEs validation left out of the parsed object (already resolved).
    icaltimezone* find_known_zone(const char* tzid) const {
        if (known_zones_ == nullptr || known_zones_->empty()) return nullptr;
        std::string wanted = trimmed(tzid);
        icaltimezone* padded = nullptr;
        for (const KnownZone& known : *known_zones_) {
            if (known.tzid == tzid) return known.zone;
            if (padded == nullptr && trimmed(known.tzid) == wanted) padded = known.zone;
        }
        return padded;
    }

    icalcomponent* vcalendar_;
    const KnownZones* known_zones_;
    icaltimezone* floating_;
    std::map<std::string, icaltimezone*> zones_;
};

// The DATE or DATE-TIME of a property's value (the start of a PERIOD); null time when none.
icaltimetype value_time(icalproperty* property) {
    icalvalue* value = icalproperty_get_value(property);
    if (value == nullptr) return icaltime_null_time();
    switch (icalvalue_isa(value)) {
        case ICAL_DATE_VALUE: {
            icaltimetype time = icalvalue_get_date(value);
            time.is_date = 1;
            return time;
        }
        case ICAL_DATETIME_VALUE:
            return icalvalue_get_datetime(value);
        case ICAL_DATETIMEPERIOD_VALUE: {
            icaldatetimeperiodtype both = icalvalue_get_datetimeperiod(value);
            return icaltime_is_null_time(both.time) ? both.period.start : both.time;
        }
        case ICAL_PERIOD_VALUE:
            return icalvalue_get_period(value).start;
        default:
            return icaltime_null_time();
    }
}

bool valid_time(const icaltimetype& time) {
    return !icaltime_is_null_time(time) && time.year > 0;
}

// A length as RFC 5545 §3.3.6 has it: nominal days (DST-proof) plus exact seconds.
struct Span {
    int days = 0;
    std::int64_t seconds = 0;
};

Span span_of_duration(const icaldurationtype& duration) {
    Span span;
    span.days = static_cast<int>(duration.weeks * 7 + duration.days);
    span.seconds =
        static_cast<std::int64_t>(duration.hours) * 3600 + std::int64_t{duration.minutes} * 60 + duration.seconds;
    if (duration.is_neg) {
        span.days = -span.days;
        span.seconds = -span.seconds;
    }
    return span;
}

icalproperty* first(icalcomponent* component, icalproperty_kind kind) {
    return icalcomponent_get_first_property(component, kind);
}

// BYMONTHDAY values that no month of BYMONTH has (February 30th, April 31st): the rule adds
// nothing to DTSTART.
bool never_occurs(const icalrecurrencetype& rule) {
    if (rule.by_month_day[0] == ICAL_RECURRENCE_ARRAY_MAX) return false;
    static const int longest[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int m = 0; m < ICAL_BY_MONTH_SIZE; ++m) {
        int month = rule.by_month[0] == ICAL_RECURRENCE_ARRAY_MAX ? 0 : rule.by_month[m];
        if (month == ICAL_RECURRENCE_ARRAY_MAX) break;
        for (int months = month == 0 ? 1 : month; months <= (month == 0 ? 12 : month); ++months) {
            int days = months >= 1 && months <= 12 ? longest[months] : 31;
            for (int d = 0; d < ICAL_BY_MONTHDAY_SIZE && rule.by_month_day[d] != ICAL_RECURRENCE_ARRAY_MAX; ++d)
                if (std::abs(rule.by_month_day[d]) >= 1 && std::abs(rule.by_month_day[d]) <= days) return false;
        }
        if (month == 0) break;
    }
    return true;
}

// One series: a master (or lone override) and everything needed to place its occurrences.
struct Occurrence {
    std::int64_t key;        // the recurrence identifier, UTC seconds (a DATE series: its UTC midnight)
    icaltimetype local;      // its start as wall-clock time in the series' zone
    std::int64_t start_utc;  // its start
};

class Expander {
public:
    Expander(icalcomponent* vcalendar, std::string_view default_timezone, const ExpansionLimits& limits,
             const KnownZones* known_zones)
        : vcalendar_(vcalendar), clock_(vcalendar, default_timezone, known_zones), limits_(limits) {}

    std::vector<detail::SourcedInstance> run(Expansion& flags) {
        // Group the calendar components by type and UID: a master and its overrides.
        // (Collected first: resolving a TZID moves libical's cursor over VCALENDAR's children.)
        std::map<std::pair<int, std::string>, std::vector<icalcomponent*>> groups;
        std::vector<icalcomponent*> children;
        for (icalcomponent* child = icalcomponent_get_first_component(vcalendar_, ICAL_ANY_COMPONENT); child != nullptr;
             child = icalcomponent_get_next_component(vcalendar_, ICAL_ANY_COMPONENT))
            children.push_back(child);
        for (icalcomponent* component : children) {
            icalcomponent_kind kind = icalcomponent_isa(component);
            if (kind != ICAL_VEVENT_COMPONENT && kind != ICAL_VTODO_COMPONENT && kind != ICAL_VJOURNAL_COMPONENT &&
                kind != ICAL_VFREEBUSY_COMPONENT)
                continue;
            const char* uid = icalcomponent_get_uid(component);
            groups[{static_cast<int>(kind), uid != nullptr ? uid : ""}].push_back(component);
        }
        for (auto& [key, components] : groups) expand_group(components);

        std::sort(candidates_.begin(), candidates_.end(),
                  [](const auto& a, const auto& b) { return a.start != b.start ? a.start < b.start : a.end < b.end; });
        std::vector<detail::SourcedInstance> result;
        for (const auto& candidate : candidates_) {
            if (cut_ && candidate.start >= *cut_) break;
            if (candidate.start >= limits_.horizon_end) {
                open_ended_ = true;
                break;
            }
            if (!overlaps_horizon(candidate.start, candidate.end)) continue;
            if (result.size() >= limits_.max_instances) {
                truncated_ = true;
                break;
            }
            result.push_back(candidate);
        }
        flags.open_ended = open_ended_;
        flags.truncated = truncated_ || cut_.has_value();
        return result;
    }

private:
    // The index condition of instances.hpp with the horizon as query range.
    bool overlaps_horizon(std::int64_t start, std::int64_t end) const {
        return start < limits_.horizon_end &&
               (end > limits_.horizon_start || (end == start && start >= limits_.horizon_start));
    }

    void add(std::int64_t start, std::int64_t end, const icalcomponent* source) {
        if (end < start) end = start;
        candidates_.push_back({start, end, source});
    }

    void cut_at(std::int64_t when) {
        if (!cut_ || when < *cut_) cut_ = when;
    }

    std::int64_t end_of(const icaltimetype& start_local, icaltimezone* zone, std::int64_t start_utc,
                        const Span& span) const {
        if (span.days == 0) return saturating_add(start_utc, span.seconds);
        icaltimetype end = start_local;
        icaltime_adjust(&end, span.days, 0, 0, 0);
        return saturating_add(clock_.utc(end, zone), span.seconds);
    }

    // DTEND/DUE minus DTSTART: nominal days between two DATEs, exact seconds otherwise.
    Span span_between(icalproperty* start, icalproperty* end) {
        icaltimetype from = value_time(start), to = value_time(end);
        Span span;
        if (!valid_time(from) || !valid_time(to)) return span;
        if (from.is_date && to.is_date) {
            span.days = static_cast<int>(days_from_civil(to.year, to.month, to.day) -
                                         days_from_civil(from.year, from.month, from.day));
        } else {
            span.seconds = clock_.utc(to, clock_.zone_of(end)) - clock_.utc(from, clock_.zone_of(start));
        }
        if (span.days < 0 || span.seconds < 0) span = Span{};
        return span;
    }

    // The length of each occurrence of a component that has a DTSTART (RFC 4791 §9.9).
    Span span_of(icalcomponent* component, icalproperty* dtstart) {
        icalcomponent_kind kind = icalcomponent_isa(component);
        bool is_date = value_time(dtstart).is_date != 0;
        if (kind == ICAL_VEVENT_COMPONENT || kind == ICAL_VFREEBUSY_COMPONENT) {
            if (icalproperty* dtend = first(component, ICAL_DTEND_PROPERTY)) return span_between(dtstart, dtend);
            if (icalproperty* duration = first(component, ICAL_DURATION_PROPERTY)) {
                Span span = span_of_duration(icalproperty_get_duration(duration));
                return span.days < 0 || span.seconds < 0 ? Span{} : span;
            }
            return is_date ? Span{1, 0} : Span{};
        }
        if (kind == ICAL_VTODO_COMPONENT) {
            if (icalproperty* duration = first(component, ICAL_DURATION_PROPERTY)) {
                Span span = span_of_duration(icalproperty_get_duration(duration));
                return span.days < 0 || span.seconds < 0 ? Span{} : span;
            }
            if (icalproperty* due = first(component, ICAL_DUE_PROPERTY)) return span_between(dtstart, due);
            return Span{};
        }
        // VJOURNAL: a DATE is that day, a DATE-TIME an instant.
        return is_date ? Span{1, 0} : Span{};
    }

    // The recurrence identifier of a time in a series whose DTSTART is `series_start` in `zone`.
    std::int64_t key_of(const icaltimetype& time, icaltimezone* time_zone, const icaltimetype& series_start,
                        icaltimezone* series_zone) const {
        if (series_start.is_date) return days_from_civil(time.year, time.month, time.day) * day_seconds;
        if (time.is_date) {  // a DATE naming a DATE-TIME occurrence: that day at DTSTART's time of day
            icaltimetype at = series_start;
            at.year = time.year;
            at.month = time.month;
            at.day = time.day;
            return clock_.utc(at, series_zone);
        }
        return clock_.utc(time, time_zone);
    }

    // Components without DTSTART, or that do not recur in the RFC 5545 sense (VFREEBUSY).
    void add_without_dtstart(icalcomponent* component) {
        icalcomponent_kind kind = icalcomponent_isa(component);
        if (kind == ICAL_VTODO_COMPONENT) {
            // RFC 4791 §9.9, VTODO rows without DTSTART.
            if (icalproperty* due = first(component, ICAL_DUE_PROPERTY)) {
                icaltimetype time = value_time(due);
                if (!valid_time(time)) return;
                std::int64_t at = clock_.utc(time, clock_.zone_of(due));
                add(at - 1, at, component);  // (start < DUE) AND (end >= DUE)
                return;
            }
            std::optional<std::int64_t> completed, created;
            if (icalproperty* property = first(component, ICAL_COMPLETED_PROPERTY)) {
                icaltimetype time = value_time(property);
                if (valid_time(time)) completed = clock_.utc(time, clock_.zone_of(property));
            }
            if (icalproperty* property = first(component, ICAL_CREATED_PROPERTY)) {
                icaltimetype time = value_time(property);
                if (valid_time(time)) created = clock_.utc(time, clock_.zone_of(property));
            }
            if (completed && created)
                add(std::min(*completed, *created), std::max(*completed, *created), component);
            else if (completed)
                add(*completed, *completed, component);
            else if (created)
                add(*created, all_time_end, component);
            else
                add(all_time_start, all_time_end, component);
            return;
        }
        if (kind == ICAL_VFREEBUSY_COMPONENT) {
            // No DTSTART/DTEND: each FREEBUSY period (RFC 4791 §9.9).
            for (icalproperty* property = icalcomponent_get_first_property(component, ICAL_FREEBUSY_PROPERTY);
                 property != nullptr; property = icalcomponent_get_next_property(component, ICAL_FREEBUSY_PROPERTY)) {
                icalperiodtype period = icalproperty_get_freebusy(property);
                if (!valid_time(period.start)) continue;
                std::int64_t start = clock_.utc(period.start, nullptr);
                std::int64_t end =
                    valid_time(period.end)
                        ? clock_.utc(period.end, nullptr)
                        : saturating_add(start, span_of_duration(period.duration).seconds +
                                                    span_of_duration(period.duration).days * day_seconds);
                add(start, end, component);
            }
        }
        // VJOURNAL without DTSTART: no instance. VEVENT without DTSTART is invalid: none either.
    }

    // One component standing alone (an override, or a master without recurrence): one instance.
    void add_single(icalcomponent* component, const icaltimetype* fallback_start, icaltimezone* fallback_zone) {
        icalproperty* dtstart = first(component, ICAL_DTSTART_PROPERTY);
        icaltimetype start_local = dtstart != nullptr ? value_time(dtstart) : icaltime_null_time();
        icaltimezone* zone = dtstart != nullptr ? clock_.zone_of(dtstart) : nullptr;
        if (!valid_time(start_local)) {
            if (fallback_start == nullptr || icalcomponent_isa(component) == ICAL_VFREEBUSY_COMPONENT) {
                add_without_dtstart(component);
                return;
            }
            start_local = *fallback_start;  // an override without DTSTART keeps its RECURRENCE-ID
            zone = fallback_zone;
        }
        std::int64_t start = clock_.utc(start_local, zone);
        Span span = dtstart != nullptr ? span_of(component, dtstart) : Span{};
        add(start, end_of(start_local, zone, start, span), component);
    }

    void expand_group(const std::vector<icalcomponent*>& components) {
        icalcomponent* master = nullptr;
        std::vector<icalcomponent*> overrides;
        for (icalcomponent* component : components) {
            if (first(component, ICAL_RECURRENCEID_PROPERTY) == nullptr && master == nullptr)
                master = component;
            else
                overrides.push_back(component);
        }
        icalproperty* dtstart = master != nullptr ? first(master, ICAL_DTSTART_PROPERTY) : nullptr;
        icaltimetype series_start = dtstart != nullptr ? value_time(dtstart) : icaltime_null_time();
        icaltimezone* series_zone = dtstart != nullptr ? clock_.zone_of(dtstart) : nullptr;
        bool has_start = master != nullptr && valid_time(series_start);
        bool recurs = has_start && icalcomponent_isa(master) != ICAL_VFREEBUSY_COMPONENT &&
                      (first(master, ICAL_RRULE_PROPERTY) != nullptr || first(master, ICAL_RDATE_PROPERTY) != nullptr);

        // Overrides stand for themselves; they also hide (and with THISANDFUTURE, shift) the
        // master's occurrences they replace.
        std::set<std::int64_t> overridden;
        std::vector<std::pair<std::int64_t, icalcomponent*>> this_and_future;
        for (icalcomponent* component : overrides) {
            icalproperty* rid = first(component, ICAL_RECURRENCEID_PROPERTY);
            icaltimetype rid_time = rid != nullptr ? value_time(rid) : icaltime_null_time();
            icaltimezone* rid_zone = rid != nullptr ? clock_.zone_of(rid) : nullptr;
            add_single(component, valid_time(rid_time) ? &rid_time : nullptr, rid_zone);
            if (!has_start || !valid_time(rid_time)) continue;
            std::int64_t key = key_of(rid_time, rid_zone, series_start, series_zone);
            overridden.insert(key);
            icalparameter* range = icalproperty_get_first_parameter(rid, ICAL_RANGE_PARAMETER);
            if (range != nullptr && icalparameter_get_range(range) == ICAL_RANGE_THISANDFUTURE)
                this_and_future.emplace_back(key, component);
        }
        if (master == nullptr) return;
        if (!recurs) {
            // Some clients write an "override" of a lone event's only occurrence: it replaces it.
            if (!has_start || overridden.count(key_of(series_start, series_zone, series_start, series_zone)) == 0)
                add_single(master, nullptr, nullptr);
            return;
        }

        // THISANDFUTURE: later occurrences move by the override's offset and take its length.
        struct Shift {
            std::int64_t from_key;
            std::int64_t offset;
            Span span;
            icaltimezone* zone;
            const icalcomponent* source;
        };
        std::vector<Shift> shifts;
        std::int64_t margin = 0;
        std::sort(this_and_future.begin(), this_and_future.end(),
                  [](const auto& a, const auto& b) { return a.first < b.first; });
        for (const auto& [key, component] : this_and_future) {
            icalproperty* start = first(component, ICAL_DTSTART_PROPERTY);
            if (start == nullptr || !valid_time(value_time(start))) continue;
            Shift shift{key, clock_.utc(value_time(start), clock_.zone_of(start)) - key, span_of(component, start),
                        series_zone, component};
            margin = std::max(
                margin, std::abs(shift.offset) + std::int64_t{shift.span.days} * 2 * day_seconds + shift.span.seconds);
            shifts.push_back(shift);
        }

        // EXDATE, by identifier (and by day for a DATE excluding a DATE-TIME occurrence).
        std::set<std::int64_t> excluded;
        for (icalproperty* property = icalcomponent_get_first_property(master, ICAL_EXDATE_PROPERTY);
             property != nullptr; property = icalcomponent_get_next_property(master, ICAL_EXDATE_PROPERTY)) {
            icaltimetype time = value_time(property);
            if (valid_time(time)) excluded.insert(key_of(time, clock_.zone_of(property), series_start, series_zone));
        }

        Span span = span_of(master, dtstart);
        std::int64_t longest = std::int64_t{span.days} * 2 * day_seconds + span.seconds + 1;
        std::int64_t window_start = saturating_add(limits_.horizon_start, -(longest + margin));
        std::int64_t window_end = saturating_add(limits_.horizon_end, margin);
        std::size_t wanted = limits_.max_instances + excluded.size() + overridden.size() + 1;

        std::vector<Occurrence> occurrences;
        std::int64_t first_utc = clock_.utc(series_start, series_zone);
        occurrences.push_back({key_of(series_start, series_zone, series_start, series_zone), series_start, first_utc});

        for (icalproperty* property = icalcomponent_get_first_property(master, ICAL_RRULE_PROPERTY);
             property != nullptr; property = icalcomponent_get_next_property(master, ICAL_RRULE_PROPERTY)) {
            expand_rule(icalproperty_get_rrule(property), series_start, series_zone, first_utc, window_start,
                        window_end, wanted, occurrences);
        }
        // RDATE: dates, date-times (each with its own TZID) and periods.
        std::map<std::int64_t, std::int64_t> period_ends;  // key → end, for RDATE periods
        for (icalproperty* property = icalcomponent_get_first_property(master, ICAL_RDATE_PROPERTY);
             property != nullptr; property = icalcomponent_get_next_property(master, ICAL_RDATE_PROPERTY)) {
            icaldatetimeperiodtype value = icalproperty_get_rdate(property);
            icaltimezone* zone = clock_.zone_of(property);
            icaltimetype time = icaltime_is_null_time(value.time) ? value.period.start : value.time;
            if (!valid_time(time)) continue;
            std::int64_t start = clock_.utc(time, zone);
            std::int64_t key = key_of(time, zone, series_start, series_zone);
            if (icaltime_is_null_time(value.time)) {
                if (valid_time(value.period.end))
                    period_ends[key] = clock_.utc(value.period.end, zone);
                else
                    period_ends[key] = end_of(time, zone, start, span_of_duration(value.period.duration));
            }
            occurrences.push_back({key, time, start});
        }

        std::set<std::int64_t> seen;
        for (const Occurrence& occurrence : occurrences) {
            if (!seen.insert(occurrence.key).second) continue;
            if (excluded.count(occurrence.key) != 0 || overridden.count(occurrence.key) != 0) continue;
            const Shift* shift = nullptr;
            for (const Shift& candidate : shifts)
                if (candidate.from_key < occurrence.key) shift = &candidate;
            auto period = period_ends.find(occurrence.key);
            if (shift != nullptr) {
                std::int64_t start = occurrence.start_utc + shift->offset;
                add(start, end_of(occurrence.local, series_zone, occurrence.start_utc, shift->span) + shift->offset,
                    shift->source);
            } else if (period != period_ends.end()) {
                add(occurrence.start_utc, period->second, master);
            } else {
                add(occurrence.start_utc, end_of(occurrence.local, series_zone, occurrence.start_utc, span), master);
            }
        }
    }

    // Units of the rule's frequency, to bound the work libical does between two occurrences.
    static std::int64_t unit_seconds(icalrecurrencetype_frequency frequency) {
        switch (frequency) {
            case ICAL_SECONDLY_RECURRENCE:
                return 1;
            case ICAL_MINUTELY_RECURRENCE:
                return 60;
            case ICAL_HOURLY_RECURRENCE:
                return 3600;
            case ICAL_DAILY_RECURRENCE:
                return day_seconds;
            case ICAL_WEEKLY_RECURRENCE:
                return 7 * day_seconds;
            case ICAL_MONTHLY_RECURRENCE:
                return 28 * day_seconds;
            default:
                return 365 * day_seconds;
        }
    }

    void expand_rule(const icalrecurrencetype& rule, icaltimetype series_start, icaltimezone* series_zone,
                     std::int64_t first_utc, std::int64_t window_start, std::int64_t window_end, std::size_t wanted,
                     std::vector<Occurrence>& occurrences) {
        if (rule.freq == ICAL_NO_RECURRENCE) return;
        if (never_occurs(rule)) return;  // libical would scan up to the year 2582 to find out
        if (detail::recurrence_too_costly(rule)) {
            cut_at(saturating_add(first_utc, 1));  // not iterated: nothing is known after DTSTART
            return;
        }
        icaltimetype start = series_start;
        if (series_zone != nullptr && !start.is_date) start = icaltime_set_timezone(&start, series_zone);
        // Rules that step by days or months by arithmetic, the others with libical's iterator.
        std::optional<SimpleRecurrence> simple = SimpleRecurrence::of(rule, start);
        IteratorPtr iterator;
        if (!simple) {
            iterator.reset(icalrecur_iterator_new(rule, start));
            note_thread_temporaries();
            if (!iterator) return;  // a rule that never occurs (libical checks e.g. February 30th)
        }
        auto next_occurrence = [&] { return simple ? simple->next() : icalrecur_iterator_next(iterator.get()); };
        // Skip ahead to the window when the rule allows it (libical refuses with COUNT).
        std::int64_t previous = first_utc, units = 0;
        // Skip to a little before the window (enough for a DST change; more for daily and longer rules).
        std::int64_t skip_to =
            window_start - (unit_seconds(rule.freq) >= day_seconds ? 2 * day_seconds : std::int64_t{2} * 3600);
        // libical misaligns a sub-daily INTERVAL when skipping (wall-clock vs elapsed hours): iterate those.
        bool alignable = rule.interval <= 1 || unit_seconds(rule.freq) >= day_seconds;
        if (rule.count == 0 && alignable && skip_to > first_utc + 2 * day_seconds &&
            skip_to < std::int64_t{253402300799}) {
            icaltimetype at = clock_.local(skip_to, series_zone, start.is_date != 0);
            if (series_zone != nullptr && !at.is_date) at = icaltime_set_timezone(&at, series_zone);
            if (simple ? simple->set_start(at) : icalrecur_iterator_set_start(iterator.get(), at) != 0)
                previous = skip_to;
        }
        const std::int64_t unit = unit_seconds(rule.freq) * std::max<std::int64_t>(rule.interval, 1);
        std::size_t in_window = 0;
        for (;;) {
            icaltimetype next = next_occurrence();
            if (icaltime_is_null_time(next)) return;  // the rule has ended
            std::int64_t utc = clock_.utc(next, next.is_date ? nullptr : series_zone);
            units += std::max<std::int64_t>((utc - previous) / unit, 1);  // libical steps by unit × INTERVAL
            previous = utc;
            if (utc >= window_end) {
                open_ended_ = true;
                return;
            }
            if (utc >= window_start && ++in_window > wanted) {
                cut_at(utc);
                return;
            }
            if (units > max_frequency_units) {
                cut_at(utc);
                return;
            }
            if (next.is_date == 0 && series_start.is_date == 0) {
                next.zone = series_zone;
            }
            occurrences.push_back({key_of(next, series_zone, series_start, series_zone), next, utc});
        }
    }

    icalcomponent* vcalendar_;
    Clock clock_;
    ExpansionLimits limits_;
    std::vector<detail::SourcedInstance> candidates_;
    std::optional<std::int64_t> cut_;
    bool open_ended_ = false;
    bool truncated_ = false;
};

}  // namespace

namespace detail {

bool recurrence_too_costly(const icalrecurrencetype& rule) {
    auto has = [](const short* values) { return values[0] != ICAL_RECURRENCE_ARRAY_MAX; };
    bool day_level = has(rule.by_month) || has(rule.by_month_day) || has(rule.by_year_day) || has(rule.by_week_no);
    switch (rule.freq) {
        case ICAL_SECONDLY_RECURRENCE:
            return day_level || has(rule.by_day);
        case ICAL_MINUTELY_RECURRENCE:
        case ICAL_HOURLY_RECURRENCE:
            return day_level;
        default:
            return false;
    }
}

std::vector<SourcedInstance> expand_calendar(icalcomponent_impl* vcalendar, std::string_view default_timezone,
                                             const ExpansionLimits& limits, Expansion& flags,
                                             const KnownZones* known_zones) {
    flags = Expansion{};
    if (vcalendar == nullptr || limits.max_instances == 0) return {};
    Expander expander(vcalendar, default_timezone, limits, known_zones);
    return expander.run(flags);
}

bool property_time(icalcomponent_impl* vcalendar, icalproperty_impl* property, std::string_view default_timezone,
                   std::int64_t& utc, bool& is_date, const KnownZones* known_zones) {
    icaltimetype time = value_time(property);
    if (!valid_time(time)) return false;
    Clock clock(vcalendar, default_timezone, known_zones);
    utc = clock.utc(time, clock.zone_of(property));
    is_date = time.is_date != 0;
    return true;
}

}  // namespace detail

namespace {

Expansion expand_parsed(icalcomponent* root, std::string_view default_timezone, const ExpansionLimits& limits,
                        const KnownZones* known_zones) {
    Expansion expansion;
    if (root == nullptr || icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT) return expansion;
    for (const detail::SourcedInstance& instance :
         detail::expand_calendar(root, default_timezone, limits, expansion, known_zones))
        expansion.instances.push_back({instance.start, instance.end});
    return expansion;
}

}  // namespace

Expansion expand(std::string_view bytes, std::string_view default_timezone, const ExpansionLimits& limits) {
    ComponentPtr root = parse_ical(bytes);
    if (!root) return {};
    return expand_parsed(root.get(), default_timezone, limits, nullptr);
}

Expansion expand(const CalendarObject& object, std::string_view default_timezone, const ExpansionLimits& limits) {
    return expand_parsed(object.parsed.get(), default_timezone, limits, &object.known_zones);
}

std::optional<std::int64_t> indexed_until(const Expansion& expansion, const ExpansionLimits& limits) {
    if (expansion.truncated)
        return expansion.instances.empty() ? limits.horizon_start : expansion.instances.back().start;
    if (expansion.open_ended) return limits.horizon_end;
    return std::nullopt;
}

}  // namespace caldav::ical
