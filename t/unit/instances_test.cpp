// The time-range index (lib/ical/instances): RFC 4791 §9.9 per component, RFC 5545 recurrence.
#include <catch2/catch.hpp>

#include "ical/instances.hpp"
#include "ical/parse.hpp"
#include "ical/temporaries.hpp"
#include "ical/timezone_cache.hpp"

#include <chrono>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

using namespace caldav::ical;

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

constexpr std::int64_t hour = 3600;
constexpr std::int64_t day = 86400;

ExpansionLimits everything(std::size_t max = 1000) {
    return {all_time_start, all_time_end, max};
}

ExpansionLimits between(std::int64_t from, std::int64_t to, std::size_t max = 1000) {
    return {from, to, max};
}

std::string calendar(const std::string& body) {
    return "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n" + body + "END:VCALENDAR\n";
}

std::string event(const std::string& lines) {
    return calendar("BEGIN:VEVENT\nUID:e1\n" + lines + "END:VEVENT\n");
}

std::string todo(const std::string& lines) {
    return calendar("BEGIN:VTODO\nUID:t1\n" + lines + "END:VTODO\n");
}

std::string journal(const std::string& lines) {
    return calendar("BEGIN:VJOURNAL\nUID:j1\n" + lines + "END:VJOURNAL\n");
}

const char* const berlin_vtimezone =
    "BEGIN:VTIMEZONE\n"
    "TZID:Custom Berlin\n"
    "BEGIN:DAYLIGHT\n"
    "TZOFFSETFROM:+0100\n"
    "TZOFFSETTO:+0200\n"
    "TZNAME:CEST\n"
    "DTSTART:19700329T020000\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\n"
    "END:DAYLIGHT\n"
    "BEGIN:STANDARD\n"
    "TZOFFSETFROM:+0200\n"
    "TZOFFSETTO:+0100\n"
    "TZNAME:CET\n"
    "DTSTART:19701025T030000\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\n"
    "END:STANDARD\n"
    "END:VTIMEZONE\n";

// A zone no built-in has: proves the object's own VTIMEZONE is used.
const char* const fixed_vtimezone =
    "BEGIN:VTIMEZONE\n"
    "TZID:Europe/Berlin\n"
    "BEGIN:STANDARD\n"
    "TZOFFSETFROM:+0530\n"
    "TZOFFSETTO:+0530\n"
    "DTSTART:19700101T000000\n"
    "END:STANDARD\n"
    "END:VTIMEZONE\n";

std::vector<std::int64_t> starts(const Expansion& expansion) {
    std::vector<std::int64_t> result;
    for (const Instance& instance : expansion.instances) result.push_back(instance.start);
    return result;
}

}  // namespace

TEST_CASE("RFC 4791 §9.9: VEVENT with DTEND is [DTSTART, DTEND)", "[instances]") {
    Expansion e = expand(event("DTSTART:20240105T100000Z\nDTEND:20240105T113000Z\n"), "", everything());
    REQUIRE(e.instances.size() == 1);
    CHECK(e.instances[0].start == at(2024, 1, 5, 10));
    CHECK(e.instances[0].end == at(2024, 1, 5, 11, 30));
    CHECK_FALSE(e.open_ended);
    CHECK_FALSE(e.truncated);
}

TEST_CASE("RFC 4791 §9.9: VEVENT with DURATION is [DTSTART, DTSTART+DURATION)", "[instances]") {
    Expansion e = expand(event("DTSTART:20240105T100000Z\nDURATION:P1DT2H\n"), "", everything());
    REQUIRE(e.instances.size() == 1);
    CHECK(e.instances[0].end == at(2024, 1, 6, 12));
}

TEST_CASE("RFC 4791 §9.9: VEVENT DATE-TIME without DTEND/DURATION is an instant", "[instances]") {
    Expansion e = expand(event("DTSTART:20240105T100000Z\n"), "", everything());
    REQUIRE(e.instances.size() == 1);
    CHECK(e.instances[0].start == e.instances[0].end);
}

TEST_CASE("RFC 4791 §9.9: all-day VEVENT without DTEND lasts one day, in the calendar's zone", "[instances]") {
    std::string bytes = event("DTSTART;VALUE=DATE:20240105\n");
    Expansion utc = expand(bytes, "", everything());
    REQUIRE(utc.instances.size() == 1);
    CHECK(utc.instances[0].start == at(2024, 1, 5));
    CHECK(utc.instances[0].end == at(2024, 1, 6));
    Expansion berlin = expand(bytes, "Europe/Berlin", everything());
    REQUIRE(berlin.instances.size() == 1);
    CHECK(berlin.instances[0].start == at(2024, 1, 4, 23));
    CHECK(berlin.instances[0].end == at(2024, 1, 5, 23));
}

