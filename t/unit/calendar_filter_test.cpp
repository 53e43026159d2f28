// The calendar-query filter (lib/query/calendar_filter): RFC 4791 §9.7 and §9.9, and its agreement
// with the time-range index of lib/ical/instances.
#include <catch2/catch.hpp>

#include "ical/calendar_object.hpp"
#include "ical/instances.hpp"
#include "query/calendar_filter.hpp"

#include <ctime>
#include <string>

using namespace caldav::query;

namespace {

std::int64_t at(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) {
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    return static_cast<std::int64_t>(timegm(&tm));
}

std::string calendar(const std::string& body) {
    return "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n" + body + "END:VCALENDAR\n";
}

CompFilter vcalendar(std::vector<CompFilter> children = {}) {
    CompFilter filter;
    filter.name = "VCALENDAR";
    filter.comp_filters = std::move(children);
    return filter;
}

CompFilter comp(std::string name, std::optional<TimeRange> range = std::nullopt, std::vector<PropFilter> props = {},
                std::vector<CompFilter> children = {}) {
    CompFilter filter;
    filter.name = std::move(name);
    filter.time_range = range;
    filter.prop_filters = std::move(props);
    filter.comp_filters = std::move(children);
    return filter;
}

CompFilter not_defined(std::string name) {
    CompFilter filter;
    filter.name = std::move(name);
    filter.is_not_defined = true;
    return filter;
}

PropFilter prop(std::string name, std::optional<TextMatch> text = std::nullopt) {
    PropFilter filter;
    filter.name = std::move(name);
    filter.text_match = std::move(text);
    return filter;
}

TextMatch text(std::string value, std::string collation = "i;ascii-casemap", bool negate = false) {
    TextMatch match;
    match.text = std::move(value);
    match.collation = std::move(collation);
    match.negate = negate;
    return match;
}

TimeRange range(std::int64_t from, std::int64_t to) {
    return TimeRange{from, to};
}

bool in_range(const std::string& bytes, const char* component, std::int64_t from, std::int64_t to,
              std::string_view zone = "") {
    return matches(bytes, vcalendar({comp(component, range(from, to))}), zone);
}

const std::string meeting = calendar(
    "BEGIN:VEVENT\nUID:m1\nDTSTAMP:20240101T000000Z\nDTSTART:20240105T100000Z\nDTEND:20240105T110000Z\n"
    "SUMMARY:Team Meeting\nLOCATION:Café Zürich\nDESCRIPTION:Ελληνικά και Русский\n"
    "ORGANIZER;CN=Alice:mailto:alice@example.com\n"
    "ATTENDEE;PARTSTAT=NEEDS-ACTION;CN=\"Bob, B.\":mailto:bob@example.com\n"
    "CATEGORIES:Work,Project X\n"
    "BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:-PT15M\nDESCRIPTION:soon\nEND:VALARM\n"
    "END:VEVENT\n");

}  // namespace

TEST_CASE("RFC 4791 §9.7.1: comp-filter names and is-not-defined", "[calendar_filter]") {
    CHECK(matches(meeting, vcalendar(), ""));
    CHECK(matches(meeting, vcalendar({comp("VEVENT")}), ""));
    CHECK(matches(meeting, vcalendar({comp("vevent")}), ""));
    CHECK_FALSE(matches(meeting, vcalendar({comp("VTODO")}), ""));
    CHECK(matches(meeting, vcalendar({not_defined("VTODO")}), ""));
    CHECK_FALSE(matches(meeting, vcalendar({not_defined("VEVENT")}), ""));
    CHECK(matches(meeting, vcalendar({comp("VEVENT", std::nullopt, {}, {comp("VALARM")})}), ""));
    CHECK_FALSE(matches(meeting, vcalendar({comp("VEVENT", std::nullopt, {}, {not_defined("VALARM")})}), ""));
    CompFilter wrong_root = comp("VEVENT");
    CHECK_FALSE(matches(meeting, wrong_root, ""));
    CHECK_FALSE(matches("garbage", vcalendar(), ""));
}

