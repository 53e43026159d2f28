// RFC 4791 §4.1 and §5.3.2: is a PUT body one calendar object resource? A line scan checks the
// structure libical forgives (END names, garbage lines, what follows END:VCALENDAR); libical parses
// the lines the server uses and flags bad values; the rules on components, UIDs and RECURRENCE-IDs
// are checked here.
#include "ical/calendar_object.hpp"

#include "ical/instances.hpp"
#include "ical/component_ptr.hpp"
#include "ical/parse.hpp"
#include "ical/timezone_cache.hpp"
#include "ical/content_lines.hpp"

#include <libical/ical.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <set>
#include <string>

namespace caldav::ical {

namespace {

std::string upper(std::string_view text) {
    std::string result(text);
    for (char& c : result) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return result;
}

// The value of a content line, without surrounding white space ("BEGIN:VEVENT " → "VEVENT").
std::string_view trimmed_value(std::string_view line) {
    std::size_t colon = line.find(':');
    std::size_t begin = line.find_first_not_of(" \t", colon + 1);
    if (begin == std::string_view::npos) return {};
    std::size_t end = line.find_last_not_of(" \t");
    return line.substr(begin, end + 1 - begin);
}

// A logical line without its folds (CRLF or LF followed by a space or tab).
std::string unfold(std::string_view logical) {
    std::string text;
    for (std::size_t at = 0; at < logical.size(); ++at) {
        if (logical[at] == '\r' && at + 1 < logical.size() && logical[at + 1] == '\n') continue;
        if (logical[at] == '\n' && at + 1 < logical.size() && (logical[at + 1] == ' ' || logical[at + 1] == '\t')) {
            ++at;
            continue;
        }
        text += logical[at];
    }
    return text;
}

Validation failure(Precondition precondition, std::string message) {
    Validation validation;
    validation.failed = precondition;
    validation.message = std::move(message);
    return validation;
}

// Where an error is, for its message: the first physical line of the logical line.
std::string where(std::size_t number) {
    return "line " + std::to_string(number);
}

// The BEGIN/END nesting of the logical lines fed to it, one at a time. Allocates only for BEGIN
// and END lines and for errors: this runs on every line of every PUT.
class StructureCheck {
public:
    explicit StructureCheck(std::vector<std::string>& top_level) : top_level_(top_level) {}

    Validation line(std::string_view line, std::size_t number) {
        if (line.find_first_not_of(" \t") == std::string_view::npos) return {};  // blank lines are forgiven
        if (finished_)
            return failure(Precondition::valid_calendar_object_resource,
                           where(number) + ": content after END:VCALENDAR (one VCALENDAR per resource)");
        std::size_t name_end = line.find_first_of(";:");
        if (name_end == std::string_view::npos || name_end == 0)
            return failure(Precondition::valid_calendar_data,
                           where(number) + ": not a content line: " + std::string(line.substr(0, 60)));
        std::string_view name = line.substr(0, name_end);
        for (char c : name)
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-')
                return failure(Precondition::valid_calendar_data,
                               where(number) + ": bad property name: " + upper(name).substr(0, 60));
        if (line.find(':', name_end) == std::string_view::npos)
            return failure(Precondition::valid_calendar_data, where(number) + ": content line without ':'");
        bool begins = equal_ascii_nocase(name, "BEGIN");
        if (!begins && !equal_ascii_nocase(name, "END")) {
            if (stack_.empty())
                return failure(Precondition::valid_calendar_data,
                               where(number) + ": " + upper(name) + " outside BEGIN:VCALENDAR");
            return {};
        }
        std::string value = upper(trimmed_value(line));
        if (value.empty())
            return failure(Precondition::valid_calendar_data, where(number) + ": " + upper(name) + " without a name");
        return begins ? begin(std::move(value), number) : end(value, number);
    }

    Validation at_end() const {
        if (finished_) return {};
        return failure(Precondition::valid_calendar_data,
                       stack_.empty() ? "no BEGIN:VCALENDAR" : "missing END:" + stack_.back());
    }

private:
    Validation begin(std::string value, std::size_t number) {
        if (stack_.empty() && value != "VCALENDAR")
            return failure(Precondition::valid_calendar_data,
                           where(number) + ": the first component must be VCALENDAR");
        if (stack_.size() == 1) top_level_.push_back(value);
        stack_.push_back(std::move(value));
        return {};
    }