TEST_CASE("RFC 5545 §3.3.6: a multi-day all-day event keeps nominal days across DST", "[instances]") {
    // 30 March to 1 April 2024 in Berlin: the night of 31 March is one hour short.
    Expansion e =
        expand(event("DTSTART;VALUE=DATE:20240330\nDTEND;VALUE=DATE:20240401\n"), "Europe/Berlin", everything());
    REQUIRE(e.instances.size() == 1);
    CHECK(e.instances[0].start == at(2024, 3, 29, 23));
    CHECK(e.instances[0].end == at(2024, 3, 31, 22));
}

TEST_CASE("RFC 5545 §3.3.5: floating times are resolved in the default timezone", "[instances]") {
    std::string bytes = event("DTSTART:20240105T100000\nDTEND:20240105T110000\n");
    CHECK(expand(bytes, "", everything()).instances.at(0).start == at(2024, 1, 5, 10));
    CHECK(expand(bytes, "America/New_York", everything()).instances.at(0).start == at(2024, 1, 5, 15));
    CHECK(expand(bytes, "No/Such_Zone", everything()).instances.at(0).start == at(2024, 1, 5, 10));
}

TEST_CASE("RFC 4791 §5.2.2: floating times follow the calendar-timezone's own definition, any TZID", "[instances]") {
    std::string bytes = event("DTSTART:20240705T100000\nDTEND:20240705T110000\n");
    // A TZID libical does not know, with a fixed +05:30: the definition decides, not the name.
    std::string custom = calendar(
        "BEGIN:VTIMEZONE\nTZID:My Own Zone\nBEGIN:STANDARD\nTZOFFSETFROM:+0530\n"
        "TZOFFSETTO:+0530\nDTSTART:19700101T000000\nEND:STANDARD\nEND:VTIMEZONE\n");
    for (int round = 0; round < 2; ++round)  // the second time from the cache of accepted texts
        CHECK(expand(bytes, custom, everything()).instances.at(0).start == at(2024, 7, 5, 4, 30));
    CHECK(expand(bytes, calendar(berlin_vtimezone), everything()).instances.at(0).start == at(2024, 7, 5, 8));
    // A definition validate_calendar_timezone refuses is never expanded (its rule recurs every
    // second): floating times are then UTC.
    std::string bomb = calendar(
        "BEGIN:VTIMEZONE\nTZID:Bomb\nBEGIN:STANDARD\nTZOFFSETFROM:+0100\n"
        "TZOFFSETTO:+0200\nDTSTART:19700101T000000\nRRULE:FREQ=SECONDLY\nEND:STANDARD\n"
        "END:VTIMEZONE\n");
    CHECK(expand(bytes, bomb, everything()).instances.at(0).start == at(2024, 7, 5, 10));
}

TEST_CASE("RFC 5545 §3.2.19: TZID resolves through the object's VTIMEZONE first", "[instances]") {
    std::string bytes = calendar(std::string(fixed_vtimezone) +
                                 "BEGIN:VEVENT\nUID:x\nDTSTART;TZID=Europe/Berlin:20240105T100000\nEND:VEVENT\n");
    CHECK(expand(bytes, "", everything()).instances.at(0).start == at(2024, 1, 5, 4, 30));
}

TEST_CASE("the per-thread zone cache tells apart two definitions of one TZID, in any order", "[instances]") {
    // The Berlin definition with DST and the fixed +05:30 one share the TZID "Europe/Berlin": each
    // object must keep its own, however often each was seen before.
    auto object = [](const char* vtimezone) {
        return calendar(std::string(vtimezone) +
                        "BEGIN:VEVENT\nUID:x\nDTSTART;TZID=Europe/Berlin:20240705T100000\nEND:VEVENT\n");
    };
    for (int round = 0; round < 3; ++round) {
        CHECK(expand(object(berlin_vtimezone), "", everything()).instances.at(0).start == at(2024, 7, 5, 8));
        CHECK(expand(object(fixed_vtimezone), "", everything()).instances.at(0).start == at(2024, 7, 5, 4, 30));
    }
}

