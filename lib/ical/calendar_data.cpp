// calendar-data expand (RFC 4791 §9.6.5) on libical's tree, driven by the same expansion as the index.
#include "ical/calendar_data.hpp"

#include <libical/ical.h>

#include <cstdio>
#include <ctime>
#include <memory>

#include "ical/instances.hpp"
#include "ical/component_ptr.hpp"
#include "ical/parse.hpp"
#include "ical/content_lines.hpp"

namespace caldav::ical {

namespace {

constexpr std::size_t max_expanded = 10000;

void remove_all(icalcomponent* component, icalproperty_kind kind) {
    while (icalproperty* property = icalcomponent_get_first_property(component, kind)) {
        icalcomponent_remove_property(component, property);
        icalproperty_free(property);
    }
}

icaltimetype utc_time(std::int64_t seconds, bool is_date) {
    return icaltime_from_timet_with_zone(static_cast<time_t>(seconds), is_date ? 1 : 0,
                                         icaltimezone_get_utc_timezone());
}

void set_time(icalcomponent* component, icalproperty_kind kind, std::int64_t seconds, bool is_date) {
    remove_all(component, kind);
    icalproperty* property = icalproperty_new(kind);
    icaltimetype time = utc_time(seconds, is_date);
    icalproperty_set_value(property, is_date ? icalvalue_new_date(time) : icalvalue_new_datetime(time));
    icalcomponent_add_property(component, property);
}

bool recurs(icalcomponent* component) {
    return icalcomponent_get_first_property(component, ICAL_RRULE_PROPERTY) != nullptr ||
           icalcomponent_get_first_property(component, ICAL_RDATE_PROPERTY) != nullptr;
}

bool is_date_valued(icalcomponent* component) {
    icalproperty* start = icalcomponent_get_first_property(component, ICAL_DTSTART_PROPERTY);
    return start != nullptr && icaltime_is_date(icalproperty_get_dtstart(start));
}

// One occurrence of `source` as a stand-alone component in UTC.
icalcomponent* instance_of(icalcomponent* vcalendar, const detail::SourcedInstance& instance, std::string_view timezone,
                           bool series) {
    auto* source = const_cast<icalcomponent*>(reinterpret_cast<const icalcomponent*>(instance.source));
    icalcomponent* copy = icalcomponent_new_clone(source);
    bool is_date = is_date_valued(source);
    for (icalproperty_kind kind :
         {ICAL_RRULE_PROPERTY, ICAL_RDATE_PROPERTY, ICAL_EXDATE_PROPERTY, ICAL_EXRULE_PROPERTY})
        remove_all(copy, kind);
    bool has_end = icalcomponent_get_first_property(source, ICAL_DTEND_PROPERTY) != nullptr;
    bool has_due = icalcomponent_get_first_property(source, ICAL_DUE_PROPERTY) != nullptr;
    if (icalcomponent_get_first_property(source, ICAL_DTSTART_PROPERTY) != nullptr)
        set_time(copy, ICAL_DTSTART_PROPERTY, instance.start, is_date);
    if (has_end) set_time(copy, ICAL_DTEND_PROPERTY, instance.end, is_date);
    if (has_due && !icalcomponent_get_first_property(source, ICAL_DTSTART_PROPERTY))
        set_time(copy, ICAL_DUE_PROPERTY, instance.end, is_date);
    if (!series) return copy;
    // The occurrence's original start: an override's own RECURRENCE-ID, else the instance start.
    std::int64_t original = instance.start;
    bool original_is_date = is_date;
    if (icalproperty* id = icalcomponent_get_first_property(source, ICAL_RECURRENCEID_PROPERTY))
        detail::property_time(reinterpret_cast<icalcomponent_impl*>(vcalendar),
                              reinterpret_cast<icalproperty_impl*>(id), timezone, original, original_is_date);
    set_time(copy, ICAL_RECURRENCEID_PROPERTY, original, original_is_date);
    return copy;
}

}  // namespace

namespace {

std::int64_t time_of(icalcomponent* vcalendar, icalcomponent* component, icalproperty_kind kind,
                     std::string_view timezone, std::int64_t fallback) {
    icalproperty* property = icalcomponent_get_first_property(component, kind);
    std::int64_t utc = fallback;
    bool is_date = false;
    if (property == nullptr ||
        !detail::property_time(reinterpret_cast<icalcomponent_impl*>(vcalendar),
                               reinterpret_cast<icalproperty_impl*>(property), timezone, utc, is_date))
        return fallback;
    return utc;
}

// Whether an override touches [start, end): where it now is, or where it was scheduled.
bool override_in_range(icalcomponent* vcalendar, icalcomponent* component, std::int64_t start, std::int64_t end,
                       std::string_view timezone) {
    std::int64_t original = time_of(vcalendar, component, ICAL_RECURRENCEID_PROPERTY, timezone, start);
    std::int64_t begins = time_of(vcalendar, component, ICAL_DTSTART_PROPERTY, timezone, original);
    std::int64_t ends = time_of(vcalendar, component, ICAL_DTEND_PROPERTY, timezone, begins);
    ends = time_of(vcalendar, component, ICAL_DUE_PROPERTY, timezone, ends);
    bool moved_in = begins < end && (ends > start || (ends <= begins && begins >= start));
    return moved_in || (original >= start && original < end);
}

}  // namespace

std::string limit_recurrence_set(std::string_view bytes, std::int64_t start, std::int64_t end,
                                 std::string_view default_timezone) {
    ComponentPtr vcalendar = parse_ical(bytes);
    if (!vcalendar || icalcomponent_isa(vcalendar.get()) != ICAL_VCALENDAR_COMPONENT) return std::string(bytes);
    // Positions (among the VCALENDAR's components, as libical keeps their order) to leave out.
    std::vector<bool> drop;
    for (icalcomponent* scan = icalcomponent_get_first_component(vcalendar.get(), ICAL_ANY_COMPONENT); scan;
         scan = icalcomponent_get_next_component(vcalendar.get(), ICAL_ANY_COMPONENT)) {
        bool is_override = icalcomponent_get_first_property(scan, ICAL_RECURRENCEID_PROPERTY) != nullptr;
        drop.push_back(is_override && !override_in_range(vcalendar.get(), scan, start, end, default_timezone));
    }
    std::string out;
    std::size_t position = 0, at = 0;
    int depth = 0;
    bool dropping = false;
    while (at < bytes.size()) {
        std::size_t next = bytes.find('\n', at);
        next = next == std::string_view::npos ? bytes.size() : next + 1;
        std::string_view line = bytes.substr(at, next - at);
        at = next;
        bool begins = starts_with_insensitive(line, "BEGIN:");
        bool ends = starts_with_insensitive(line, "END:");
        if (begins && ++depth == 2) dropping = position < drop.size() && drop[position];
        if (!dropping) out += line;
        if (ends && depth-- == 2) {
            ++position;
            dropping = false;
        }
    }
    return out;
}

namespace {

// Whether one FREEBUSY value (comma-separated UTC periods, start/end or start/duration) overlaps.
bool periods_overlap(std::string_view value, std::int64_t start, std::int64_t end) {
    std::size_t at = 0;
    while (at <= value.size()) {
        std::size_t comma = value.find(',', at);
        std::string_view period =
            value.substr(at, comma == std::string_view::npos ? std::string_view::npos : comma - at);
        at = comma == std::string_view::npos ? value.size() + 1 : comma + 1;
        std::size_t slash = period.find('/');
        if (slash == std::string_view::npos) continue;
        std::optional<std::int64_t> from = parse_utc_time(period.substr(0, slash));
        std::string_view second = period.substr(slash + 1);
        std::optional<std::int64_t> to = parse_utc_time(second);
        if (from && !to) {
            icaldurationtype duration = icaldurationtype_from_string(std::string(second).c_str());
            if (!icaldurationtype_is_bad_duration(duration)) to = *from + icaldurationtype_as_int(duration);
        }
        // A period we cannot read is kept rather than silently dropped.
        if (!from || !to || (*from<end&& * to> start)) return true;
    }
    return false;
}

}  // namespace

std::string limit_freebusy_set(std::string_view bytes, std::int64_t start, std::int64_t end) {
    std::string out;
    std::size_t at = 0;
    bool in_freebusy = false, keeping = true;
    while (at < bytes.size()) {
        std::size_t next = bytes.find('\n', at);
        next = next == std::string_view::npos ? bytes.size() : next + 1;
        std::string_view line = bytes.substr(at, next - at);
        at = next;
        bool continuation = !line.empty() && (line[0] == ' ' || line[0] == '\t');
        if (!continuation) {
            if (starts_with_insensitive(line, "BEGIN:VFREEBUSY")) in_freebusy = true;
            if (starts_with_insensitive(line, "END:VFREEBUSY")) in_freebusy = false;
            keeping = true;
            if (in_freebusy && starts_with_insensitive(line, "FREEBUSY") && line.size() > 8 &&
                (line[8] == ':' || line[8] == ';')) {
                // The value follows the first colon outside a quoted parameter value.
                std::size_t colon = std::string_view::npos;
                bool quoted = false;
                for (std::size_t i = 8; i < line.size() && colon == std::string_view::npos; ++i) {
                    if (line[i] == '"') quoted = !quoted;
                    if (line[i] == ':' && !quoted) colon = i;
                }
                std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
                while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.remove_suffix(1);
                keeping = periods_overlap(value, start, end);
            }
        }
        if (keeping) out += line;
    }
    return out;
}

std::optional<std::int64_t> parse_utc_time(std::string_view text) {
    if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
    // YYYYMMDDTHHMMSSZ: every other position a digit.
    auto number = [&](std::size_t at, std::size_t digits) {
        int value = 0;
        for (std::size_t i = at; i < at + digits; ++i) {
            if (text[i] < '0' || text[i] > '9') return -1;
            value = value * 10 + (text[i] - '0');
        }
        return value;
    };
    std::tm parts{};
    parts.tm_year = number(0, 4);
    parts.tm_mon = number(4, 2);
    parts.tm_mday = number(6, 2);
    parts.tm_hour = number(9, 2);
    parts.tm_min = number(11, 2);
    parts.tm_sec = number(13, 2);
    if (parts.tm_year < 0 || parts.tm_hour < 0 || parts.tm_min < 0 || parts.tm_sec < 0) return std::nullopt;
    if (parts.tm_mon < 1 || parts.tm_mon > 12 || parts.tm_mday < 1 || parts.tm_mday > 31 || parts.tm_hour > 23 ||
        parts.tm_min > 59 || parts.tm_sec > 60)
        return std::nullopt;
    parts.tm_year -= 1900;
    parts.tm_mon -= 1;
    return static_cast<std::int64_t>(timegm(&parts));
}

std::string expand_object(std::string_view bytes, std::int64_t start, std::int64_t end,
                          std::string_view default_timezone) {
    ComponentPtr vcalendar = parse_ical(bytes);
    if (!vcalendar || icalcomponent_isa(vcalendar.get()) != ICAL_VCALENDAR_COMPONENT) return std::string(bytes);
    Expansion flags;
    std::vector<detail::SourcedInstance> instances = detail::expand_calendar(
        reinterpret_cast<icalcomponent_impl*>(vcalendar.get()), default_timezone, {start, end, max_expanded}, flags);
    bool series = false;
    for (icalcomponent* scan = icalcomponent_get_first_component(vcalendar.get(), ICAL_ANY_COMPONENT); scan;
         scan = icalcomponent_get_next_component(vcalendar.get(), ICAL_ANY_COMPONENT))
        series =
            series || recurs(scan) || icalcomponent_get_first_property(scan, ICAL_RECURRENCEID_PROPERTY) != nullptr;

    ComponentPtr result(icalcomponent_new(ICAL_VCALENDAR_COMPONENT));
    for (icalproperty* property = icalcomponent_get_first_property(vcalendar.get(), ICAL_ANY_PROPERTY); property;
         property = icalcomponent_get_next_property(vcalendar.get(), ICAL_ANY_PROPERTY))
        icalcomponent_add_property(result.get(), icalproperty_new_clone(property));
    for (const detail::SourcedInstance& instance : instances)
        icalcomponent_add_component(result.get(), instance_of(vcalendar.get(), instance, default_timezone, series));
    char* rendered = icalcomponent_as_ical_string_r(result.get());
    std::string out = rendered != nullptr ? rendered : "";
    free(rendered);
    return out;
}

}  // namespace caldav::ical