TEST_CASE("RFC 4791 §9.9: VEVENT time-range (start < DTEND AND end > DTSTART)", "[calendar_filter]") {
    CHECK(in_range(meeting, "VEVENT", at(2024, 1, 5), at(2024, 1, 6)));
    CHECK(in_range(meeting, "VEVENT", at(2024, 1, 5, 10, 59), at(2024, 1, 5, 12)));
    CHECK_FALSE(in_range(meeting, "VEVENT", at(2024, 1, 5, 11), at(2024, 1, 5, 12)));  // end == DTEND
    CHECK_FALSE(in_range(meeting, "VEVENT", at(2024, 1, 5, 9), at(2024, 1, 5, 10)));   // start == DTSTART
    CHECK(matches(meeting, vcalendar({comp("VEVENT", TimeRange{std::nullopt, at(2024, 1, 5, 10, 1)})}), ""));
    CHECK(matches(meeting, vcalendar({comp("VEVENT", TimeRange{at(2024, 1, 5, 10, 59), std::nullopt})}), ""));
    CHECK_FALSE(matches(meeting, vcalendar({comp("VEVENT", TimeRange{at(2024, 1, 6), std::nullopt})}), ""));
}

TEST_CASE("RFC 4791 §9.9: all-day and floating events use the calendar's timezone", "[calendar_filter]") {
    std::string all_day = calendar("BEGIN:VEVENT\nUID:a\nDTSTART;VALUE=DATE:20240105\nEND:VEVENT\n");
    CHECK(in_range(all_day, "VEVENT", at(2024, 1, 5, 23), at(2024, 1, 6)));
    CHECK_FALSE(in_range(all_day, "VEVENT", at(2024, 1, 5, 23), at(2024, 1, 6), "Europe/Berlin"));
    CHECK(in_range(all_day, "VEVENT", at(2024, 1, 4, 23), at(2024, 1, 4, 23, 30), "Europe/Berlin"));
    std::string floating = calendar("BEGIN:VEVENT\nUID:f\nDTSTART:20240105T100000\nEND:VEVENT\n");
    CHECK(in_range(floating, "VEVENT", at(2024, 1, 5, 15), at(2024, 1, 5, 16), "America/New_York"));
    CHECK_FALSE(in_range(floating, "VEVENT", at(2024, 1, 5, 15), at(2024, 1, 5, 16), ""));
}

TEST_CASE("RFC 4791 §9.9: recurring events with EXDATE and overrides", "[calendar_filter]") {
    std::string series = calendar(
        "BEGIN:VEVENT\nUID:s\nDTSTART:20240101T100000Z\nDTEND:20240101T110000Z\nRRULE:FREQ=WEEKLY\n"
        "EXDATE:20240115T100000Z\nSUMMARY:series\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:s\nRECURRENCE-ID:20240122T100000Z\nDTSTART:20240124T100000Z\nDTEND:20240124T110000Z\n"
        "SUMMARY:moved\nEND:VEVENT\n");
    CHECK(in_range(series, "VEVENT", at(2030, 6, 3), at(2030, 6, 4)));  // a Monday, years later
    CHECK_FALSE(in_range(series, "VEVENT", at(2030, 6, 4), at(2030, 6, 5)));
    CHECK_FALSE(in_range(series, "VEVENT", at(2024, 1, 15), at(2024, 1, 16)));  // excluded
    CHECK_FALSE(in_range(series, "VEVENT", at(2024, 1, 22), at(2024, 1, 23)));  // moved away
    CHECK(in_range(series, "VEVENT", at(2024, 1, 24), at(2024, 1, 25)));        // moved here
    // The occurrence on 24 January is the override's: its SUMMARY, not the master's.
    auto summary_in_range = [&](const char* summary, std::int64_t from, std::int64_t to) {
        return matches(series, vcalendar({comp("VEVENT", range(from, to), {prop("SUMMARY", text(summary))})}), "");
    };
    CHECK(summary_in_range("moved", at(2024, 1, 24), at(2024, 1, 25)));
    CHECK_FALSE(summary_in_range("series", at(2024, 1, 24), at(2024, 1, 25)));
    CHECK(summary_in_range("series", at(2024, 1, 29), at(2024, 1, 30)));
}