TEST_CASE("RFC 5545 §3.2.19: IANA and Microsoft TZIDs without VTIMEZONE, trailing spaces", "[instances]") {
    // Outlook writes Windows zone names and sometimes trailing spaces; there is no VTIMEZONE.
    for (const char* tzid :
         {"Europe/Berlin", "Europe/Berlin  ", "W. Europe Standard Time", "W. Europe Standard Time ",
          "/freeassociation.sourceforge.net/Europe/Berlin", "/mozilla.org/20050126_1/Europe/Berlin"}) {
        INFO(tzid);
        std::string bytes = event(std::string("DTSTART;TZID=\"") + tzid + "\":20240705T100000\n");
        Expansion e = expand(bytes, "", everything());
        REQUIRE(e.instances.size() == 1);
        CHECK(e.instances[0].start == at(2024, 7, 5, 8));
    }
    // An unknown TZID is treated as floating.
    CHECK(expand(event("DTSTART;TZID=Mars/Olympus:20240705T100000\n"), "", everything()).instances.at(0).start ==
          at(2024, 7, 5, 10));
}

TEST_CASE("RFC 5545 §3.3.10: a weekly Berlin event shifts in UTC at the DST changes", "[instances][dst]") {
    std::string body =
        "DTSTART;TZID=Custom Berlin:20240318T100000\nDTEND;TZID=Custom Berlin:20240318T110000\n"
        "RRULE:FREQ=WEEKLY;UNTIL=20241105T000000Z\n";
    std::string with_vtimezone =
        calendar(std::string(berlin_vtimezone) + "BEGIN:VEVENT\nUID:w\n" + body + "END:VEVENT\n");
    std::string builtin = event(
        "DTSTART;TZID=Europe/Berlin:20240318T100000\n"
        "DTEND;TZID=Europe/Berlin:20240318T110000\nRRULE:FREQ=WEEKLY;UNTIL=20241105T000000Z\n");
    for (const std::string& bytes : {with_vtimezone, builtin}) {
        Expansion e = expand(bytes, "", everything());
        REQUIRE(e.instances.size() == 34);  // 18 March .. 4 November
        CHECK_FALSE(e.open_ended);
        CHECK(e.instances[0].start == at(2024, 3, 18, 9));
        CHECK(e.instances[1].start == at(2024, 3, 25, 9));
        CHECK(e.instances[2].start == at(2024, 4, 1, 8));  // CEST from 31 March
        CHECK(e.instances[2].end == at(2024, 4, 1, 9));
        CHECK(e.instances[31].start == at(2024, 10, 21, 8));
        CHECK(e.instances[32].start == at(2024, 10, 28, 9));  // CET again from 27 October
        CHECK(e.instances[33].start == at(2024, 11, 4, 9));
    }
}

TEST_CASE("RFC 5545 §3.3.10: UNTIL is inclusive, compared in UTC", "[instances]") {
    std::string rule = "DTSTART;TZID=Europe/Berlin:20240304T100000\nRRULE:FREQ=WEEKLY;UNTIL=";
    CHECK(expand(event(rule + "20240401T080000Z\n"), "", everything()).instances.size() == 5);
    CHECK(expand(event(rule + "20240401T075959Z\n"), "", everything()).instances.size() == 4);
}

TEST_CASE("RFC 5545 §3.8.5.1: EXDATE removes occurrences, also by DATE", "[instances]") {
    Expansion e = expand(event("DTSTART:20240101T100000Z\nDURATION:PT1H\nRRULE:FREQ=DAILY;COUNT=5\n"
                               "EXDATE:20240102T100000Z,20240104T100000Z\n"),
                         "", everything());
    CHECK(starts(e) == std::vector<std::int64_t>{at(2024, 1, 1, 10), at(2024, 1, 3, 10), at(2024, 1, 5, 10)});
    Expansion by_date = expand(
        event("DTSTART;TZID=Europe/Berlin:20240101T100000\nRRULE:FREQ=DAILY;COUNT=3\nEXDATE;VALUE=DATE:20240102\n"), "",
        everything());
    CHECK(starts(by_date) == std::vector<std::int64_t>{at(2024, 1, 1, 9), at(2024, 1, 3, 9)});
    Expansion in_zone = expand(event("DTSTART;TZID=Europe/Berlin:20240101T100000\nRRULE:FREQ=DAILY;COUNT=3\n"
                                     "EXDATE;TZID=Europe/Berlin:20240103T100000\n"),
                               "", everything());
    CHECK(starts(in_zone) == std::vector<std::int64_t>{at(2024, 1, 1, 9), at(2024, 1, 2, 9)});
}

