// Calendar object resources (lib/ical/calendar_object): RFC 4791 §4.1 and the §5.3.2 preconditions.
#include <catch2/catch.hpp>

#include "ical/calendar_object.hpp"
#include "ical/instances.hpp"

#include <cstdint>
#include <string>
#include <vector>

using namespace caldav::ical;

namespace {

std::string calendar(const std::string& body, const std::string& head = "VERSION:2.0\nPRODID:-//test//EN\n") {
    return "BEGIN:VCALENDAR\n" + head + body + "END:VCALENDAR\n";
}

std::string event(const std::string& lines, const std::string& uid = "e1") {
    return "BEGIN:VEVENT\nUID:" + uid + "\nDTSTAMP:20240101T000000Z\n" + lines + "END:VEVENT\n";
}

const std::string simple = calendar(event("DTSTART:20240105T100000Z\nDTEND:20240105T110000Z\nSUMMARY:x\n"));

Precondition check(const std::string& bytes, const std::vector<std::string>& components = {}) {
    Validation validation = validate_calendar_object(bytes, components);
    INFO(validation.message);
    return validation.failed;
}

}  // namespace

TEST_CASE("RFC 4791 §4.1: a simple event is one calendar object resource", "[calendar_object]") {
    Validation validation = validate_calendar_object(simple, {"VEVENT", "VTODO"});
    CHECK(validation.failed == Precondition::none);
    CHECK(validation.object.uid == "e1");
    CHECK(validation.object.component == "VEVENT");
}

TEST_CASE("RFC 4791 §5.3.2: precondition element names", "[calendar_object]") {
    CHECK(std::string(precondition_name(Precondition::none)).empty());
    CHECK(std::string(precondition_name(Precondition::valid_calendar_data)) == "valid-calendar-data");
    CHECK(std::string(precondition_name(Precondition::valid_calendar_object_resource)) ==
          "valid-calendar-object-resource");
    CHECK(std::string(precondition_name(Precondition::supported_calendar_component)) == "supported-calendar-component");
    CHECK(std::string(precondition_name(Precondition::supported_calendar_data)) == "supported-calendar-data");
    CHECK(std::string(precondition_name(Precondition::max_instances)) == "max-instances");
}

TEST_CASE("RFC 5545 §3.1: CRLF, bare LF, folding and a BOM are all accepted", "[calendar_object]") {
    std::string crlf;
    for (char c : simple) {
        if (c == '\n') crlf += '\r';
        crlf += c;
    }
    CHECK(check(crlf) == Precondition::none);
    CHECK(check("\xEF\xBB\xBF" + simple) == Precondition::none);
    CHECK(check(calendar(event("DTSTART:20240105T100000Z\nSUMMARY:a long\r\n  folded\n\tline\nDESCRIPTION:x\n"))) ==
          Precondition::none);
    CHECK(check(simple + "\n\n") == Precondition::none);
}

TEST_CASE("RFC 5545 §3.1: structure is checked on unfolded lines, and errors name the physical line",
          "[calendar_object]") {
    // A BEGIN and an END folded in the middle of their names and values.
    CHECK(check(calendar("BEG\r\n IN:VEV\r\n\tENT\nUID:e1\nDTSTAMP:20240101T000000Z\nDTSTART:20240105T100000Z\n"
                         "END:VEVENT\n")) == Precondition::none);
    std::string folded_then_garbage =
        calendar(event("DESCRIPTION:one\n two\n three\nnot a content line\nDTSTART:20240105T100000Z\n"));
    Validation validation = validate_calendar_object(folded_then_garbage, {});
    CHECK(validation.failed == Precondition::valid_calendar_data);
    CHECK(validation.message == "line 10: not a content line: not a content line");
    validation = validate_calendar_object(calendar("BEGIN:VEVENT\nUID:a\nend:vtodo\n"), {});
    CHECK(validation.message == "line 6: END:VTODO does not close BEGIN:VEVENT");
    validation = validate_calendar_object(calendar(event("dtstart:20240105T100000Z\n")) + "x-after:1\n", {});
    CHECK(validation.failed == Precondition::valid_calendar_object_resource);
    CHECK(validation.message == "line 10: content after END:VCALENDAR (one VCALENDAR per resource)");
    validation = validate_calendar_object("x-before:1\n" + simple, {});
    CHECK(validation.message == "line 1: X-BEFORE outside BEGIN:VCALENDAR");
    CHECK(validate_calendar_object("BEGIN:VCALENDAR\nBEGIN:VEVENT\n", {}).message == "missing END:VEVENT");
}

