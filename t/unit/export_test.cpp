// GET on a calendar: members merged into one VCALENDAR, each VTIMEZONE once, bytes kept.
#include <catch2/catch.hpp>

#include "ical/export.hpp"

using caldav::ical::CalendarExport;

namespace {

const char* const berlin_event =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n"
    "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\n"
    "TZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
    "BEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=Europe/Berlin:20260101T100000\r\nX-LONG:folded\r\n  continued\r\n"
    "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

}  // namespace

TEST_CASE("RFC 4791 §4.1 objects merge into one VCALENDAR with each VTIMEZONE once", "[export]") {
    CalendarExport exporter;
    std::string first = exporter.add(berlin_event);
    std::string second = exporter.add(berlin_event);
    CHECK(first.find("BEGIN:VTIMEZONE") != std::string::npos);
    CHECK(second.find("BEGIN:VTIMEZONE") == std::string::npos);
    CHECK(second.find("BEGIN:VEVENT") == 0);
    CHECK(first.find("PRODID") == std::string::npos);
    CHECK(first.find("X-LONG:folded\r\n  continued\r\n") != std::string::npos);
    CHECK(first.find("END:VALARM\r\nEND:VEVENT\r\n") != std::string::npos);
    std::string all = exporter.begin() + first + second + exporter.end();
    CHECK(all.rfind("END:VCALENDAR\r\n") == all.size() - 15);
}

TEST_CASE("bare LF objects are exported with their own line ends", "[export]") {
    CalendarExport exporter;
    std::string out = exporter.add("BEGIN:VCALENDAR\nBEGIN:VTODO\nUID:t\nEND:VTODO\nEND:VCALENDAR\n");
    CHECK(out == "BEGIN:VTODO\nUID:t\nEND:VTODO\n");
}