TEST_CASE("RFC 5545 §3.8.5.2: RDATE as dates, date-times and periods", "[instances]") {
    Expansion e = expand(event("DTSTART:20240101T100000Z\nDTEND:20240101T110000Z\n"
                               "RDATE:20240110T100000Z,20240111T120000Z\n"
                               "RDATE;VALUE=PERIOD:20240120T080000Z/PT3H,20240121T080000Z/20240121T083000Z\n"),
                         "", everything());
    REQUIRE(e.instances.size() == 5);
    CHECK(e.instances[1].start == at(2024, 1, 10, 10));
    CHECK(e.instances[1].end == at(2024, 1, 10, 11));
    CHECK(e.instances[2].start == at(2024, 1, 11, 12));
    CHECK(e.instances[3].start == at(2024, 1, 20, 8));
    CHECK(e.instances[3].end == at(2024, 1, 20, 11));
    CHECK(e.instances[4].end == at(2024, 1, 21, 8, 30));
    Expansion dates = expand(event("DTSTART;VALUE=DATE:20240101\nRDATE;VALUE=DATE:20240105\n"), "", everything());
    CHECK(starts(dates) == std::vector<std::int64_t>{at(2024, 1, 1), at(2024, 1, 5)});
}

namespace {

// A daily series 1..5 January at 10:00Z; the 3rd moved to 20 January 15:00Z, the 4th moved to
// 31 December of the year before.
const std::string series_with_overrides = calendar(
    "BEGIN:VEVENT\nUID:s\nDTSTART:20240101T100000Z\nDTEND:20240101T110000Z\nRRULE:FREQ=DAILY;COUNT=5\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:s\nRECURRENCE-ID:20240103T100000Z\nDTSTART:20240120T150000Z\nDTEND:20240120T170000Z\n"
    "END:VEVENT\n"
    "BEGIN:VEVENT\nUID:s\nRECURRENCE-ID:20240104T100000Z\nDTSTART:20231231T100000Z\nDTEND:20231231T110000Z\n"
    "END:VEVENT\n");

}  // namespace

TEST_CASE("RFC 5545 §3.8.4.4: an override replaces the occurrence it names", "[instances]") {
    Expansion e = expand(series_with_overrides, "", everything());
    CHECK(starts(e) == std::vector<std::int64_t>{at(2023, 12, 31, 10), at(2024, 1, 1, 10), at(2024, 1, 2, 10),
                                                 at(2024, 1, 5, 10), at(2024, 1, 20, 15)});
    CHECK(e.instances.back().end == at(2024, 1, 20, 17));
}

TEST_CASE("RFC 5545 §3.8.4.4: overrides moved across the horizon's edges", "[instances]") {
    // The horizon covers 1..4 January: the moved 3rd is outside, the 4th (moved out, before) too.
    Expansion e = expand(series_with_overrides, "", between(at(2024, 1, 1), at(2024, 1, 5)));
    CHECK(starts(e) == std::vector<std::int64_t>{at(2024, 1, 1, 10), at(2024, 1, 2, 10)});
    CHECK(e.open_ended);  // the moved occurrence on 20 January lies beyond the horizon
    // A horizon around 20 January finds the moved occurrence although its RECURRENCE-ID is outside.
    Expansion late = expand(series_with_overrides, "", between(at(2024, 1, 15), at(2024, 2, 1)));
    CHECK(starts(late) == std::vector<std::int64_t>{at(2024, 1, 20, 15)});
    CHECK_FALSE(late.open_ended);
}

TEST_CASE("RFC 5545 §3.2.13: RANGE=THISANDFUTURE shifts the later occurrences", "[instances]") {
    std::string bytes = calendar(
        "BEGIN:VEVENT\nUID:f\nDTSTART:20240101T100000Z\nDTEND:20240101T110000Z\nRRULE:FREQ=DAILY;COUNT=5\n"
        "END:VEVENT\n"
        "BEGIN:VEVENT\nUID:f\nRECURRENCE-ID;RANGE=THISANDFUTURE:20240103T100000Z\nDTSTART:20240103T120000Z\n"
        "DTEND:20240103T140000Z\nEND:VEVENT\n");
    Expansion e = expand(bytes, "", everything());
    REQUIRE(e.instances.size() == 5);
    CHECK(e.instances[1].start == at(2024, 1, 2, 10));
    CHECK(e.instances[2].start == at(2024, 1, 3, 12));
    CHECK(e.instances[3].start == at(2024, 1, 4, 12));
    CHECK(e.instances[3].end == at(2024, 1, 4, 14));
    CHECK(e.instances[4].start == at(2024, 1, 5, 12));
}

