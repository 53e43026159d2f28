// A calendar's time zone property (lib/ical/calendar_timezone): RFC 4791 §5.2.2 with RFC 5545
// §3.6.5 (VTIMEZONE) and §3.3.14 (utc-offset).
#include <catch2/catch.hpp>

#include <string>

#include "ical/calendar_timezone.hpp"

using caldav::ical::is_utc_offset;
using caldav::ical::validate_calendar_timezone;

namespace {

std::string observance(const std::string& kind, const std::string& from, const std::string& to,
                       const std::string& rule = "FREQ=YEARLY;BYMONTH=4;BYDAY=1SU") {
    return "BEGIN:" + kind + "\r\nTZOFFSETFROM:" + from + "\r\nTZOFFSETTO:" + to +
           "\r\nDTSTART:19700405T030000\r\nRRULE:" + rule + "\r\nEND:" + kind + "\r\n";
}

std::string zone(const std::string& observances, const std::string& tzid = "Pacific/Auckland") {
    return "BEGIN:VTIMEZONE\r\nTZID:" + tzid + "\r\n" + observances + "END:VTIMEZONE\r\n";
}

std::string calendar(const std::string& components) {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n" + components + "END:VCALENDAR\r\n";
}

const std::string auckland = zone(observance("STANDARD", "+1300", "+1200") +
                                  observance("DAYLIGHT", "+1200", "+1300", "FREQ=YEARLY;BYMONTH=9;BYDAY=-1SU"));

}  // namespace

TEST_CASE("RFC 4791 §5.2.2: a VCALENDAR with exactly one valid VTIMEZONE is accepted", "[timezone]") {
    auto result = validate_calendar_timezone(calendar(auckland));
    CHECK(result.valid);
    CHECK(result.tzid == "Pacific/Auckland");
    CHECK(result.message.empty());
    // A custom zone without rules (a fixed offset), LF line ends, offsets with seconds.
    CHECK(validate_calendar_timezone("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VTIMEZONE\nTZID:Fixed\n"
                                     "BEGIN:STANDARD\nTZOFFSETFROM:+053045\nTZOFFSETTO:+0530\n"
                                     "DTSTART:19700101T000000\nEND:STANDARD\nEND:VTIMEZONE\nEND:VCALENDAR\n")
              .valid);
}

TEST_CASE("RFC 4791 §5.2.2: what is not one VTIMEZONE in a VCALENDAR is refused", "[timezone]") {
    CHECK_FALSE(validate_calendar_timezone("garbage").valid);
    CHECK_FALSE(validate_calendar_timezone("").valid);
    CHECK_FALSE(validate_calendar_timezone(auckland).valid);  // no VCALENDAR around it
    CHECK_FALSE(validate_calendar_timezone(calendar("")).valid);
    CHECK_FALSE(
        validate_calendar_timezone(calendar(auckland + zone(observance("STANDARD", "+0100", "+0100"), "B"))).valid);
    CHECK_FALSE(validate_calendar_timezone(calendar(auckland + "BEGIN:VEVENT\r\nUID:x\r\nDTSTAMP:20240101T000000Z\r\n"
                                                               "DTSTART:20240101T000000Z\r\nEND:VEVENT\r\n"))
                    .valid);
}

TEST_CASE("RFC 5545 §3.6.5: a VTIMEZONE needs a TZID and observances with DTSTART and both offsets", "[timezone]") {
    CHECK_FALSE(validate_calendar_timezone(calendar("BEGIN:VTIMEZONE\r\nTZID:Empty\r\nEND:VTIMEZONE\r\n")).valid);
    CHECK_FALSE(validate_calendar_timezone(calendar(zone(observance("STANDARD", "+0100", "+0100"), ""))).valid);
    std::string without_to = "BEGIN:STANDARD\r\nTZOFFSETFROM:+0100\r\nDTSTART:19700101T000000\r\nEND:STANDARD\r\n";
    auto result = validate_calendar_timezone(calendar(zone(without_to)));
    CHECK_FALSE(result.valid);
    CHECK(result.message.find("TZOFFSETTO") != std::string::npos);
    std::string without_start = "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\n";
    CHECK_FALSE(validate_calendar_timezone(calendar(zone(without_start))).valid);
}

TEST_CASE("RFC 5545 §3.3.14: offsets are utc-offsets, hours 00-23, minutes 00-59, never -0000", "[timezone]") {
    for (const char* good : {"+0000", "-0800", "+1400", "+2359", "+053045", "-000001"}) CHECK(is_utc_offset(good));
    for (const char* bad :
         {"+9999", "+2400", "+0060", "-0000", "-000000", "+013060", "0100", "+100", "+01:00", "", "+0100 ", "-0000001"})
        CHECK_FALSE(is_utc_offset(bad));
    auto result = validate_calendar_timezone(calendar(zone(observance("STANDARD", "+9999", "+1200"))));
    CHECK_FALSE(result.valid);
    CHECK(result.message.find("+9999") != std::string::npos);
    CHECK_FALSE(validate_calendar_timezone(calendar(zone(observance("STANDARD", "+0100", "-0000")))).valid);
}

TEST_CASE("RFC 4791 §5.2.2: observances that recur more often than daily are refused", "[timezone]") {
    for (const char* rule : {"FREQ=SECONDLY", "FREQ=MINUTELY;INTERVAL=5", "FREQ=HOURLY"}) {
        auto result = validate_calendar_timezone(calendar(zone(observance("STANDARD", "+0100", "+0100", rule))));
        CHECK_FALSE(result.valid);
    }
    CHECK(validate_calendar_timezone(calendar(zone(observance("STANDARD", "+0100", "+0100", "FREQ=DAILY")))).valid);
}
