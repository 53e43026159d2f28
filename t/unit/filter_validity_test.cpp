// Which filters are refused before any object is read (lib/query/filter_validity): RFC 4791 §7.8's
// own examples must pass, the shapes no valid calendar object can be judged by must not; RFC 6352
// §8.6 supported-filter for names that are no vCard names.
#include <catch2/catch.hpp>

#include "query/filter_validity.hpp"

#include <string>

using namespace caldav::query;

namespace {

CompFilter comp(std::string name, std::vector<CompFilter> children = {}, std::vector<PropFilter> props = {}) {
    CompFilter filter;
    filter.name = std::move(name);
    filter.comp_filters = std::move(children);
    filter.prop_filters = std::move(props);
    return filter;
}

CompFilter timed(std::string name, std::vector<CompFilter> children = {}) {
    CompFilter filter = comp(std::move(name), std::move(children));
    filter.time_range = TimeRange{1136073600, 1136160000};  // 20060101T000000Z..20060102T000000Z
    return filter;
}

PropFilter prop(std::string name) {
    PropFilter filter;
    filter.name = std::move(name);
    return filter;
}

TextMatch text(std::string value, std::string collation = "i;ascii-casemap", bool negate = false) {
    TextMatch match;
    match.text = std::move(value);
    match.collation = std::move(collation);
    match.negate = negate;
    return match;
}

bool valid(const CompFilter& filter) {
    std::optional<std::string> reason = invalid_calendar_filter(filter);
    INFO(reason.value_or("valid"));
    return !reason;
}

}  // namespace

TEST_CASE("RFC 4791 §7.8.1-§7.8.9: the RFC's own example filters are valid", "[filter_validity]") {
    // §7.8.1-§7.8.4: events (and their expansions, limits) overlapping a time range.
    CHECK(valid(comp("VCALENDAR", {timed("VEVENT")})));
    // §7.8.5: to-dos with an alarm in a time range.
    CHECK(valid(comp("VCALENDAR", {comp("VTODO", {timed("VALARM")})})));
    // §7.8.6: an event by UID, i;octet.
    PropFilter uid = prop("UID");
    uid.text_match = text("DC6C50A017428C5216A2F1CD@example.com", "i;octet");
    CHECK(valid(comp("VCALENDAR", {comp("VEVENT", {}, {uid})})));
    // §7.8.7: events by an attendee's PARTSTAT.
    PropFilter attendee = prop("ATTENDEE");
    attendee.text_match = text("mailto:lisa@example.com");
    ParamFilter partstat;
    partstat.name = "PARTSTAT";
    partstat.text_match = text("NEEDS-ACTION");
    attendee.param_filters.push_back(partstat);
    CHECK(valid(comp("VCALENDAR", {comp("VEVENT", {}, {attendee})})));
    // §7.8.8: events only.
    CHECK(valid(comp("VCALENDAR", {comp("VEVENT")})));
    // §7.8.9: pending to-dos: no COMPLETED, STATUS not CANCELLED.
    PropFilter completed = prop("COMPLETED");
    completed.is_not_defined = true;
    PropFilter status = prop("STATUS");
    status.text_match = text("CANCELLED", "i;ascii-casemap", true);
    CHECK(valid(comp("VCALENDAR", {comp("VTODO", {}, {completed, status})})));
}

TEST_CASE("RFC 4791 §9.7.1: filters that are valid beyond the examples", "[filter_validity]") {
    CHECK(valid(comp("VCALENDAR")));                     // every object
    CHECK(valid(comp("vcalendar", {timed("vevent")})));  // names compare without case
    CHECK(valid(comp("VCALENDAR", {timed("VFREEBUSY"), timed("VJOURNAL")})));
    CHECK(valid(comp("VCALENDAR", {comp("VEVENT", {timed("VALARM")})})));
    CHECK(valid(comp("VCALENDAR", {comp("VTIMEZONE", {comp("STANDARD"), comp("DAYLIGHT")})})));
    CHECK(valid(comp("VCALENDAR", {comp("VAVAILABILITY", {comp("AVAILABLE")})})));
    CHECK(valid(comp("VCALENDAR", {comp("X-CUSTOM", {comp("X-INNER")})})));  // unknown names anywhere
    CompFilter absent = comp("VTODO");
    absent.is_not_defined = true;
    CHECK(valid(comp("VCALENDAR", {absent})));
    // A time-range on a date or date-time property, and an open one.
    PropFilter stamp = prop("DTSTAMP");
    stamp.time_range = TimeRange{1136073600, std::nullopt};
    PropFilter custom = prop("X-WHEN");
    custom.time_range = TimeRange{std::nullopt, 1136073600};
    CHECK(valid(comp("VCALENDAR", {comp("VEVENT", {}, {stamp, custom})})));
    // A property of VCALENDAR itself, a parameter that must be absent.
    PropFilter method = prop("METHOD");
    ParamFilter none;
    none.name = "X-P";
    none.is_not_defined = true;
    method.param_filters.push_back(none);
    CHECK(valid(comp("VCALENDAR", {}, {method})));
}