TEST_CASE("RFC 4791 §5.3.2 valid-calendar-data: what is not iCalendar", "[calendar_object]") {
    CHECK(check("") == Precondition::valid_calendar_data);
    CHECK(check("hello world") == Precondition::valid_calendar_data);
    CHECK(check(std::string("BEGIN:VCALENDAR\nVERSION:2.0\n\0\nEND:VCALENDAR\n", 43)) ==
          Precondition::valid_calendar_data);
    // BEGIN/END.
    CHECK(check("BEGIN:VCALENDAR\nVERSION:2.0\n" + event("DTSTART:20240105T100000Z\n")) ==
          Precondition::valid_calendar_data);
    CHECK(check(calendar("BEGIN:VEVENT\nUID:a\nDTSTART:20240105T100000Z\nEND:VTODO\n")) ==
          Precondition::valid_calendar_data);
    CHECK(check(calendar("BEGIN:VEVENT\nUID:a\nDTSTART:20240105T100000Z\n")) == Precondition::valid_calendar_data);
    CHECK(check("BEGIN:VEVENT\nUID:a\nDTSTART:20240105T100000Z\nEND:VEVENT\n") == Precondition::valid_calendar_data);
    CHECK(check("PRODID:x\n" + simple) == Precondition::valid_calendar_data);
    // Garbage lines and bad names.
    CHECK(check(calendar(event("DTSTART:20240105T100000Z\ngarbage line here\n"))) == Precondition::valid_calendar_data);
    CHECK(check(calendar(event("DTSTART:20240105T100000Z\nSUM MARY:x\n"))) == Precondition::valid_calendar_data);
    // Values the server relies on.
    CHECK(check(calendar(event("DTSTART:garbage\n"))) == Precondition::valid_calendar_data);
    CHECK(check(calendar(event("DTSTART:20240105T1000\n"))) == Precondition::valid_calendar_data);
    CHECK(check(calendar(event("DTSTART:20241305T100000Z\n"))) == Precondition::valid_calendar_data);
    CHECK(check(calendar(event("DTSTART:20240230T100000Z\n"))) == Precondition::valid_calendar_data);
    CHECK(check(calendar(event("DTSTART:20240105T250000Z\n"))) == Precondition::valid_calendar_data);
    CHECK(check(calendar(event("DTSTART:20240105T100000Z\nRRULE:FREQ=SOMETIMES\n"))) ==
          Precondition::valid_calendar_data);
    CHECK(check(calendar(event("DTSTART:20240105T100000Z\nRRULE:FREQ=DAILY;COUNT=x\n"))) ==
          Precondition::valid_calendar_data);
    CHECK(check(calendar(event("DTSTART:20240105T100000Z\nDURATION:one hour\n"))) == Precondition::valid_calendar_data);
    CHECK(check(calendar(event("DTSTART:20240105T100000Z\nEXDATE:20240106T100000Z,tomorrow\n"))) ==
          Precondition::valid_calendar_data);
    CHECK(check(calendar(event("DTSTART:20240105T100000Z\n"), "VERSION:1.0\n")) == Precondition::valid_calendar_data);
}