TEST_CASE("RFC 4791 §9.9: VTODO with only DUE", "[calendar_filter][vtodo]") {
    std::string due = calendar("BEGIN:VTODO\nUID:t\nDUE:20240105T100000Z\nEND:VTODO\n");
    // (start < DUE) AND (end >= DUE)
    CHECK(in_range(due, "VTODO", at(2024, 1, 5), at(2024, 1, 5, 10)));
    CHECK_FALSE(in_range(due, "VTODO", at(2024, 1, 5, 10), at(2024, 1, 6)));
    CHECK(in_range(due, "VTODO", at(2024, 1, 5, 9, 59, 59), at(2024, 1, 6)));
}

TEST_CASE("RFC 4791 §9.9: VTODO with only DTSTART, and without dates", "[calendar_filter][vtodo]") {
    std::string start = calendar("BEGIN:VTODO\nUID:t\nDTSTART:20240105T100000Z\nEND:VTODO\n");
    // (start <= DTSTART) AND (end > DTSTART)
    CHECK(in_range(start, "VTODO", at(2024, 1, 5, 10), at(2024, 1, 5, 11)));
    CHECK_FALSE(in_range(start, "VTODO", at(2024, 1, 5, 9), at(2024, 1, 5, 10)));
    std::string undated = calendar("BEGIN:VTODO\nUID:t\nSUMMARY:someday\nEND:VTODO\n");
    CHECK(in_range(undated, "VTODO", at(1990, 1, 1), at(1990, 1, 2)));
    CHECK(in_range(undated, "VTODO", at(2100, 1, 1), at(2100, 1, 2)));
    std::string created = calendar("BEGIN:VTODO\nUID:t\nCREATED:20240105T100000Z\nEND:VTODO\n");
    CHECK(in_range(created, "VTODO", at(2030, 1, 1), at(2030, 1, 2)));  // (end > CREATED)
    CHECK_FALSE(in_range(created, "VTODO", at(2023, 1, 1), at(2024, 1, 5, 10)));
}

TEST_CASE("RFC 4791 §9.9: VJOURNAL time-range", "[calendar_filter][vjournal]") {
    std::string dated = calendar("BEGIN:VJOURNAL\nUID:j\nDTSTART;VALUE=DATE:20240105\nEND:VJOURNAL\n");
    CHECK(in_range(dated, "VJOURNAL", at(2024, 1, 5, 23), at(2024, 1, 6)));
    CHECK_FALSE(in_range(dated, "VJOURNAL", at(2024, 1, 6), at(2024, 1, 7)));
    std::string undated = calendar("BEGIN:VJOURNAL\nUID:j\nSUMMARY:x\nEND:VJOURNAL\n");
    CHECK_FALSE(in_range(undated, "VJOURNAL", at(1970, 1, 1), at(2100, 1, 1)));
}