TEST_CASE("RFC 4791 §7.8, §9.7.1: components where no calendar object has them are refused", "[filter_validity]") {
    CHECK_FALSE(valid(comp("VEVENT")));                                         // top must be VCALENDAR
    CHECK_FALSE(valid(comp("VCALENDAR", {comp("VCALENDAR")})));                 // nested VCALENDAR
    CHECK_FALSE(valid(comp("VCALENDAR", {comp("VEVENT", {comp("VEVENT")})})));  // VEVENT in a VEVENT
    CHECK_FALSE(valid(comp("VCALENDAR", {comp("VTODO", {comp("VJOURNAL")})})));
    CHECK_FALSE(valid(comp("VCALENDAR", {comp("VALARM")})));                      // VALARM directly under VCALENDAR
    CHECK_FALSE(valid(comp("VCALENDAR", {comp("VJOURNAL", {comp("VALARM")})})));  // journals have no alarms
    CHECK_FALSE(valid(comp("VCALENDAR", {comp("VEVENT", {comp("VALARM", {comp("VALARM")})})})));
    CHECK_FALSE(valid(comp("VCALENDAR", {comp("STANDARD")})));  // only in VTIMEZONE
    CHECK_FALSE(valid(comp("VCALENDAR", {comp("VEVENT", {comp("DAYLIGHT")})})));
    CHECK_FALSE(valid(comp("VCALENDAR", {comp("AVAILABLE")})));
    CHECK_FALSE(valid(comp("VCALENDAR", {comp("X-CUSTOM", {comp("VEVENT")})})));
    CompFilter nothing = comp("VCALENDAR");
    nothing.is_not_defined = true;  // every calendar object is one
    CHECK_FALSE(valid(nothing));
}

TEST_CASE("RFC 4791 §9.9: time ranges only where something has a time", "[filter_validity]") {
    CHECK_FALSE(valid(timed("VCALENDAR", {comp("VEVENT")})));  // directly inside the VCALENDAR comp-filter
    CHECK_FALSE(valid(timed("VCALENDAR")));
    CHECK_FALSE(valid(comp("VCALENDAR", {timed("VTIMEZONE")})));
    CHECK_FALSE(valid(comp("VCALENDAR", {comp("VTIMEZONE", {timed("STANDARD")})})));
    CHECK_FALSE(valid(comp("VCALENDAR", {timed("X-CUSTOM")})));
    for (const char* name : {"SUMMARY", "UID", "DESCRIPTION", "ATTENDEE", "RRULE", "DURATION", "SEQUENCE"}) {
        CAPTURE(name);
        PropFilter untimed = prop(name);
        untimed.time_range = TimeRange{1136073600, 1136160000};
        CHECK_FALSE(valid(comp("VCALENDAR", {comp("VEVENT", {}, {untimed})})));
    }
    CompFilter backwards = timed("VEVENT");
    backwards.time_range = TimeRange{1136160000, 1136073600};
    CHECK_FALSE(valid(comp("VCALENDAR", {backwards})));
    backwards.time_range = TimeRange{1136073600, 1136073600};  // empty: end must be greater
    CHECK_FALSE(valid(comp("VCALENDAR", {backwards})));
    PropFilter due = prop("DUE");
    due.time_range = TimeRange{1136160000, 1136073600};
    CHECK_FALSE(valid(comp("VCALENDAR", {comp("VTODO", {}, {due})})));
}

TEST_CASE("RFC 4791 §9.7.1-§9.7.3: is-not-defined stands alone, one test per prop-filter", "[filter_validity]") {
    CompFilter event = timed("VEVENT");
    event.is_not_defined = true;
    CHECK_FALSE(valid(comp("VCALENDAR", {event})));
    CompFilter with_child = comp("VEVENT", {comp("VALARM")});
    with_child.is_not_defined = true;
    CHECK_FALSE(valid(comp("VCALENDAR", {with_child})));
    PropFilter both = prop("SUMMARY");
    both.is_not_defined = true;
    both.text_match = text("x");
    CHECK_FALSE(valid(comp("VCALENDAR", {comp("VEVENT", {}, {both})})));
    PropFilter two_tests = prop("DTSTART");
    two_tests.time_range = TimeRange{1136073600, 1136160000};
    two_tests.text_match = text("2006");
    CHECK_FALSE(valid(comp("VCALENDAR", {comp("VEVENT", {}, {two_tests})})));
    PropFilter attendee = prop("ATTENDEE");
    ParamFilter param;
    param.name = "PARTSTAT";
    param.is_not_defined = true;
    param.text_match = text("ACCEPTED");
    attendee.param_filters.push_back(param);
    CHECK_FALSE(valid(comp("VCALENDAR", {comp("VEVENT", {}, {attendee})})));
    // The reason names the element.
    std::optional<std::string> reason = invalid_calendar_filter(comp("VCALENDAR", {comp("VEVENT", {comp("VEVENT")})}));
    REQUIRE(reason);
    CHECK(reason->find("VEVENT in VEVENT") != std::string::npos);
}

TEST_CASE("RFC 6352 §8.6: supported-filter refuses names that are no vCard names", "[filter_validity]") {
    auto with_prop = [](std::string name, std::string param = "") {
        caldav::vcard::Filter filter;
        caldav::vcard::PropFilter prop;
        prop.name = std::move(name);
        if (!param.empty()) {
            caldav::vcard::ParamFilter parameter;
            parameter.name = std::move(param);
            prop.param_filters.push_back(parameter);
        }
        filter.prop_filters.push_back(prop);
        return unsupported_addressbook_filter(filter);
    };
    CHECK_FALSE(unsupported_addressbook_filter(caldav::vcard::Filter{}));  // empty: every card
    CHECK_FALSE(with_prop("FN"));
    CHECK_FALSE(with_prop("X-ABLABEL"));
    CHECK_FALSE(with_prop("ITEM1.EMAIL", "TYPE"));  // a group
    CHECK_FALSE(with_prop("X-SOCIAL_PROFILE"));
    CHECK(with_prop("FN:"));
    CHECK(with_prop("N;X"));
    CHECK(with_prop("E MAIL"));
    CHECK(with_prop("ITEM1."));
    CHECK(with_prop(".EMAIL"));
    CHECK(with_prop("EMAIL", "TYPE=WORK"));
    CHECK(with_prop("ÉMAIL"));
}