    Validation end(const std::string& value, std::size_t number) {
        if (stack_.empty() || stack_.back() != value)
            return failure(Precondition::valid_calendar_data,
                           where(number) + ": END:" + value + " does not close " +
                               (stack_.empty() ? std::string("anything") : "BEGIN:" + stack_.back()));
        stack_.pop_back();
        if (stack_.empty()) finished_ = true;
        return {};
    }

    std::vector<std::string>& top_level_;
    std::vector<std::string> stack_;
    bool finished_ = false;
};

// The content lines' structure (RFC 5545 §3.1, §3.4, §3.6): names, BEGIN/END nesting, one
// VCALENDAR first and last. Fills the names of VCALENDAR's direct children.
Validation scan_structure(std::string_view bytes, std::vector<std::string>& top_level) {
    if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);  // UTF-8 BOM
    StructureCheck check(top_level);
    // Unfold into logical lines (CRLF or bare LF); a logical line is copied only when folded.
    std::string folded;
    std::string_view logical;
    std::size_t logical_number = 0, number = 0, at = 0;
    while (at < bytes.size()) {
        std::size_t end = bytes.find('\n', at);
        std::string_view line = bytes.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
        at = end == std::string_view::npos ? bytes.size() : end + 1;
        ++number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!line.empty() && (line[0] == ' ' || line[0] == '\t') && logical_number != 0) {
            if (folded.empty()) folded.assign(logical);
            folded.append(line.substr(1));
            logical = folded;
            continue;
        }
        if (logical_number != 0)
            if (Validation result = check.line(logical, logical_number); result.failed != Precondition::none)
                return result;
        folded.clear();
        logical = line;
        logical_number = number;
    }
    if (logical_number != 0)
        if (Validation result = check.line(logical, logical_number); result.failed != Precondition::none) return result;
    return check.at_end();
}

bool in_range(const icaltimetype& time) {
    if (time.month < 1 || time.month > 12 || time.day < 1 || time.day > icaltime_days_in_month(time.month, time.year))
        return false;
    if (time.is_date) return true;
    return time.hour >= 0 && time.hour <= 23 && time.minute >= 0 && time.minute <= 59 && time.second >= 0 &&
           time.second <= 60;
}

// Properties whose value matters to the server (time, recurrence, identity): a value libical
// cannot parse there is fatal. Elsewhere (e.g. GEO, PRIORITY) the bytes are stored as they came.
bool value_matters(std::string_view property) {
    static const char* const names[] = {"DTSTART",   "DTEND",   "DUE",      "DURATION",      "RRULE",
                                        "RDATE",     "EXDATE",  "EXRULE",   "RECURRENCE-ID", "UID",
                                        "TRIGGER",   "REPEAT",  "FREEBUSY", "TZOFFSETFROM",  "TZOFFSETTO",
                                        "COMPLETED", "CREATED", "DTSTAMP",  "LAST-MODIFIED", "TZID"};
    for (const char* name : names)
        if (equal_ascii_nocase(property, name)) return true;
    return false;
}