TEST_CASE("RFC 4791 §9.9: VALARM trigger times, RELATED=END and REPEAT", "[calendar_filter][valarm]") {
    auto alarm_in = [](const std::string& bytes, std::int64_t from, std::int64_t to) {
        return matches(bytes, vcalendar({comp("VEVENT", std::nullopt, {}, {comp("VALARM", range(from, to))})}), "");
    };
    // Trigger 15 minutes before 10:00.
    CHECK(alarm_in(meeting, at(2024, 1, 5, 9, 45), at(2024, 1, 5, 9, 46)));
    CHECK_FALSE(alarm_in(meeting, at(2024, 1, 5, 9, 46), at(2024, 1, 5, 10)));
    CHECK_FALSE(alarm_in(meeting, at(2024, 1, 5, 9, 30), at(2024, 1, 5, 9, 45)));
    std::string repeating = calendar(
        "BEGIN:VEVENT\nUID:r\nDTSTART:20240105T100000Z\nDTEND:20240105T120000Z\nRRULE:FREQ=DAILY;COUNT=3\n"
        "BEGIN:VALARM\nACTION:DISPLAY\nDESCRIPTION:x\nTRIGGER;RELATED=END:-PT30M\nREPEAT:2\nDURATION:PT10M\n"
        "END:VALARM\nEND:VEVENT\n");
    CHECK(alarm_in(repeating, at(2024, 1, 7, 11, 30), at(2024, 1, 7, 11, 31)));  // third day, first trigger
    CHECK(alarm_in(repeating, at(2024, 1, 7, 11, 50), at(2024, 1, 7, 11, 51)));  // its second repeat
    CHECK_FALSE(alarm_in(repeating, at(2024, 1, 7, 11, 51), at(2024, 1, 7, 12)));
    CHECK_FALSE(alarm_in(repeating, at(2024, 1, 8, 11), at(2024, 1, 8, 12)));  // no fourth day
    std::string absolute = calendar(
        "BEGIN:VEVENT\nUID:r\nDTSTART:20240105T100000Z\nBEGIN:VALARM\nACTION:DISPLAY\nDESCRIPTION:x\n"
        "TRIGGER;VALUE=DATE-TIME:20240101T080000Z\nEND:VALARM\nEND:VEVENT\n");
    CHECK(alarm_in(absolute, at(2024, 1, 1, 8), at(2024, 1, 1, 9)));
    CHECK_FALSE(alarm_in(absolute, at(2024, 1, 5), at(2024, 1, 6)));
}

TEST_CASE("RFC 4791 §9.7.2: prop-filter existence and is-not-defined", "[calendar_filter]") {
    CHECK(matches(meeting, vcalendar({comp("VEVENT", std::nullopt, {prop("SUMMARY")})}), ""));
    CHECK_FALSE(matches(meeting, vcalendar({comp("VEVENT", std::nullopt, {prop("RRULE")})}), ""));
    PropFilter no_rrule = prop("RRULE");
    no_rrule.is_not_defined = true;
    CHECK(matches(meeting, vcalendar({comp("VEVENT", std::nullopt, {no_rrule})}), ""));
    PropFilter no_summary = prop("SUMMARY");
    no_summary.is_not_defined = true;
    CHECK_FALSE(matches(meeting, vcalendar({comp("VEVENT", std::nullopt, {no_summary})}), ""));
    // VCALENDAR's own properties.
    CompFilter root = vcalendar();
    root.prop_filters.push_back(prop("PRODID", text("test")));
    CHECK(matches(meeting, root, ""));
}

TEST_CASE("RFC 4791 §9.9: time-range on a DATE-TIME property", "[calendar_filter]") {
    PropFilter stamp = prop("DTSTAMP");
    stamp.time_range = range(at(2024, 1, 1), at(2024, 1, 2));
    CHECK(matches(meeting, vcalendar({comp("VEVENT", std::nullopt, {stamp})}), ""));
    stamp.time_range = range(at(2023, 12, 31), at(2024, 1, 1));  // (start <= t) AND (end > t)
    CHECK_FALSE(matches(meeting, vcalendar({comp("VEVENT", std::nullopt, {stamp})}), ""));
}