TEST_CASE("RFC 4791 §4.1: overrides without their master stand alone", "[instances]") {
    Expansion e = expand(calendar("BEGIN:VEVENT\nUID:o\nRECURRENCE-ID:20240103T100000Z\n"
                                  "DTSTART:20240103T120000Z\nDTEND:20240103T130000Z\nEND:VEVENT\n"),
                         "", everything());
    CHECK(starts(e) == std::vector<std::int64_t>{at(2024, 1, 3, 12)});
}

TEST_CASE("the horizon: only overlapping occurrences, open_ended past its end", "[instances]") {
    std::string weekly = event("DTSTART:20240101T100000Z\nDTEND:20240101T110000Z\nRRULE:FREQ=WEEKLY\n");
    Expansion e = expand(weekly, "", between(at(2024, 1, 8, 10, 30), at(2024, 1, 29)));
    // 8 January overlaps the horizon's start; 29 January starts at its end and is out.
    CHECK(starts(e) == std::vector<std::int64_t>{at(2024, 1, 8, 10), at(2024, 1, 15, 10), at(2024, 1, 22, 10)});
    CHECK(e.open_ended);
    CHECK_FALSE(e.truncated);

    Expansion counted = expand(event("DTSTART:20240101T100000Z\nRRULE:FREQ=WEEKLY;COUNT=3\n"), "",
                               between(at(2024, 1, 1), at(2025, 1, 1)));
    CHECK(counted.instances.size() == 3);
    CHECK_FALSE(counted.open_ended);
    Expansion until_later = expand(event("DTSTART:20240101T100000Z\nRRULE:FREQ=WEEKLY;UNTIL=20250101T000000Z\n"), "",
                                   between(at(2024, 1, 1), at(2024, 2, 1)));
    CHECK(until_later.instances.size() == 5);
    CHECK(until_later.open_ended);
    // A single event beyond the horizon is not listed, and said so.
    Expansion far = expand(event("DTSTART:20990101T100000Z\n"), "", between(at(2024, 1, 1), at(2030, 1, 1)));
    CHECK(far.instances.empty());
    CHECK(far.open_ended);
}

TEST_CASE("max_instances truncates in chronological order", "[instances]") {
    Expansion e =
        expand(event("DTSTART:20240101T100000Z\nRRULE:FREQ=DAILY\nRDATE:20231201T100000Z\n"), "", everything(10));
    REQUIRE(e.instances.size() == 10);
    CHECK(e.truncated);
    CHECK(e.instances[0].start == at(2023, 12, 1, 10));
    CHECK(e.instances[9].start == at(2024, 1, 9, 10));
    Expansion exact = expand(event("DTSTART:20240101T100000Z\nRRULE:FREQ=DAILY;COUNT=10\n"), "", everything(10));
    CHECK(exact.instances.size() == 10);
    CHECK_FALSE(exact.truncated);
}

TEST_CASE("recurrence bombs return quickly", "[instances][bomb]") {
    auto started = std::chrono::steady_clock::now();
    Expansion secondly = expand(event("DTSTART:20240101T100000Z\nRRULE:FREQ=SECONDLY\n"), "", everything(1000));
    CHECK(secondly.instances.size() == 1000);
    CHECK(secondly.truncated);
    // Far from DTSTART: skipped ahead, not iterated second by second.
    Expansion later = expand(event("DTSTART:20000101T000000Z\nRRULE:FREQ=SECONDLY\n"), "",
                             between(at(2030, 1, 1), at(2030, 1, 2), 100));
    REQUIRE(later.instances.size() == 100);
    CHECK(later.instances[0].start == at(2030, 1, 1));
    // A huge COUNT cannot be skipped: the work bound cuts it.
    Expansion counted = expand(event("DTSTART:20000101T000000Z\nRRULE:FREQ=SECONDLY;COUNT=2000000000\n"), "",
                               between(at(2030, 1, 1), at(2030, 1, 2), 100));
    CHECK(counted.truncated);
    // Rules libical would scan second by second (or hour by hour) up to the year 2582.
    for (const char* rule : {"FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=29",
                             "FREQ=MINUTELY;BYYEARDAY=366", "FREQ=SECONDLY;BYDAY=MO;BYHOUR=1;BYMINUTE=1"}) {
        INFO(rule);
        Expansion e = expand(event(std::string("DTSTART:20240101T000000Z\nRRULE:") + rule + "\n"), "", everything());
        CHECK(e.instances.size() == 1);  // DTSTART only
        CHECK(e.truncated);
    }
    // Impossible rules (February 30th, April 31st) add nothing to DTSTART, and say so at once.
    for (const char* rule : {"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31",
                             "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "FREQ=MONTHLY;BYMONTHDAY=-30;BYMONTH=2",
                             "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30", "FREQ=WEEKLY;BYMONTH=4,6,9,11;BYMONTHDAY=31"}) {
        INFO(rule);
        Expansion e = expand(event(std::string("DTSTART:20240101T000000Z\nRRULE:") + rule + "\n"), "", everything());
        CHECK(e.instances.size() == 1);
    }
    // Typically well under a second; generous for a loaded build machine.
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    CHECK(seconds < 3.0);
}