TEST_CASE("RFC 5545 §3.8.8: unknown properties, parameters and X- extensions are tolerated", "[calendar_object]") {
    CHECK(check(calendar(event("DTSTART:20240105T100000Z\nX-FOO;X-BAR=1:baz\nFOO;BAR=baz:x\n"
                               "ATTENDEE;ROLE=WEIRD;FOOP=1;CN=\"A: B\":mailto:a@example.com\n"
                               "STATUS:SOMETHING-NEW\nGEO:not a geo\nX-APPLE-STRUCTURED-LOCATION;VALUE=URI:geo:1,2\n"
                               "DTSTART;X-IGNORED=1:20240105T100000Z\n") +
                         "BEGIN:X-VENDOR-THING\nX-A:b\nEND:X-VENDOR-THING\n")) != Precondition::valid_calendar_data);
    CHECK(check(calendar(event("DTSTART:20240105T100000Z\nX-FOO;X-BAR=1:baz\nFOO;BAR=baz:x\n"
                               "ATTENDEE;ROLE=WEIRD;FOOP=1;CN=\"A: B\":mailto:a@example.com\n"
                               "STATUS:SOMETHING-NEW\nGEO:not a geo\n")) +
                "") == Precondition::none);
    CHECK(check(calendar(event("DTSTART:20240105T100000Z\nBEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:-PT15M\n"
                               "X-WR-ALARMUID:1\nEND:VALARM\n") +
                         "BEGIN:X-VENDOR-THING\nX-A:b\nEND:X-VENDOR-THING\n")) == Precondition::none);
    // Missing VERSION and PRODID are forgiven.
    CHECK(check(calendar(event("DTSTART:20240105T100000Z\n"), "")) == Precondition::none);
}

TEST_CASE("RFC 5545 §3.2.19: TZIDs with trailing spaces and without VTIMEZONE are tolerated", "[calendar_object]") {
    CHECK(check(calendar(event("DTSTART;TZID=\"W. Europe Standard Time \":20240105T100000\n"
                               "DTEND;TZID=Europe/Berlin  :20240105T110000\n"))) == Precondition::none);
    CHECK(check(calendar("BEGIN:VTIMEZONE\nTZID:Mine \nBEGIN:STANDARD\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0100\n"
                         "DTSTART:19700101T000000\nEND:STANDARD\nEND:VTIMEZONE\n" +
                         event("DTSTART;TZID=Mine:20240105T100000\n"))) == Precondition::none);
    CHECK(check(calendar("BEGIN:VTIMEZONE\nBEGIN:STANDARD\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0100\n"
                         "DTSTART:19700101T000000\nEND:STANDARD\nEND:VTIMEZONE\n" +
                         event("DTSTART:20240105T100000Z\n"))) == Precondition::valid_calendar_data);
}

TEST_CASE("RFC 4791 §4.1: no METHOD in a calendar object resource", "[calendar_object]") {
    CHECK(check(calendar(event("DTSTART:20240105T100000Z\n"), "VERSION:2.0\nMETHOD:REQUEST\n")) ==
          Precondition::valid_calendar_object_resource);
}

TEST_CASE("RFC 4791 §4.1: exactly one VCALENDAR", "[calendar_object]") {
    CHECK(check(simple + simple) == Precondition::valid_calendar_object_resource);
}

TEST_CASE("RFC 4791 §4.1: one component type", "[calendar_object]") {
    CHECK(check(calendar(event("DTSTART:20240105T100000Z\n") + "BEGIN:VTODO\nUID:e1\nEND:VTODO\n")) ==
          Precondition::valid_calendar_object_resource);
    CHECK(check(calendar("BEGIN:VTIMEZONE\nTZID:x\nBEGIN:STANDARD\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0100\n"
                         "DTSTART:19700101T000000\nEND:STANDARD\nEND:VTIMEZONE\n")) ==
          Precondition::valid_calendar_object_resource);
    CHECK(check(calendar("")) == Precondition::valid_calendar_object_resource);
}