// libical marks what it could not parse with X-LIC-ERROR properties. Fatal: a line that is no
// content line, a component it could not build, a value it could not parse in a property that
// matters. Tolerated: unknown (IANA) property names and bad or unknown parameters.
bool fatal_errors(icalcomponent* component, std::string& message) {
    for (icalproperty* property = icalcomponent_get_first_property(component, ICAL_XLICERROR_PROPERTY);
         property != nullptr; property = icalcomponent_get_next_property(component, ICAL_XLICERROR_PROPERTY)) {
        icalparameter* type = icalproperty_get_first_parameter(property, ICAL_XLICERRORTYPE_PARAMETER);
        icalparameter_xlicerrortype kind =
            type != nullptr ? icalparameter_get_xlicerrortype(type) : ICAL_XLICERRORTYPE_COMPONENTPARSEERROR;
        const char* text = icalproperty_get_xlicerror(property);
        std::string error = text != nullptr ? text : "parse error";
        bool fatal = true;
        switch (kind) {
            case ICAL_XLICERRORTYPE_PROPERTYPARSEERROR:
            case ICAL_XLICERRORTYPE_PARAMETERNAMEPARSEERROR:
            case ICAL_XLICERRORTYPE_PARAMETERVALUEPARSEERROR:
                fatal = false;
                break;
            case ICAL_XLICERRORTYPE_VALUEPARSEERROR: {
                // "Can't parse as DATE-TIME value in DTSTART property. Removing entire property: ..."
                std::size_t in = error.find(" value in ");
                std::size_t end = in == std::string::npos ? in : error.find(" property", in);
                if (end != std::string::npos) fatal = value_matters(error.substr(in + 10, end - in - 10));
                break;
            }
            default:
                break;
        }
        if (fatal) {
            message = error;
            return true;
        }
    }
    for (icalcomponent* child = icalcomponent_get_first_component(component, ICAL_ANY_COMPONENT); child != nullptr;
         child = icalcomponent_get_next_component(component, ICAL_ANY_COMPONENT))
        if (fatal_errors(child, message)) return true;
    return false;
}

// Dates libical accepts but that do not exist (month 13, February 30th).
bool impossible_dates(icalcomponent* component, std::string& message) {
    static const icalproperty_kind kinds[] = {ICAL_DTSTART_PROPERTY,      ICAL_DTEND_PROPERTY,   ICAL_DUE_PROPERTY,
                                              ICAL_RECURRENCEID_PROPERTY, ICAL_EXDATE_PROPERTY,  ICAL_RDATE_PROPERTY,
                                              ICAL_COMPLETED_PROPERTY,    ICAL_CREATED_PROPERTY, ICAL_DTSTAMP_PROPERTY,
                                              ICAL_LASTMODIFIED_PROPERTY};
    for (icalproperty_kind kind : kinds) {
        for (icalproperty* property = icalcomponent_get_first_property(component, kind); property != nullptr;
             property = icalcomponent_get_next_property(component, kind)) {
            icalvalue* value = icalproperty_get_value(property);
            if (value == nullptr) continue;
            icaltimetype time;
            icalvalue_kind value_kind = icalvalue_isa(value);
            if (value_kind == ICAL_DATE_VALUE || value_kind == ICAL_DATETIME_VALUE) {
                time = icalvalue_get_datetime(value);
            } else if (value_kind == ICAL_DATETIMEPERIOD_VALUE) {
                icaldatetimeperiodtype both = icalvalue_get_datetimeperiod(value);
                time = icaltime_is_null_time(both.time) ? both.period.start : both.time;
            } else {
                continue;
            }
            if (icaltime_is_null_time(time)) continue;
            if (!in_range(time)) {
                message = std::string(icalproperty_kind_to_string(kind)) +
                          ": no such date or time: " + icaltime_as_ical_string(time);
                return true;
            }
        }
    }
    for (icalcomponent* child = icalcomponent_get_first_component(component, ICAL_ANY_COMPONENT); child != nullptr;
         child = icalcomponent_get_next_component(component, ICAL_ANY_COMPONENT))
        if (impossible_dates(child, message)) return true;
    return false;
}

int count(icalcomponent* component, icalproperty_kind kind) {
    return icalcomponent_count_properties(component, kind);
}

bool is_calendar_component(icalcomponent_kind kind) {
    return kind == ICAL_VEVENT_COMPONENT || kind == ICAL_VTODO_COMPONENT || kind == ICAL_VJOURNAL_COMPONENT ||
           kind == ICAL_VFREEBUSY_COMPONENT || kind == ICAL_VAVAILABILITY_COMPONENT;
}