TEST_CASE("a SECONDLY rule without end takes less than a second", "[instances][bomb]") {
    auto started = std::chrono::steady_clock::now();
    Expansion e = expand(event("DTSTART:20240101T100000Z\nRRULE:FREQ=SECONDLY\n"), "",
                         between(all_time_start, at(2030, 1, 1), 100000));
    CHECK(e.truncated);
    CHECK(e.instances.size() == 100000);
    CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() < 1.0);
}

TEST_CASE("skipping ahead to the horizon gives the same occurrences as iterating", "[instances]") {
    for (const char* rule :
         {"FREQ=DAILY;INTERVAL=3", "FREQ=WEEKLY;BYDAY=MO,FR", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
          "FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;BYMONTHDAY=31", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
          "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "FREQ=HOURLY;INTERVAL=7"}) {
        INFO(rule);
        std::string bytes = event(std::string("DTSTART;TZID=Europe/Berlin:20000103T100000\nRRULE:") + rule + "\n");
        std::int64_t from = at(2024, 1, 1), to = at(2025, 1, 1);
        Expansion all = expand(bytes, "", between(at(1999, 1, 1), to, 100000));
        Expansion skipped = expand(bytes, "", between(from, to, 100000));
        std::vector<std::int64_t> expected;
        for (const Instance& instance : all.instances)
            if (instance.start >= from) expected.push_back(instance.start);
        CHECK_FALSE(expected.empty());
        CHECK(starts(skipped) == expected);
    }
}

TEST_CASE("RFC 4791 §9.9: VTODO with DTSTART and DURATION", "[instances][vtodo]") {
    Expansion e = expand(todo("DTSTART:20240105T100000Z\nDURATION:PT2H\n"), "", everything());
    REQUIRE(e.instances.size() == 1);
    CHECK(e.instances[0].start == at(2024, 1, 5, 10));
    CHECK(e.instances[0].end == at(2024, 1, 5, 12));
}

TEST_CASE("RFC 4791 §9.9: VTODO with DTSTART and DUE", "[instances][vtodo]") {
    Expansion e = expand(todo("DTSTART:20240105T100000Z\nDUE:20240107T100000Z\n"), "", everything());
    REQUIRE(e.instances.size() == 1);
    CHECK(e.instances[0].start == at(2024, 1, 5, 10));
    CHECK(e.instances[0].end == at(2024, 1, 7, 10));
}

TEST_CASE("RFC 4791 §9.9: VTODO with only DTSTART is an instant", "[instances][vtodo]") {
    Expansion e = expand(todo("DTSTART:20240105T100000Z\n"), "", everything());
    REQUIRE(e.instances.size() == 1);
    CHECK(e.instances[0].start == at(2024, 1, 5, 10));
    CHECK(e.instances[0].end == at(2024, 1, 5, 10));
}

TEST_CASE("RFC 4791 §9.9: VTODO with only DUE matches (start < DUE) AND (end >= DUE)", "[instances][vtodo]") {
    Expansion e = expand(todo("DUE:20240105T100000Z\n"), "", everything());
    REQUIRE(e.instances.size() == 1);
    CHECK(e.instances[0].start == at(2024, 1, 5, 10) - 1);
    CHECK(e.instances[0].end == at(2024, 1, 5, 10));
}

TEST_CASE("RFC 4791 §9.9: VTODO with only COMPLETED and/or CREATED", "[instances][vtodo]") {
    Expansion both = expand(todo("CREATED:20240101T000000Z\nCOMPLETED:20240110T000000Z\n"), "", everything());
    REQUIRE(both.instances.size() == 1);
    CHECK(both.instances[0].start == at(2024, 1, 1));
    CHECK(both.instances[0].end == at(2024, 1, 10));
    Expansion completed = expand(todo("COMPLETED:20240110T000000Z\n"), "", everything());
    CHECK(completed.instances.at(0).start == at(2024, 1, 10));
    CHECK(completed.instances.at(0).end == at(2024, 1, 10));
    Expansion created = expand(todo("CREATED:20240101T000000Z\n"), "", everything());
    CHECK(created.instances.at(0).start == at(2024, 1, 1));
    CHECK(created.instances.at(0).end == all_time_end);
}

TEST_CASE("RFC 4791 §9.9: VTODO without any date spans all time", "[instances][vtodo]") {
    Expansion e = expand(todo("SUMMARY:someday\n"), "", between(at(2024, 1, 1), at(2024, 1, 2)));
    REQUIRE(e.instances.size() == 1);
    CHECK(e.instances[0].start == all_time_start);
    CHECK(e.instances[0].end == all_time_end);
}

TEST_CASE("RFC 4791 §9.9: recurring VTODO", "[instances][vtodo]") {
    Expansion e =
        expand(todo("DTSTART:20240101T090000Z\nDUE:20240101T170000Z\nRRULE:FREQ=DAILY;COUNT=3\n"), "", everything());
    REQUIRE(e.instances.size() == 3);
    CHECK(e.instances[2].start == at(2024, 1, 3, 9));
    CHECK(e.instances[2].end == at(2024, 1, 3, 17));
}

TEST_CASE("RFC 4791 §9.9: VJOURNAL", "[instances][vjournal]") {
    Expansion date = expand(journal("DTSTART;VALUE=DATE:20240105\n"), "", everything());
    REQUIRE(date.instances.size() == 1);
    CHECK(date.instances[0].start == at(2024, 1, 5));
    CHECK(date.instances[0].end == at(2024, 1, 6));
    Expansion instant = expand(journal("DTSTART:20240105T100000Z\n"), "", everything());
    CHECK(instant.instances.at(0).end == instant.instances.at(0).start);
    CHECK(expand(journal("SUMMARY:undated\n"), "", everything()).instances.empty());
}

TEST_CASE("RFC 4791 §9.9: VFREEBUSY", "[instances][vfreebusy]") {
    Expansion span = expand(calendar("BEGIN:VFREEBUSY\nUID:f\nDTSTART:20240101T000000Z\nDTEND:20240108T000000Z\n"
                                     "END:VFREEBUSY\n"),
                            "", everything());
    REQUIRE(span.instances.size() == 1);
    CHECK(span.instances[0].end == at(2024, 1, 8));
    Expansion periods = expand(calendar("BEGIN:VFREEBUSY\nUID:f\n"
                                        "FREEBUSY:20240102T100000Z/PT1H,20240104T100000Z/20240104T120000Z\n"
                                        "END:VFREEBUSY\n"),
                               "", everything());
    REQUIRE(periods.instances.size() == 2);
    CHECK(periods.instances[0].start == at(2024, 1, 2, 10));
    CHECK(periods.instances[0].end == at(2024, 1, 2, 11));
    CHECK(periods.instances[1].end == at(2024, 1, 4, 12));
    CHECK(expand(calendar("BEGIN:VFREEBUSY\nUID:f\nEND:VFREEBUSY\n"), "", everything()).instances.empty());
}

TEST_CASE("unparseable bytes expand to nothing", "[instances]") {
    CHECK(expand("garbage", "", everything()).instances.empty());
    CHECK(expand("", "", everything()).instances.empty());
    CHECK(expand(std::string("BEGIN:VCALENDAR\n\0\nEND:VCALENDAR\n", 33), "", everything()).instances.empty());
}

TEST_CASE("parse_ical refuses a NUL byte instead of parsing up to it", "[instances]") {
    std::string text = event("DTSTART:20240105T100000Z\n");
    REQUIRE(parse_ical(text) != nullptr);
    text.insert(text.find("DTSTART"), std::string(1, '\0'));
    CHECK(parse_ical(text) == nullptr);
    CHECK(expand(text, "", everything()).instances.empty());
    release_thread_temporaries();
}

TEST_CASE("one zone per VTIMEZONE definition for the whole process, not per thread", "[instances]") {
    auto zone_of = [](const std::string& vtimezone) {
        ComponentPtr parsed = parse_ical(calendar(vtimezone));
        return shared_zone(icalcomponent_get_first_component(parsed.get(), ICAL_VTIMEZONE_COMPONENT));
    };
    auto zone_in_new_thread = [&](const std::string& vtimezone) {
        icaltimezone* zone = nullptr;
        std::thread([&] {
            zone = zone_of(vtimezone);
            release_thread_temporaries();
        }).join();
        return zone;
    };
    icaltimezone* first = zone_of(berlin_vtimezone);  // this thread's, still alive below
    REQUIRE(first != nullptr);
    CHECK(zone_in_new_thread(berlin_vtimezone) == first);
    // A changed definition under the same TZID is a different zone (RFC 5545 §3.6.5: the object's own).
    auto changed = [](const std::string& from, const std::string& to) {
        std::string text = berlin_vtimezone;
        return text.replace(text.find(from), from.size(), to);
    };
    CHECK(zone_of(changed("BYMONTH=10", "BYMONTH=11")) != first);
    CHECK(zone_of(changed("TZOFFSETTO:+0100", "TZOFFSETTO:+0000")) != first);
    CHECK(zone_of(changed("DTSTART:19701025T030000", "DTSTART:19701025T020000")) != first);
    CHECK(zone_of(changed("TZID:Custom Berlin", "TZID:Custom Berlin\nX-LIC-LOCATION:Europe/Berlin")) != first);
    // What does not reach the zone's offsets shares it.
    CHECK(zone_of(changed("TZNAME:CET", "TZNAME:MEZ")) == first);
    CHECK(zone_of(changed("TZID:Custom Berlin", "TZID:Custom Berlin\nLAST-MODIFIED:20240101T000000Z")) == first);
}

TEST_CASE("threads expanding through one shared zone at once all get its DST right", "[instances]") {
    const std::string text =
        calendar(std::string(berlin_vtimezone) +
                 "BEGIN:VEVENT\nUID:w\nDTSTART;TZID=Custom Berlin:20240318T100000\n"
                 "DTEND;TZID=Custom Berlin:20240318T110000\nRRULE:FREQ=WEEKLY;COUNT=40\nEND:VEVENT\n");
    const std::vector<std::int64_t> expected = starts(expand(text, "", everything()));
    REQUIRE(expected.size() == 40);
    CHECK(expected.at(0) == at(2024, 3, 18, 9));  // CET, UTC+1
    CHECK(expected.at(2) == at(2024, 4, 1, 8));   // after the last Sunday of March: CEST, UTC+2
    std::vector<int> mismatches(4, 0);
    std::vector<std::thread> threads;
    threads.reserve(mismatches.size());
    for (std::size_t t = 0; t < mismatches.size(); ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < 50; ++round)
                if (starts(expand(text, "", everything())) != expected) ++mismatches[t];
            release_thread_temporaries();
        });
    }
    for (std::thread& thread : threads) thread.join();
    CHECK(mismatches == std::vector<int>(4, 0));
}