TEST_CASE("RFC 4791 §4.1: one UID, one master, overrides with RECURRENCE-ID", "[calendar_object]") {
    std::string master = event("DTSTART:20240105T100000Z\nRRULE:FREQ=DAILY;COUNT=5\n");
    std::string override_ = event("RECURRENCE-ID:20240106T100000Z\nDTSTART:20240106T120000Z\n");
    Validation ok = validate_calendar_object(calendar(master + override_), {"VEVENT"});
    CHECK(ok.failed == Precondition::none);
    CHECK(ok.object.uid == "e1");
    // Overrides alone (an invitation to one occurrence).
    CHECK(check(calendar(override_)) == Precondition::none);
    CHECK(check(calendar(master + event("DTSTART:20240105T100000Z\n", "other"))) ==
          Precondition::valid_calendar_object_resource);
    CHECK(check(calendar(master + master)) == Precondition::valid_calendar_object_resource);
    CHECK(check(calendar(master + override_ + override_)) == Precondition::valid_calendar_object_resource);
    CHECK(check(calendar("BEGIN:VEVENT\nDTSTART:20240105T100000Z\nEND:VEVENT\n")) ==
          Precondition::valid_calendar_object_resource);
    CHECK(check(calendar("BEGIN:VEVENT\nUID:\nDTSTART:20240105T100000Z\nEND:VEVENT\n")) != Precondition::none);
}

TEST_CASE("RFC 5545 §3.6.1: VEVENT needs DTSTART, not both DTEND and DURATION", "[calendar_object]") {
    CHECK(check(calendar(event("SUMMARY:no start\n"))) == Precondition::valid_calendar_object_resource);
    CHECK(check(calendar(event("DTSTART:20240105T100000Z\nDTEND:20240105T110000Z\nDURATION:PT1H\n"))) ==
          Precondition::valid_calendar_object_resource);
}

TEST_CASE("RFC 5545 §3.6.2: VTODO rules", "[calendar_object]") {
    CHECK(check(calendar("BEGIN:VTODO\nUID:t\nSUMMARY:undated\nEND:VTODO\n")) == Precondition::none);
    CHECK(check(calendar("BEGIN:VTODO\nUID:t\nDUE:20240105T100000Z\nEND:VTODO\n")) == Precondition::none);
    CHECK(check(calendar("BEGIN:VTODO\nUID:t\nDTSTART:20240105T100000Z\nDUE:20240105T100000Z\nDURATION:PT1H\n"
                         "END:VTODO\n")) == Precondition::valid_calendar_object_resource);
    CHECK(check(calendar("BEGIN:VTODO\nUID:t\nDURATION:PT1H\nEND:VTODO\n")) ==
          Precondition::valid_calendar_object_resource);
    CHECK(check(calendar("BEGIN:VTODO\nUID:t\nRRULE:FREQ=DAILY\nEND:VTODO\n")) ==
          Precondition::valid_calendar_object_resource);
}

TEST_CASE("RFC 4791 §5.3.2 supported-calendar-component", "[calendar_object]") {
    std::string todo = calendar("BEGIN:VTODO\nUID:t\nEND:VTODO\n");
    CHECK(check(todo, {"VEVENT"}) == Precondition::supported_calendar_component);
    CHECK(check(todo, {"vevent", "vtodo"}) == Precondition::none);
    CHECK(check(todo, {}) == Precondition::none);
    CHECK(validate_calendar_object(calendar("BEGIN:VJOURNAL\nUID:j\nEND:VJOURNAL\n"), {}).object.component ==
          "VJOURNAL");
    CHECK(check(calendar("BEGIN:VFREEBUSY\nUID:f\nEND:VFREEBUSY\n"), {"VFREEBUSY"}) == Precondition::none);
    CHECK(check(calendar("BEGIN:VSOMETHING\nUID:f\nEND:VSOMETHING\n")) == Precondition::supported_calendar_component);
}

