// The formats a REPORT may ask objects in (lib/dav/data_format).
#include <catch2/catch.hpp>

#include "dav/data_format.hpp"

using namespace caldav::dav;

TEST_CASE("RFC 4791 §9.6: calendar-data is iCalendar 2.0 only", "[data_format]") {
    CHECK(supported_calendar_data("", ""));
    CHECK(supported_calendar_data("text/calendar", "2.0"));
    CHECK(supported_calendar_data("Text/Calendar; charset=utf-8", ""));
    CHECK_FALSE(supported_calendar_data("text/vcalendar", ""));
    CHECK_FALSE(supported_calendar_data("text/calendar", "1.0"));
    CHECK_FALSE(supported_calendar_data("application/calendar+json", ""));
    CHECK_FALSE(supported_calendar_data("text/calendarx", "2.0"));
}

TEST_CASE("RFC 6352 §10.4: address-data is vCard 3.0 or 4.0", "[data_format]") {
    CHECK(supported_address_data("", ""));
    CHECK(supported_address_data("text/vcard", "3.0"));
    CHECK(supported_address_data("text/vcard", "4.0"));
    CHECK_FALSE(supported_address_data("text/vcard", "2.1"));
    CHECK_FALSE(supported_address_data("text/x-vcard", "3.0"));
    CHECK_FALSE(supported_address_data("application/vcard+json", "4.0"));
}