// RFC 5545 §3.6.1-§3.6.4 rules on one component, as far as the server relies on them.
std::string component_problem(icalcomponent* component, const std::string& type) {
    int dtstart = count(component, ICAL_DTSTART_PROPERTY);
    if (count(component, ICAL_UID_PROPERTY) != 1) return type + " must have exactly one UID";
    if (dtstart > 1) return type + " has more than one DTSTART";
    if (count(component, ICAL_RECURRENCEID_PROPERTY) > 1) return type + " has more than one RECURRENCE-ID";
    if (type == "VEVENT") {
        // RFC 5545 §3.6.1: DTSTART may lack only when METHOD is present, which §4.1 forbids here.
        if (dtstart == 0) return "VEVENT without DTSTART";
        if (count(component, ICAL_DTEND_PROPERTY) > 0 && count(component, ICAL_DURATION_PROPERTY) > 0)
            return "VEVENT with both DTEND and DURATION";
    } else if (type == "VTODO") {
        if (count(component, ICAL_DUE_PROPERTY) > 0 && count(component, ICAL_DURATION_PROPERTY) > 0)
            return "VTODO with both DUE and DURATION";
        if (count(component, ICAL_DURATION_PROPERTY) > 0 && dtstart == 0) return "VTODO with DURATION but no DTSTART";
    }
    if (dtstart == 0 && (count(component, ICAL_RRULE_PROPERTY) > 0 || count(component, ICAL_RDATE_PROPERTY) > 0))
        return type + " recurs without DTSTART";
    return {};
}

}  // namespace

const char* precondition_name(Precondition precondition) {
    switch (precondition) {
        case Precondition::none:
            return "";
        case Precondition::supported_calendar_data:
            return "supported-calendar-data";
        case Precondition::valid_calendar_data:
            return "valid-calendar-data";
        case Precondition::valid_calendar_object_resource:
            return "valid-calendar-object-resource";
        case Precondition::supported_calendar_component:
            return "supported-calendar-component";
        case Precondition::max_instances:
            return "max-instances";
    }
    return "";
}

// RFC 5545 §3.1.4 and §3.3.11: iCalendar is UTF-8, and control characters other than HTAB appear
// only as line ends. (Anything else could also not be returned inside a REPORT's XML.)
static std::string encoding_problem(std::string_view bytes) {
    std::size_t i = 0;
    while (i < bytes.size()) {
        auto c = static_cast<unsigned char>(bytes[i]);
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f)
                return "control character " + std::to_string(c) + " at byte " + std::to_string(i);
            ++i;
            continue;
        }
        std::size_t length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
        if (length == 0 || c > 0xf4 || i + length > bytes.size()) return "invalid UTF-8 at byte " + std::to_string(i);
        char32_t code = c & (0x7f >> length);
        for (std::size_t k = 1; k < length; ++k) {
            auto next = static_cast<unsigned char>(bytes[i + k]);
            if ((next & 0xc0) != 0x80) return "invalid UTF-8 at byte " + std::to_string(i);
            code = (code << 6) | (next & 0x3f);
        }
        static constexpr char32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
        if (code < smallest[length] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
            return "invalid UTF-8 (overlong or out of range) at byte " + std::to_string(i);
        i += length;
    }
    return {};
}

// The VCALENDAR's VTIMEZONEs that libical parsed, remembered by their text (once the whole object
// is accepted) so that the next objects sending the same text skip parsing it.
static void remember_zone_texts(icalcomponent* vcalendar, const std::vector<std::string_view>& texts) {
    std::vector<icalcomponent*> parsed;
    icalcompiter members = icalcomponent_begin_component(vcalendar, ICAL_VTIMEZONE_COMPONENT);
    for (icalcomponent* vtimezone; (vtimezone = icalcompiter_deref(&members)) != nullptr; icalcompiter_next(&members))
        parsed.push_back(vtimezone);
    if (parsed.size() != texts.size()) return;  // libical dropped one: which text is which is unknown
    for (std::size_t i = 0; i < texts.size(); ++i) remember_zone_text(texts[i], shared_zone(parsed[i]));
}