TEST_CASE("recurrence rules libical cannot iterate in bounded time are refused", "[calendar_object][bomb]") {
    CHECK(check(calendar(event("DTSTART:20240105T100000Z\nRRULE:FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30\n"))) ==
          Precondition::max_instances);
    CHECK(check(calendar(event("DTSTART:20240105T100000Z\nRRULE:FREQ=SECONDLY\n"))) == Precondition::none);
    CHECK(check(calendar(event("DTSTART:20240105T100000Z\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\n"))) ==
          Precondition::none);
}

TEST_CASE("RFC 5545 §3.1.4: invalid UTF-8 and control characters are valid-calendar-data failures", "[ical]") {
    const std::string good =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:u\r\n"
        "DTSTAMP:20240101T000000Z\r\nDTSTART:20300101T100000Z\r\nSUMMARY:SUMMARY_TEXT\r\nEND:VEVENT\r\nEND:"
        "VCALENDAR\r\n";
    auto with = [&](const std::string& summary) {
        std::string body = good;
        body.replace(body.find("SUMMARY_TEXT"), 12, summary);
        return caldav::ical::validate_calendar_object(body, {}).failed;
    };
    using caldav::ical::Precondition;
    CHECK(with("Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80") == Precondition::none);
    CHECK(with("overlong \xc0\xae") == Precondition::valid_calendar_data);
    CHECK(with("byte \xff") == Precondition::valid_calendar_data);
    CHECK(with("surrogate \xed\xa0\x80") == Precondition::valid_calendar_data);
    CHECK(with("truncated \xe2\x82") == Precondition::valid_calendar_data);
    CHECK(with(std::string("bell \x07")) == Precondition::valid_calendar_data);
    CHECK(with(std::string("tab\tis fine")) == Precondition::none);
}

