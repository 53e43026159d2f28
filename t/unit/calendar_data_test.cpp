// calendar-data expand (RFC 4791 §9.6.5): one component per occurrence, in UTC.
#include <catch2/catch.hpp>

#include <string>

#include "ical/calendar_data.hpp"

using caldav::ical::expand_object;

namespace {

int count(const std::string& text, const std::string& what) {
    int n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

const char* const series =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
    "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\n"
    "BEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nTZOFFSETFROM:+0100\r\n"
    "TZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
    "BEGIN:VEVENT\r\nUID:s\r\nDTSTAMP:20240101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20300107T100000\r\n"
    "DTEND;TZID=Europe/Berlin:20300107T110000\r\nRRULE:FREQ=DAILY;COUNT=5\r\nEXDATE;TZID=Europe/"
    "Berlin:20300109T100000\r\n"
    "SUMMARY:Daily\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:s\r\nDTSTAMP:20240101T000000Z\r\nRECURRENCE-ID;TZID=Europe/Berlin:20300110T100000\r\n"
    "DTSTART;TZID=Europe/Berlin:20300110T150000\r\nDTEND;TZID=Europe/Berlin:20300110T160000\r\nSUMMARY:Moved\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n";

}  // namespace

TEST_CASE("RFC 4791 §9.6.5: expand lists each occurrence in range with a UTC RECURRENCE-ID", "[calendar-data]") {
    // 7 Jan .. 11 Jan 2030 minus the EXDATE on the 9th: 4 occurrences, the 10th moved to 15:00.
    std::string out = expand_object(series, 1893974400 /* 2030-01-07 */, 1894406400 /* 2030-01-12 */, "");
    CHECK(count(out, "BEGIN:VEVENT") == 4);
    CHECK(count(out, "RRULE") == 0);
    CHECK(count(out, "EXDATE") == 0);
    CHECK(count(out, "BEGIN:VTIMEZONE") == 0);
    CHECK(out.find("RECURRENCE-ID:20300107T090000Z") != std::string::npos);
    CHECK(out.find("DTSTART:20300110T140000Z") != std::string::npos);
    CHECK(out.find("RECURRENCE-ID:20300110T090000Z") != std::string::npos);
    CHECK(out.find("SUMMARY:Moved") != std::string::npos);
}

TEST_CASE("RFC 4791 §9.6.5: a range holding one occurrence gives one component", "[calendar-data]") {
    std::string out = expand_object(series, 1894147200 /* 2030-01-09 */, 1894233600 /* 2030-01-10 */, "");
    CHECK(count(out, "BEGIN:VEVENT") == 0);  // the 9th is excluded
    out = expand_object(series, 1894233600 /* 2030-01-10 */, 1894320000 /* 2030-01-11 */, "");
    CHECK(count(out, "BEGIN:VEVENT") == 1);
    CHECK(out.find("SUMMARY:Moved") != std::string::npos);
}

TEST_CASE("RFC 4791 §9.6.1: comp and prop select parts of the object, bytes kept", "[calendar-data]") {
    caldav::ical::ComponentSelection vevent{"VEVENT", false, {"UID", "DTSTART"}, false, {}};
    caldav::ical::ComponentSelection top{"VCALENDAR", false, {"VERSION"}, false, {vevent}};
    std::string out = caldav::ical::select_parts(series, top);
    CHECK(out.find("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") == 0);
    CHECK(out.find("PRODID") == std::string::npos);
    CHECK(out.find("VTIMEZONE") == std::string::npos);
    CHECK(count(out, "BEGIN:VEVENT") == 2);
    CHECK(count(out, "SUMMARY") == 0);
    CHECK(out.find("DTSTART;TZID=Europe/Berlin:20300107T100000\r\n") != std::string::npos);
    CHECK(out.rfind("END:VCALENDAR\r\n") == out.size() - 15);
}

TEST_CASE("RFC 4791 §9.6.1: allcomp and allprop keep everything", "[calendar-data]") {
    caldav::ical::ComponentSelection everything{"VCALENDAR"};
    CHECK(caldav::ical::select_parts(series, everything) == series);
}

TEST_CASE("RFC 4791 §9.6.6: limit-recurrence-set keeps the master and the overrides in range", "[calendar-data]") {
    std::string january7 = caldav::ical::limit_recurrence_set(series, 1893974400, 1894060800, "");
    CHECK(count(january7, "BEGIN:VEVENT") == 1);
    CHECK(january7.find("SUMMARY:Moved") == std::string::npos);
    CHECK(january7.find("BEGIN:VTIMEZONE") != std::string::npos);
    std::string january10 = caldav::ical::limit_recurrence_set(series, 1894233600, 1894320000, "");
    CHECK(january10 == series);
}

TEST_CASE("RFC 4791 §9.6.7: limit-freebusy-set keeps the FREEBUSY lines overlapping the range", "[calendar-data]") {
    std::string freebusy =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VFREEBUSY\r\nUID:f\r\n"
        "DTSTAMP:20240101T000000Z\r\nDTSTART:20300101T000000Z\r\nDTEND:20300201T000000Z\r\n"
        "FREEBUSY;FBTYPE=BUSY:20300107T100000Z/20300107T110000Z\r\n"
        "FREEBUSY:20300120T100000Z/PT1H,20300121T100000Z/PT1H\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n";
    std::string january7 = caldav::ical::limit_freebusy_set(freebusy, 1893974400, 1894060800);
    CHECK(january7.find("20300107T100000Z/20300107T110000Z") != std::string::npos);
    CHECK(january7.find("20300120T100000Z") == std::string::npos);
    CHECK(january7.find("DTSTART:20300101T000000Z") != std::string::npos);
    std::string january21 = caldav::ical::limit_freebusy_set(freebusy, 1895184000, 1895270400);
    CHECK(january21.find("20300121T100000Z/PT1H") != std::string::npos);
    CHECK(january21.find("20300107T100000Z") == std::string::npos);
}