TEST_CASE("RFC 4791 §9.7.5: text-match collations and negate-condition", "[calendar_filter][text]") {
    auto summary = [](TextMatch match) {
        return matches(meeting, vcalendar({comp("VEVENT", std::nullopt, {prop("SUMMARY", std::move(match))})}), "");
    };
    CHECK(summary(text("meeting")));  // i;ascii-casemap, the default
    CHECK(summary(text("TEAM MEET")));
    CHECK_FALSE(summary(text("meeting", "i;octet")));  // exact bytes
    CHECK(summary(text("Meeting", "i;octet")));
    CHECK(summary(text("meeting", "i;ascii-casemap", true)) == false);  // negate
    CHECK(summary(text("lunch", "i;ascii-casemap", true)));
    auto location = [](TextMatch match) {
        return matches(meeting, vcalendar({comp("VEVENT", std::nullopt, {prop("LOCATION", std::move(match))})}), "");
    };
    CHECK(location(text("CAFÉ ZÜRICH", "i;unicode-casemap")));
    CHECK_FALSE(location(text("CAFÉ ZÜRICH", "i;ascii-casemap")));  // ASCII folding leaves É alone
    CHECK(location(text("CAFé", "i;ascii-casemap")));
    auto description = [](TextMatch match) {
        return matches(meeting, vcalendar({comp("VEVENT", std::nullopt, {prop("DESCRIPTION", std::move(match))})}), "");
    };
    CHECK(description(text("ΕΛΛΗΝΙΚΆ", "i;unicode-casemap")));
    CHECK(description(text("РУССКИЙ", "i;unicode-casemap")));
    CHECK_FALSE(description(text("РУССКИЙ", "i;octet")));
    // Multi-valued CATEGORIES: any value.
    CHECK(matches(meeting, vcalendar({comp("VEVENT", std::nullopt, {prop("CATEGORIES", text("project x"))})}), ""));
}

TEST_CASE("RFC 4791 §9.7.3: param-filter", "[calendar_filter]") {
    auto attendee = [](ParamFilter param) {
        PropFilter filter = prop("ATTENDEE");
        filter.param_filters.push_back(std::move(param));
        return matches(meeting, vcalendar({comp("VEVENT", std::nullopt, {filter})}), "");
    };
    ParamFilter partstat;
    partstat.name = "PARTSTAT";
    partstat.text_match = text("needs-action");
    CHECK(attendee(partstat));
    partstat.text_match = text("ACCEPTED");
    CHECK_FALSE(attendee(partstat));
    ParamFilter cn;
    cn.name = "cn";
    cn.text_match = text("bob, b.");
    CHECK(attendee(cn));
    ParamFilter role;
    role.name = "ROLE";
    role.is_not_defined = true;
    CHECK(attendee(role));
    ParamFilter exists;
    exists.name = "PARTSTAT";
    CHECK(attendee(exists));
    exists.is_not_defined = true;
    CHECK_FALSE(attendee(exists));
}

TEST_CASE("RFC 4791 §7.5.1: supported collations", "[calendar_filter]") {
    CHECK(supported_collation("i;octet"));
    CHECK(supported_collation("i;ascii-casemap"));
    CHECK(supported_collation("i;unicode-casemap"));
    CHECK_FALSE(supported_collation("i;basic"));
    CHECK_FALSE(supported_collation(""));
}

TEST_CASE("index_range: the time range of VCALENDAR's VEVENT/VTODO/VJOURNAL filter", "[calendar_filter]") {
    CHECK_FALSE(index_range(vcalendar()).has_value());
    CHECK_FALSE(index_range(vcalendar({comp("VEVENT")})).has_value());
    auto found = index_range(vcalendar({comp("VTIMEZONE"), comp("VTODO", range(10, 20))}));
    REQUIRE(found.has_value());
    CHECK(*found->start == 10);
    CHECK(*found->end == 20);
    CompFilter negated = not_defined("VEVENT");
    negated.time_range = range(10, 20);
    CHECK_FALSE(index_range(vcalendar({negated})).has_value());
    CHECK_FALSE(index_range(vcalendar({comp("VEVENT", std::nullopt, {}, {comp("VALARM", range(1, 2))})})).has_value());
}