TEST_CASE("libical is given the lines the server uses, folded ones whole, every VTIMEZONE line", "[calendar_object]") {
    const std::string bytes =
        "\xEF\xBB\xBF"
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
        "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nX-LIC-LOCATION:Europe/Berlin\r\nBEGIN:STANDARD\r\n"
        "TZNAME:CET\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nDTSTART:19701025T030000\r\n"
        "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
        "BEGIN:VEVENT\r\nUID:e1\r\nSUMMARY:Lunch\r\nDESCRIPTION:a long text folded\r\n  over two lines\r\n"
        "DTST\r\n ART;TZID=Europe/Berlin:20260105T120000\r\nATTENDEE;CN=\"A, B\":mailto:a@example.org\r\n"
        "X-VENDOR:x\r\nRRULE:FREQ=WEEKLY;\r\n COUNT=3\r\n"
        "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    detail::FilteredLines lines = detail::lines_that_matter(bytes);
    CHECK(lines.known_zones.empty());  // no object with this VTIMEZONE was accepted before
    REQUIRE(lines.kept_zones.size() == 1);
    CHECK(lines.kept_zones[0].substr(0, 17) == "BEGIN:VTIMEZONE\r\n");
    CHECK(lines.kept_zones[0].substr(lines.kept_zones[0].size() - 15) == "END:VTIMEZONE\r\n");
    CHECK(lines.text ==
          "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
          "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nX-LIC-LOCATION:Europe/Berlin\r\nBEGIN:STANDARD\r\n"
          "TZNAME:CET\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nDTSTART:19701025T030000\r\n"
          "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
          "BEGIN:VEVENT\r\nUID:e1\r\nDTST\r\n ART;TZID=Europe/Berlin:20260105T120000\r\nRRULE:FREQ=WEEKLY;\r\n "
          "COUNT=3\r\n"
          "BEGIN:VALARM\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
}

TEST_CASE("the parsed lines give the verdicts and the occurrences of the whole text", "[calendar_object]") {
    const std::string rich = event(
        "DTSTART;TZID=America/New_York:20260302T090000\nDURATION:PT1H\nRRULE:FREQ=DAILY;COUNT=10\n"
        "EXDATE;TZID=America/New_York:20260304T090000\nDESCRIPTION:notes \\, with a comma\n"
        "ATTENDEE;CN=Bob;PARTSTAT=NEEDS-ACTION;X-BROKEN=\"unclosed:mailto:bob@example.org\n"
        "GEO:not a geo\nPRIORITY:high\nX-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC\n");
    const std::string moved = event(
        "RECURRENCE-ID;TZID=America/New_York:20260305T090000\nDTSTART;TZID=America/New_York:20260305T140000\n"
        "DURATION:PT2H\nSUMMARY:moved\n");
    const std::string bytes = calendar(rich + moved);
    Validation validation = validate_calendar_object(bytes, {});
    INFO(validation.message);
    REQUIRE(validation.failed == Precondition::none);
    const ExpansionLimits all{-(std::int64_t{1} << 40), std::int64_t{1} << 40, 1000};
    std::vector<Instance> from_parsed = expand(validation.object, "", all).instances;
    std::vector<Instance> from_text = expand(bytes, "", all).instances;
    REQUIRE(from_parsed.size() == 9);
    REQUIRE(from_text.size() == from_parsed.size());
    for (std::size_t i = 0; i < from_text.size(); ++i) {
        CHECK(from_parsed[i].start == from_text[i].start);
        CHECK(from_parsed[i].end == from_text[i].end);
    }
    // A value that matters is still read, and still fatal when libical cannot parse it.
    CHECK(check(calendar(event("DTSTART:tomorrow\nDESCRIPTION:x\n"))) == Precondition::valid_calendar_data);
    CHECK(check(calendar(event("DTSTART:20260302T090000Z\nRRULE:FREQ=SOMETIMES\n"))) ==
          Precondition::valid_calendar_data);
}

namespace {

// A zone no other test sends (UTC+3, +4 in summer from the last Sunday of March to that of
// October), so that which of its texts this process has accepted depends on this test alone.
std::string test_zone(const std::string& tzid, const std::string& summer_offset = "+0400") {
    return "BEGIN:VTIMEZONE\nTZID:" + tzid + "\nBEGIN:DAYLIGHT\nTZOFFSETFROM:+0300\nTZOFFSETTO:" + summer_offset +
           "\nDTSTART:19700329T020000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\nEND:DAYLIGHT\n"
           "BEGIN:STANDARD\nTZOFFSETFROM:" +
           summer_offset +
           "\nTZOFFSETTO:+0300\nDTSTART:19701025T030000\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\nEND:STANDARD\n"
           "END:VTIMEZONE\n";
}

// A weekly series across the March change, with one occurrence moved by RECURRENCE-ID.
std::string series_in(const std::string& zone_text, const std::string& tzid) {
    return calendar(zone_text +
                    event("DTSTART;TZID=" + tzid + ":20260316T090000\nDURATION:PT1H\nRRULE:FREQ=WEEKLY;COUNT=4\n") +
                    event("RECURRENCE-ID;TZID=" + tzid + ":20260323T090000\nDTSTART;TZID=" + tzid +
                          ":20260323T150000\nDURATION:PT1H\n"));
}

std::vector<std::int64_t> starts(const Expansion& expansion) {
    std::vector<std::int64_t> result;
    for (const Instance& instance : expansion.instances) result.push_back(instance.start);
    return result;
}

const ExpansionLimits all_time{-(std::int64_t{1} << 40), std::int64_t{1} << 40, 1000};

}  // namespace

TEST_CASE("a VTIMEZONE text accepted before is not parsed again, and resolves to the same zone", "[calendar_object]") {
    const std::string tzid = "Test/Known-Twice";
    const std::string bytes = series_in(test_zone(tzid), tzid);

    detail::FilteredLines first = detail::lines_that_matter(bytes);
    CHECK(first.known_zones.empty());
    CHECK(first.kept_zones.size() == 1);
    Validation accepted = validate_calendar_object(bytes, {});
    INFO(accepted.message);
    REQUIRE(accepted.failed == Precondition::none);
    CHECK(accepted.object.known_zones.empty());
    const std::vector<std::int64_t> parsed_zone = starts(expand(accepted.object, "", all_time));

    // The same text again: left out of what libical parses, its zone listed instead.
    detail::FilteredLines second = detail::lines_that_matter(bytes);
    REQUIRE(second.known_zones.size() == 1);
    CHECK(second.known_zones[0].tzid == tzid);
    CHECK(second.kept_zones.empty());
    CHECK(second.text.find("VTIMEZONE") == std::string::npos);
    CHECK(second.text.find("TZOFFSETTO") == std::string::npos);

    Validation again = validate_calendar_object(bytes, {});
    INFO(again.message);
    REQUIRE(again.failed == Precondition::none);
    REQUIRE(again.object.known_zones.size() == 1);
    const std::vector<std::int64_t> known_zone = starts(expand(again.object, "", all_time));
    // 2026-03-16 09:00 at +0300 is 06:00Z; the override 03-23 15:00 at +0300 is 12:00Z; after the
    // change on 03-29, 09:00 at +0400 is 05:00Z.
    const std::vector<std::int64_t> expected = {1773640800, 1774267200, 1774846800, 1775451600};
    CHECK(parsed_zone == expected);
    CHECK(known_zone == expected);
    CHECK(starts(expand(bytes, "", all_time)) == expected);  // the whole text, parsed
}

TEST_CASE("a VTIMEZONE is remembered only from an accepted object, and only byte for byte", "[calendar_object]") {
    const std::string tzid = "Test/Remembered-Only-When-Accepted";
    const std::string zone_text = test_zone(tzid);
    // Refused (no UID): its VTIMEZONE must not count as accepted.
    const std::string refused =
        calendar(zone_text + "BEGIN:VEVENT\nDTSTART;TZID=" + tzid + ":20260316T090000\nEND:VEVENT\n");
    CHECK(check(refused) == Precondition::valid_calendar_object_resource);
    CHECK(detail::lines_that_matter(refused).known_zones.empty());

    const std::string bytes = series_in(zone_text, tzid);
    REQUIRE(check(bytes) == Precondition::none);
    CHECK(detail::lines_that_matter(bytes).known_zones.size() == 1);

    // One byte changed (summer at +0500): parsed, and its own offsets used.
    const std::string changed = series_in(test_zone(tzid, "+0500"), tzid);
    detail::FilteredLines lines = detail::lines_that_matter(changed);
    CHECK(lines.known_zones.empty());
    CHECK(lines.kept_zones.size() == 1);
    Validation validation = validate_calendar_object(changed, {});
    REQUIRE(validation.failed == Precondition::none);
    CHECK(starts(expand(validation.object, "", all_time)).back() == 1775451600 - 3600);
    // CRLF line ends are another text: parsed once more, then known too.
    std::string crlf;
    for (char c : bytes) {
        if (c == '\n') crlf += '\r';
        crlf += c;
    }
    CHECK(detail::lines_that_matter(crlf).known_zones.empty());
    REQUIRE(check(crlf) == Precondition::none);
    CHECK(detail::lines_that_matter(crlf).known_zones.size() == 1);

    // A VTIMEZONE of more than 16 KB is accepted, but never kept for the life of the process.
    const std::string large_tzid = "Test/Too-Large-To-Remember";
    std::string large = test_zone(large_tzid);
    large.insert(large.find("BEGIN:DAYLIGHT"), "X-PADDING:" + std::string(17 * 1024, 'p') + "\n");
    const std::string large_bytes = series_in(large, large_tzid);
    REQUIRE(check(large_bytes) == Precondition::none);
    CHECK(detail::lines_that_matter(large_bytes).known_zones.empty());
}