namespace caldav::ical {

namespace {

std::string upper_name(std::string_view line) {
    std::string name;
    for (char c : line) {
        if (c == ':' || c == ';' || c == '\r' || c == '\n') break;
        name += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    }
    return name;
}

const ComponentSelection* child_selection(const ComponentSelection* parent, const std::string& name) {
    static const ComponentSelection everything{};
    if (parent == nullptr) return nullptr;
    if (parent->all_components) return &everything;
    for (const ComponentSelection& child : parent->components)
        if (child.name == name) return &child;
    return nullptr;
}

bool property_selected(const ComponentSelection* selection, const std::string& name) {
    if (selection == nullptr) return false;
    if (selection->all_properties) return true;
    for (const std::string& wanted : selection->properties)
        if (wanted == name) return true;
    return false;
}

}  // namespace

std::string select_parts(std::string_view bytes, const ComponentSelection& selection) {
    std::string out;
    // One entry per open component: its selection, or nullptr when it (or an ancestor) is left out.
    std::vector<const ComponentSelection*> open;
    std::size_t start = 0;
    bool keeping_line = false;  // whether the current content line (and its continuations) is kept
    while (start < bytes.size()) {
        std::size_t end = bytes.find('\n', start);
        end = end == std::string_view::npos ? bytes.size() : end + 1;
        std::string_view line = bytes.substr(start, end - start);
        start = end;
        if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
            if (keeping_line) out += line;
            continue;
        }
        std::string name = upper_name(line);
        if (name == "BEGIN") {
            std::string component = upper_name(line.substr(6));
            const ComponentSelection* current = open.empty() ? (component == selection.name ? &selection : nullptr)
                                                             : child_selection(open.back(), component);
            open.push_back(current);
            keeping_line = current != nullptr;
        } else if (name == "END") {
            keeping_line = !open.empty() && open.back() != nullptr;
            if (!open.empty()) open.pop_back();
        } else {
            keeping_line = !open.empty() && property_selected(open.back(), name);
        }
        if (keeping_line) out += line;
    }
    return out;
}

}  // namespace caldav::ical