TEST_CASE("time_range_component: only a time-range on one VEVENT/VTODO/VJOURNAL filter", "[calendar_filter]") {
    CHECK(time_range_component(vcalendar({comp("VEVENT", range(10, 20))})) == "VEVENT");
    CHECK(time_range_component(vcalendar({comp("vtodo", range(10, 20))})) == "VTODO");
    CHECK(time_range_component(vcalendar({comp("VJOURNAL", TimeRange{std::nullopt, 20})})) == "VJOURNAL");
    // Anything more than the time range needs the object parsed.
    CHECK_FALSE(time_range_component(vcalendar({comp("VEVENT")})).has_value());
    CHECK_FALSE(time_range_component(vcalendar({comp("VFREEBUSY", range(10, 20))})).has_value());
    CHECK_FALSE(time_range_component(vcalendar({comp("VEVENT", range(10, 20), {prop("SUMMARY")})})).has_value());
    CHECK_FALSE(time_range_component(vcalendar({comp("VEVENT", range(10, 20), {}, {comp("VALARM")})})).has_value());
    CHECK_FALSE(
        time_range_component(vcalendar({comp("VEVENT", range(10, 20)), comp("VTODO", range(10, 20))})).has_value());
    CompFilter negated = not_defined("VEVENT");
    negated.time_range = range(10, 20);
    CHECK_FALSE(time_range_component(vcalendar({negated})).has_value());
    CompFilter with_property = vcalendar({comp("VEVENT", range(10, 20))});
    with_property.prop_filters.push_back(prop("METHOD"));
    CHECK_FALSE(time_range_component(with_property).has_value());
    CompFilter other_root = comp("VTODO", std::nullopt, {}, {comp("VEVENT", range(10, 20))});
    CHECK_FALSE(time_range_component(other_root).has_value());
}

namespace {

// The tricky corpus: each entry is one calendar object resource.
const char* const berlin_weekly =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
    "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"
    "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nDTSTART:19700329T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nDTSTART:19701025T030000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
    "BEGIN:VEVENT\r\nUID:berlin\r\nDTSTART;TZID=Europe/Berlin:20240318T100000\r\n"
    "DTEND;TZID=Europe/Berlin:20240318T110000\r\nRRULE:FREQ=WEEKLY;UNTIL=20241105T000000Z\r\n"
    "EXDATE;TZID=Europe/Berlin:20240408T100000\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:berlin\r\nRECURRENCE-ID;TZID=Europe/Berlin:20240415T100000\r\n"
    "DTSTART;TZID=Europe/Berlin:20240416T150000\r\nDTEND;TZID=Europe/Berlin:20240416T160000\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n";

std::vector<std::pair<std::string, std::string>> corpus() {
    return {
        {"VEVENT", berlin_weekly},
        {"VEVENT", calendar("BEGIN:VEVENT\nUID:a\nDTSTART;VALUE=DATE:20240105\nDTEND;VALUE=DATE:20240108\n"
                            "END:VEVENT\n")},
        {"VEVENT", calendar("BEGIN:VEVENT\nUID:f\nDTSTART:20240105T230000\nDURATION:PT2H\nRRULE:FREQ=DAILY;COUNT=4\n"
                            "END:VEVENT\n")},
        {"VEVENT", calendar("BEGIN:VEVENT\nUID:i\nDTSTART:20240105T120000Z\nRRULE:FREQ=HOURLY;INTERVAL=13\n"
                            "END:VEVENT\n")},
        {"VEVENT", calendar("BEGIN:VEVENT\nUID:ms\nDTSTART;TZID=\"W. Europe Standard Time \":20240105T100000\n"
                            "DTEND;TZID=\"W. Europe Standard Time \":20240105T113000\nRRULE:FREQ=MONTHLY;BYDAY=1FR\n"
                            "END:VEVENT\n")},
        {"VEVENT", calendar("BEGIN:VEVENT\nUID:tf\nDTSTART:20240101T100000Z\nDTEND:20240101T110000Z\n"
                            "RRULE:FREQ=DAILY;COUNT=10\nEND:VEVENT\n"
                            "BEGIN:VEVENT\nUID:tf\nRECURRENCE-ID;RANGE=THISANDFUTURE:20240105T100000Z\n"
                            "DTSTART:20240105T200000Z\nDTEND:20240105T230000Z\nEND:VEVENT\n")},
        {"VEVENT",
         calendar("BEGIN:VEVENT\nUID:bomb\nDTSTART:20240105T000000Z\nRRULE:FREQ=MINUTELY;INTERVAL=45;COUNT=500\n"
                  "END:VEVENT\n")},
        {"VTODO", calendar("BEGIN:VTODO\nUID:t1\nDUE:20240106T000000Z\nEND:VTODO\n")},
        {"VTODO", calendar("BEGIN:VTODO\nUID:t2\nDTSTART:20240105T080000Z\nDUE:20240105T170000Z\nEND:VTODO\n")},
        {"VTODO", calendar("BEGIN:VTODO\nUID:t3\nDTSTART:20240105T080000Z\nEND:VTODO\n")},
        {"VTODO", calendar("BEGIN:VTODO\nUID:t4\nCREATED:20240103T000000Z\nCOMPLETED:20240107T000000Z\nEND:VTODO\n")},
        {"VTODO", calendar("BEGIN:VTODO\nUID:t5\nSUMMARY:someday\nEND:VTODO\n")},
        {"VJOURNAL", calendar("BEGIN:VJOURNAL\nUID:j\nDTSTART;VALUE=DATE:20240106\nEND:VJOURNAL\n")},
    };
}

}  // namespace