namespace detail {

FilteredLines lines_that_matter(std::string_view bytes) {
    if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);  // UTF-8 BOM
    auto next_line = [bytes](std::size_t at) {
        std::size_t end = bytes.find('\n', at);
        return end == std::string_view::npos ? bytes.size() : end + 1;
    };
    FilteredLines lines;
    std::string& kept = lines.text;
    kept.reserve(bytes.size() / 2);
    int depth = 0;                  // components open around the line
    int timezone_depth = 0;         // inside a VTIMEZONE every line is kept: it defines the zone
    bool in_calendar_zone = false;  // inside a VTIMEZONE of the VCALENDAR (not one nested deeper)
    std::size_t zone_start = 0, zone_kept_start = 0;
    for (std::size_t at = 0; at < bytes.size();) {
        const std::size_t line_start = at;
        // One logical line: a physical line and the folded ones after it (RFC 5545 §3.1).
        const std::size_t first_end = next_line(at);
        std::size_t end = first_end;
        while (end < bytes.size() && (bytes[end] == ' ' || bytes[end] == '\t')) end = next_line(end);
        const std::string_view logical = bytes.substr(at, end - at);
        std::string_view text = bytes.substr(at, first_end - at);
        at = end;
        std::string unfolded;
        if (end != first_end) {  // folded: unfold when the name itself is, or for a BEGIN or END's value
            std::string_view head = text.substr(0, text.find_first_of(";:"));
            if (head.size() == text.size() || equal_ascii_nocase(head, "BEGIN") || equal_ascii_nocase(head, "END")) {
                unfolded = unfold(logical);
                text = unfolded;
            }
        }
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
        const std::string_view name = text.substr(0, text.find_first_of(";:"));
        const bool begins = equal_ascii_nocase(name, "BEGIN");
        const bool ends = !begins && equal_ascii_nocase(name, "END");
        const bool timezone = (begins || ends) && equal_ascii_nocase(trimmed_value(text), "VTIMEZONE");
        if (begins && timezone && ++timezone_depth == 1 && depth == 1) {
            in_calendar_zone = true;
            zone_start = line_start;
            zone_kept_start = kept.size();
        }
        if (begins) ++depth;
        if (ends && depth > 0) --depth;
        if (begins || ends || timezone_depth > 0 || value_matters(name) || equal_ascii_nocase(name, "VERSION") ||
            equal_ascii_nocase(name, "METHOD"))
            kept.append(logical);
        if (!(ends && timezone && timezone_depth > 0)) continue;
        if (--timezone_depth > 0 || !in_calendar_zone) continue;
        in_calendar_zone = false;
        const std::string_view zone_text = bytes.substr(zone_start, at - zone_start);
        if (icaltimezone* zone = zone_of_text(zone_text)) {
            kept.resize(zone_kept_start);
            const char* tzid = icaltimezone_get_tzid(zone);
            lines.known_zones.push_back({tzid != nullptr ? tzid : "", zone});
        } else {
            lines.kept_zones.push_back(zone_text);
        }
    }
    return lines;
}

}  // namespace detail

