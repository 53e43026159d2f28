// RFC 4791 §9.7 (comp-filter, prop-filter, param-filter, text-match) evaluated on one parsed
// calendar object; time ranges by RFC 4791 §9.9 through the same expansion as the index.
#include "query/calendar_filter.hpp"

#include "ical/instances.hpp"
#include "ical/component_ptr.hpp"
#include "ical/parse.hpp"
#include "ical/content_lines.hpp"

#include <libical/ical.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <memory>
#include <utility>

namespace caldav::query {

using ical::ComponentPtr;
using ical::equal_ascii_nocase;

namespace {

using ical::detail::SourcedInstance;

// Enough occurrences inside one query range for any real calendar; the expansion stays bounded.
constexpr std::size_t max_query_instances = 100000;

// RFC 4791 §9.7.5: a substring test under the collation (lib/query/collation), then negate-condition.
bool text_matches(std::string_view value, const TextMatch& match) {
    return query::text_matches(value, match.text, match.collation, MatchType::contains, match.negate);
}

// ---- evaluation ---------------------------------------------------------------------------------

std::string component_name(icalcomponent* component) {
    icalcomponent_kind kind = icalcomponent_isa(component);
    if (kind == ICAL_X_COMPONENT || kind == ICAL_NO_COMPONENT) return {};  // libical keeps no name
    const char* name = icalcomponent_kind_to_string(kind);
    return name != nullptr ? name : "";
}

std::string property_name(icalproperty* property) {
    const char* name = icalproperty_get_property_name(property);
    return name != nullptr ? name : "";
}

// A property's value as text: TEXT values unescaped, others as written.
std::string property_text(icalproperty* property) {
    icalvalue* value = icalproperty_get_value(property);
    if (value == nullptr) return {};
    if (icalvalue_isa(value) == ICAL_TEXT_VALUE) {
        const char* text = icalvalue_get_text(value);
        return text != nullptr ? text : "";
    }
    if (icalvalue_isa(value) == ICAL_X_VALUE) {
        const char* text = icalvalue_get_x(value);
        return text != nullptr ? text : "";
    }
    const char* text = icalvalue_as_ical_string(value);
    return text != nullptr ? text : "";
}

std::string parameter_name(icalparameter* parameter) {
    if (icalparameter_isa(parameter) == ICAL_X_PARAMETER || icalparameter_isa(parameter) == ICAL_IANA_PARAMETER) {
        const char* name = icalparameter_get_xname(parameter);
        return name != nullptr ? name : "";
    }
    const char* name = icalparameter_kind_to_string(icalparameter_isa(parameter));
    return name != nullptr ? name : "";
}

std::string parameter_value(icalparameter* parameter) {
    const char* text = icalparameter_as_ical_string(parameter);  // NAME=value or NAME="value"
    if (text == nullptr) return {};
    std::string_view whole(text);
    std::size_t equals = whole.find('=');
    std::string_view value = equals == std::string_view::npos ? std::string_view() : whole.substr(equals + 1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    return std::string(value);
}

// libical keeps one iteration cursor per parent, which any nested lookup (a VTIMEZONE, a TZID)
// moves: collect children first, then evaluate.
std::vector<icalcomponent*> children_of(icalcomponent* parent) {
    std::vector<icalcomponent*> children;
    for (icalcomponent* child = icalcomponent_get_first_component(parent, ICAL_ANY_COMPONENT); child != nullptr;
         child = icalcomponent_get_next_component(parent, ICAL_ANY_COMPONENT))
        children.push_back(child);
    return children;
}

std::vector<icalproperty*> properties_of(icalcomponent* component) {
    std::vector<icalproperty*> properties;
    for (icalproperty* property = icalcomponent_get_first_property(component, ICAL_ANY_PROPERTY); property != nullptr;
         property = icalcomponent_get_next_property(component, ICAL_ANY_PROPERTY))
        properties.push_back(property);
    return properties;
}

std::vector<icalparameter*> parameters_of(icalproperty* property) {
    std::vector<icalparameter*> parameters;
    for (icalparameter* parameter = icalproperty_get_first_parameter(property, ICAL_ANY_PARAMETER);
         parameter != nullptr; parameter = icalproperty_get_next_parameter(property, ICAL_ANY_PARAMETER))
        parameters.push_back(parameter);
    return parameters;
}

struct Range {
    std::int64_t from;
    std::int64_t to;
};

Range range_of(const TimeRange& range) {
    return {range.start.value_or(ical::all_time_start), range.end.value_or(ical::all_time_end)};
}

// The index condition of instances.hpp.
bool overlaps(std::int64_t start, std::int64_t end, const Range& range) {
    return start < range.to && (end > range.from || (end == start && start >= range.from));
}

class Evaluator {
public:
    Evaluator(icalcomponent* vcalendar, std::string_view default_timezone)
        : vcalendar_(vcalendar), timezone_(default_timezone) {}

    bool calendar_matches(const CompFilter& filter) {
        if (!equal_ascii_nocase(filter.name, "VCALENDAR") || filter.is_not_defined) return false;
        return component_matches(vcalendar_, filter);
    }

private:
    const std::vector<SourcedInstance>& instances(std::int64_t from, std::int64_t to) {
        auto found = expansions_.find({from, to});
        if (found != expansions_.end()) return found->second;
        ical::Expansion flags;
        ical::ExpansionLimits limits{from, to, max_query_instances};
        return expansions_[{from, to}] = ical::detail::expand_calendar(vcalendar_, timezone_, limits, flags);
    }

    bool component_matches(icalcomponent* component, const CompFilter& filter) {
        if (filter.time_range && !in_time_range(component, range_of(*filter.time_range))) return false;
        for (const PropFilter& prop_filter : filter.prop_filters)
            if (!prop_filter_matches(component, prop_filter)) return false;
        for (const CompFilter& comp_filter : filter.comp_filters)
            if (!comp_filter_matches(component, comp_filter)) return false;
        return true;
    }

    // RFC 4791 §9.7.1: some child of that name passes, or (is-not-defined) none exists.
    bool comp_filter_matches(icalcomponent* parent, const CompFilter& filter) {
        bool any = false;
        for (icalcomponent* child : children_of(parent)) {
            if (!equal_ascii_nocase(component_name(child), filter.name)) continue;
            if (filter.is_not_defined) return false;
            any = true;
            if (component_matches(child, filter)) return true;
        }
        return filter.is_not_defined && !any;
    }

    // RFC 4791 §9.9 for one component.
    bool in_time_range(icalcomponent* component, const Range& range) {
        switch (icalcomponent_isa(component)) {
            case ICAL_VCALENDAR_COMPONENT:
                return !instances(range.from, range.to).empty();
            case ICAL_VEVENT_COMPONENT:
            case ICAL_VTODO_COMPONENT:
            case ICAL_VJOURNAL_COMPONENT:
            case ICAL_VFREEBUSY_COMPONENT:
                for (const SourcedInstance& instance : instances(range.from, range.to))
                    if (instance.source == component && overlaps(instance.start, instance.end, range)) return true;
                return false;
            case ICAL_VALARM_COMPONENT:
                return alarm_in_range(component, range);
            default:
                return false;
        }
    }

    // RFC 4791 §9.9 VALARM: (start <= trigger-time) AND (end > trigger-time), for every trigger
    // of every occurrence of the parent, REPEAT included (RFC 5545 §3.8.6.3).
    bool alarm_in_range(icalcomponent* alarm, const Range& range) {
        icalproperty* trigger_property = icalcomponent_get_first_property(alarm, ICAL_TRIGGER_PROPERTY);
        if (trigger_property == nullptr) return false;
        icaltriggertype trigger = icalproperty_get_trigger(trigger_property);
        int repeat = 0;
        std::int64_t every = 0;
        if (icalproperty* property = icalcomponent_get_first_property(alarm, ICAL_REPEAT_PROPERTY))
            repeat = std::clamp(icalproperty_get_repeat(property), 0, 1000);
        if (icalproperty* property = icalcomponent_get_first_property(alarm, ICAL_DURATION_PROPERTY))
            every = icaldurationtype_as_int(icalproperty_get_duration(property));
        if (every == 0) repeat = 0;
        auto any_repeat_in_range = [&](std::int64_t first) {
            for (int k = 0; k <= repeat; ++k) {
                std::int64_t at = first + k * every;
                if (range.from <= at && at < range.to) return true;
            }
            return false;
        };
        if (!icaltime_is_null_time(trigger.time)) {  // absolute, UTC
            icaltimetype time = trigger.time;
            return any_repeat_in_range(
                static_cast<std::int64_t>(icaltime_as_timet_with_zone(time, icaltimezone_get_utc_timezone())));
        }
        std::int64_t offset = icaldurationtype_as_int(trigger.duration);
        icalparameter* related = icalproperty_get_first_parameter(trigger_property, ICAL_RELATED_PARAMETER);
        bool from_end = related != nullptr && icalparameter_get_related(related) == ICAL_RELATED_END;
        icalcomponent* parent = icalcomponent_get_parent(alarm);
        if (parent == nullptr) return false;
        // The parent's occurrences whose triggers can fall in the range.
        std::int64_t margin = std::abs(offset) + static_cast<std::int64_t>(repeat) * std::abs(every) + 1;
        std::int64_t from = range.from <= ical::all_time_start + margin ? ical::all_time_start : range.from - margin;
        std::int64_t to = range.to >= ical::all_time_end - margin ? ical::all_time_end : range.to + margin;
        for (const SourcedInstance& instance : instances(from, to)) {
            if (instance.source != parent) continue;
            if (instance.start <= ical::all_time_start || instance.end >= ical::all_time_end) continue;
            if (any_repeat_in_range((from_end ? instance.end : instance.start) + offset)) return true;
        }
        return false;
    }

    // RFC 4791 §9.7.2: some property of that name passes, or (is-not-defined) none exists.
    bool prop_filter_matches(icalcomponent* component, const PropFilter& filter) {
        bool any = false;
        for (icalproperty* property : properties_of(component)) {
            if (!equal_ascii_nocase(property_name(property), filter.name)) continue;
            if (filter.is_not_defined) return false;
            any = true;
            if (property_matches(property, filter)) return true;
        }
        return filter.is_not_defined && !any;
    }

    bool property_matches(icalproperty* property, const PropFilter& filter) {
        if (filter.time_range) {
            // RFC 4791 §9.9, last row: (start <= DATE-TIME) AND (end > DATE-TIME); a DATE is its day.
            std::int64_t at = 0;
            bool is_date = false;
            if (!ical::detail::property_time(vcalendar_, property, timezone_, at, is_date)) return false;
            Range range = range_of(*filter.time_range);
            if (is_date ? !(at < range.to && at + 86400 > range.from) : !(range.from <= at && at < range.to))
                return false;
        }
        if (filter.text_match && !text_matches(property_text(property), *filter.text_match)) return false;
        for (const ParamFilter& param_filter : filter.param_filters)
            if (!param_filter_matches(property, param_filter)) return false;
        return true;
    }

    // RFC 4791 §9.7.3.
    bool param_filter_matches(icalproperty* property, const ParamFilter& filter) {
        bool any = false;
        for (icalparameter* parameter : parameters_of(property)) {
            if (!equal_ascii_nocase(parameter_name(parameter), filter.name)) continue;
            if (filter.is_not_defined) return false;
            any = true;
            if (!filter.text_match || text_matches(parameter_value(parameter), *filter.text_match)) return true;
        }
        return filter.is_not_defined && !any;
    }

    icalcomponent* vcalendar_;
    std::string timezone_;
    std::map<std::pair<std::int64_t, std::int64_t>, std::vector<SourcedInstance>> expansions_;
};

}  // namespace

bool matches(std::string_view bytes, const CompFilter& filter, std::string_view default_timezone) {
    ComponentPtr root = ical::parse_ical(bytes);
    if (!root || icalcomponent_isa(root.get()) != ICAL_VCALENDAR_COMPONENT) return false;
    Evaluator evaluator(root.get(), default_timezone);
    return evaluator.calendar_matches(filter);
}

std::optional<TimeRange> index_range(const CompFilter& filter) {
    if (!equal_ascii_nocase(filter.name, "VCALENDAR") || filter.is_not_defined) return std::nullopt;
    for (const CompFilter& child : filter.comp_filters) {
        if (child.is_not_defined || !child.time_range) continue;
        if (equal_ascii_nocase(child.name, "VEVENT") || equal_ascii_nocase(child.name, "VTODO") ||
            equal_ascii_nocase(child.name, "VJOURNAL"))
            return child.time_range;
    }
    return std::nullopt;
}

std::optional<std::string> time_range_component(const CompFilter& filter) {
    if (!equal_ascii_nocase(filter.name, "VCALENDAR") || filter.is_not_defined || filter.time_range ||
        !filter.prop_filters.empty() || filter.comp_filters.size() != 1)
        return std::nullopt;
    const CompFilter& child = filter.comp_filters.front();
    if (child.is_not_defined || !child.time_range || !child.prop_filters.empty() || !child.comp_filters.empty())
        return std::nullopt;
    for (const char* indexed : {"VEVENT", "VTODO", "VJOURNAL"})
        if (equal_ascii_nocase(child.name, indexed)) return std::string(indexed);
    return std::nullopt;
}

}  // namespace caldav::query