TEST_CASE("RFC 5545 §3.3.5: a time a DST change skips is read with the offset from before the change", "[instances]") {
    // Berlin skips 02:00-03:00 on 2026-03-29: 02:30 there is 01:30 UTC (03:30 CEST).
    auto berlin_event = [](const std::string& lines) {
        return calendar(std::string(berlin_vtimezone) + "BEGIN:VEVENT\nUID:e1\n" + lines + "END:VEVENT\n");
    };
    Expansion single =
        expand(berlin_event("DTSTART;TZID=Custom Berlin:20260329T023000\nDURATION:PT1H\n"), "", everything());
    REQUIRE(single.instances.size() == 1);
    CHECK(single.instances[0].start == at(2026, 3, 29, 1, 30));
    CHECK(single.instances[0].end == at(2026, 3, 29, 2, 30));
    // In a series, the occurrence on the day of the change; starting there, DTSTART is that occurrence.
    Expansion daily =
        expand(berlin_event("DTSTART;TZID=Custom Berlin:20260328T023000\nDURATION:PT1H\nRRULE:FREQ=DAILY;COUNT=3\n"),
               "", everything());
    CHECK(starts(daily) ==
          std::vector<std::int64_t>{at(2026, 3, 28, 1, 30), at(2026, 3, 29, 1, 30), at(2026, 3, 30, 0, 30)});
    Expansion from_gap =
        expand(berlin_event("DTSTART;TZID=Custom Berlin:20260329T023000\nDURATION:PT1H\nRRULE:FREQ=DAILY;COUNT=2\n"),
               "", everything());
    CHECK(starts(from_gap) == std::vector<std::int64_t>{at(2026, 3, 29, 1, 30), at(2026, 3, 30, 0, 30)});
}