Validation validate_calendar_object(std::string_view bytes, const std::vector<std::string>& components) {
    if (std::string problem = encoding_problem(bytes); !problem.empty())
        return failure(Precondition::valid_calendar_data, problem);
    std::vector<std::string> top_level;
    Validation structure = scan_structure(bytes, top_level);
    if (structure.failed != Precondition::none) return structure;

    // libical reads only the lines whose values the checks below and the index use; the others are
    // stored as sent (their syntax the scan checked, and a bad value there is no error anyway).
    detail::FilteredLines lines = detail::lines_that_matter(bytes);
    ComponentPtr root = parse_ical(lines.text);
    if (!root) return failure(Precondition::valid_calendar_data, "libical could not parse the iCalendar data");
    if (icalcomponent_isa(root.get()) != ICAL_VCALENDAR_COMPONENT)
        return failure(Precondition::valid_calendar_object_resource, "not exactly one VCALENDAR");
    icalcomponent* vcalendar = root.get();
    std::string message;
    if (fatal_errors(vcalendar, message)) return failure(Precondition::valid_calendar_data, message);
    if (impossible_dates(vcalendar, message)) return failure(Precondition::valid_calendar_data, message);

    if (icalproperty* version = icalcomponent_get_first_property(vcalendar, ICAL_VERSION_PROPERTY)) {
        const char* value = icalproperty_get_version(version);
        if (value == nullptr || std::string_view(value) != "2.0")
            return failure(Precondition::valid_calendar_data, "VERSION must be 2.0");
    }
    if (icalcomponent_get_first_property(vcalendar, ICAL_METHOD_PROPERTY) != nullptr)
        return failure(Precondition::valid_calendar_object_resource,
                       "METHOD is not allowed in a calendar object resource (RFC 4791 §4.1)");

    // The component type, by the names the scan saw (libical has no name for unknown components).
    std::set<std::string> types;
    for (const std::string& name : top_level)
        if (name != "VTIMEZONE" && name.compare(0, 2, "X-") != 0) types.insert(name);
    if (types.empty())
        return failure(Precondition::valid_calendar_object_resource,
                       "no VEVENT, VTODO, VJOURNAL or VFREEBUSY in the VCALENDAR");
    if (types.size() > 1)
        return failure(Precondition::valid_calendar_object_resource,
                       "more than one component type (" + *types.begin() + ", " + *std::next(types.begin()) + ")");
    const std::string type = *types.begin();
    bool known =
        type == "VEVENT" || type == "VTODO" || type == "VJOURNAL" || type == "VFREEBUSY" || type == "VAVAILABILITY";
    bool allowed = components.empty() ? known
                                      : std::any_of(components.begin(), components.end(),
                                                    [&](const std::string& name) { return upper(name) == type; });
    if (!allowed || !known)
        return failure(Precondition::supported_calendar_component, type + " is not accepted in this collection");

    // One UID, at most one master, distinct RECURRENCE-IDs.
    std::string uid;
    int masters = 0;
    std::set<std::string> recurrence_ids;
    // (Collected first: resolving a RECURRENCE-ID's TZID moves libical's cursor over VCALENDAR.)
    std::vector<icalcomponent*> children;
    for (icalcomponent* child = icalcomponent_get_first_component(vcalendar, ICAL_ANY_COMPONENT); child != nullptr;
         child = icalcomponent_get_next_component(vcalendar, ICAL_ANY_COMPONENT))
        children.push_back(child);
    for (icalcomponent* component : children) {
        icalcomponent_kind kind = icalcomponent_isa(component);
        if (kind == ICAL_VTIMEZONE_COMPONENT) {
            if (count(component, ICAL_TZID_PROPERTY) != 1)
                return failure(Precondition::valid_calendar_data, "VTIMEZONE without TZID");
            continue;
        }
        if (!is_calendar_component(kind)) continue;
        std::string problem = component_problem(component, type);
        if (!problem.empty()) return failure(Precondition::valid_calendar_object_resource, problem);
        const char* this_uid = icalcomponent_get_uid(component);
        if (this_uid == nullptr || *this_uid == '\0')
            return failure(Precondition::valid_calendar_object_resource, type + " with an empty UID");
        if (uid.empty())
            uid = this_uid;
        else if (uid != this_uid)
            return failure(Precondition::valid_calendar_object_resource,
                           "more than one UID (" + uid + ", " + this_uid + ")");
        if (icalproperty* rid = icalcomponent_get_first_property(component, ICAL_RECURRENCEID_PROPERTY)) {
            std::int64_t at = 0;
            bool is_date = false;
            std::string key =
                detail::property_time(vcalendar, rid, "", at, is_date, &lines.known_zones) ? std::to_string(at) : "?";
            if (!recurrence_ids.insert(key).second)
                return failure(Precondition::valid_calendar_object_resource,
                               "two components with the same RECURRENCE-ID");
        } else if (++masters > 1) {
            return failure(Precondition::valid_calendar_object_resource,
                           "more than one " + type + " without RECURRENCE-ID for UID " + uid);
        }
        for (icalproperty* rule = icalcomponent_get_first_property(component, ICAL_RRULE_PROPERTY); rule != nullptr;
             rule = icalcomponent_get_next_property(component, ICAL_RRULE_PROPERTY)) {
            if (detail::recurrence_too_costly(icalproperty_get_rrule(rule)))
                return failure(Precondition::max_instances,
                               "RRULE too costly to expand: a sub-daily frequency filtered by month, day or week");
        }
    }
    if (uid.empty()) return failure(Precondition::valid_calendar_object_resource, "no UID");
    remember_zone_texts(vcalendar, lines.kept_zones);

    Validation validation;
    validation.object.uid = uid;
    validation.object.component = type;
    validation.object.parsed = std::shared_ptr<icalcomponent>(root.release(), ComponentDeleter());
    validation.object.known_zones = std::move(lines.known_zones);
    return validation;
}

}  // namespace caldav::ical