TEST_CASE("the index condition on expand() agrees with matches() on time ranges", "[calendar_filter][index]") {
    // Query windows of different sizes and alignments around January and April 2024.
    std::vector<std::pair<std::int64_t, std::int64_t>> windows;
    for (std::int64_t start = at(2024, 1, 1); start < at(2024, 1, 12); start += 5 * 3600)
        for (std::int64_t length : {std::int64_t{1}, std::int64_t{1800}, std::int64_t{7200}, std::int64_t{86400}})
            windows.emplace_back(start, start + length);
    for (std::int64_t start = at(2024, 3, 25); start < at(2024, 4, 20); start += 86400 / 2)
        windows.emplace_back(start, start + 3 * 3600);
    windows.emplace_back(at(2030, 1, 1), at(2030, 2, 1));
    windows.emplace_back(at(2000, 1, 1), at(2001, 1, 1));

    for (const char* zone : {"", "Europe/Berlin", "America/New_York"}) {
        for (const auto& [component, bytes] : corpus()) {
            caldav::ical::Expansion index =
                caldav::ical::expand(bytes, zone, {caldav::ical::all_time_start, at(2031, 1, 1), 100000});
            for (const auto& [from, to] : windows) {
                bool indexed = false;
                for (const auto& row : index.instances)
                    if (row.start < to && (row.end > from || (row.end == row.start && row.start >= from)))
                        indexed = true;
                INFO(bytes << "\nzone " << zone << " window " << from << ".." << to);
                CHECK(indexed == in_range(bytes, component.c_str(), from, to, zone));
            }
        }
    }
}

TEST_CASE("indexing from the validated tree gives what expanding the stored bytes gives", "[calendar_filter][index]") {
    const caldav::ical::ExpansionLimits limits{caldav::ical::all_time_start, at(2031, 1, 1), 300};
    for (const auto& [component, bytes] : corpus()) {
        caldav::ical::Validation validation = caldav::ical::validate_calendar_object(bytes, {});
        REQUIRE(validation.failed == caldav::ical::Precondition::none);
        caldav::ical::Expansion from_tree = caldav::ical::expand(validation.object, "Europe/Berlin", limits);
        caldav::ical::Expansion from_bytes = caldav::ical::expand(bytes, "Europe/Berlin", limits);
        INFO(bytes);
        REQUIRE(from_tree.instances.size() == from_bytes.instances.size());
        for (std::size_t i = 0; i < from_tree.instances.size(); ++i) {
            CHECK(from_tree.instances[i].start == from_bytes.instances[i].start);
            CHECK(from_tree.instances[i].end == from_bytes.instances[i].end);
        }
        CHECK(from_tree.open_ended == from_bytes.open_ended);
        CHECK(from_tree.truncated == from_bytes.truncated);
    }
}

TEST_CASE("a series cut short by the cap or the horizon answers exactly up to indexed_until",
          "[calendar_filter][index]") {
    // calendar-query answers from the index alone when the window ends at or before indexed_until
    // (store::IndexedMember::complete): the rows must then agree with matches() as for a full index.
    const caldav::ical::ExpansionLimits limits[] = {
        {caldav::ical::all_time_start, at(2024, 1, 8), 100000},  // horizon inside the series
        {caldav::ical::all_time_start, at(2031, 1, 1), 3},       // instance cap
        {caldav::ical::all_time_start, at(2024, 4, 10), 12},     // both, around the Berlin override
    };
    int decided = 0;
    for (const auto& limit : limits) {
        for (const auto& [component, bytes] : corpus()) {
            caldav::ical::Expansion index = caldav::ical::expand(bytes, "Europe/Berlin", limit);
            std::optional<std::int64_t> until = caldav::ical::indexed_until(index, limit);
            for (std::int64_t from = at(2024, 1, 1); from < at(2024, 4, 20); from += 7 * 3600) {
                std::int64_t to = from + 5 * 3600;
                if (until && to > *until) continue;  // not complete: calendar-query parses the object
                bool indexed = false;
                for (const auto& row : index.instances)
                    if (row.start < to && (row.end > from || (row.end == row.start && row.start >= from)))
                        indexed = true;
                INFO(bytes << "\nwindow " << from << ".." << to << " indexed until " << until.value_or(0));
                CHECK(indexed == in_range(bytes, component.c_str(), from, to, "Europe/Berlin"));
                ++decided;
            }
        }
    }
    CHECK(decided > 1000);
}

TEST_CASE("RFC 4791 §9.9: expected answers on the corpus", "[calendar_filter][dst]") {
    // Berlin weekly: 10:00 local is 09:00Z in March, 08:00Z after 31 March; 8 April excluded;
    // 15 April moved to 16 April 15:00 local (13:00Z).
    CHECK(in_range(berlin_weekly, "VEVENT", at(2024, 3, 25, 9), at(2024, 3, 25, 9, 1)));
    CHECK_FALSE(in_range(berlin_weekly, "VEVENT", at(2024, 4, 1, 9), at(2024, 4, 1, 10)));
    CHECK(in_range(berlin_weekly, "VEVENT", at(2024, 4, 1, 8), at(2024, 4, 1, 8, 1)));
    CHECK_FALSE(in_range(berlin_weekly, "VEVENT", at(2024, 4, 8), at(2024, 4, 9)));
    CHECK_FALSE(in_range(berlin_weekly, "VEVENT", at(2024, 4, 15), at(2024, 4, 16)));
    CHECK(in_range(berlin_weekly, "VEVENT", at(2024, 4, 16, 13), at(2024, 4, 16, 14)));
    CHECK(in_range(berlin_weekly, "VEVENT", at(2024, 10, 28, 9), at(2024, 10, 28, 9, 1)));
    CHECK_FALSE(in_range(berlin_weekly, "VEVENT", at(2024, 10, 28, 8), at(2024, 10, 28, 9)));
    CHECK_FALSE(in_range(berlin_weekly, "VEVENT", at(2024, 11, 11), at(2024, 11, 12)));  // after UNTIL
}
