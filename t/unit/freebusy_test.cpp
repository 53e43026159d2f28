// free-busy-query (RFC 4791 §7.10): which occurrences count as busy, clipping and merging.
#include <catch2/catch.hpp>

#include "ical/freebusy.hpp"

using namespace caldav::ical;

namespace {

std::string event(const std::string& extra, const std::string& start = "20300107T100000Z",
                  const std::string& end = "20300107T110000Z") {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:x\r\n"
           "DTSTAMP:20240101T000000Z\r\nDTSTART:" +
           start + "\r\nDTEND:" + end + "\r\n" + extra + "END:VEVENT\r\nEND:VCALENDAR\r\n";
}

constexpr std::int64_t jan7 = 1893974400;  // 2030-01-07T00:00:00Z

}  // namespace

TEST_CASE("RFC 4791 §7.10: opaque events are busy, transparent and cancelled ones are not", "[freebusy]") {
    CHECK(busy_periods(event(""), jan7, jan7 + 86400, "").size() == 1);
    CHECK(busy_periods(event("TRANSP:TRANSPARENT\r\n"), jan7, jan7 + 86400, "").empty());
    CHECK(busy_periods(event("STATUS:CANCELLED\r\n"), jan7, jan7 + 86400, "").empty());
    auto tentative = busy_periods(event("STATUS:TENTATIVE\r\n"), jan7, jan7 + 86400, "");
    REQUIRE(tentative.size() == 1);
    CHECK(tentative[0].type == "BUSY-TENTATIVE");
}

TEST_CASE("RFC 4791 §7.10: periods are clipped to the range and merged", "[freebusy]") {
    auto daily = busy_periods(event("RRULE:FREQ=DAILY;COUNT=3\r\n"), jan7 + 10 * 3600 + 1800, jan7 + 3 * 86400, "");
    CHECK(daily.size() == 3);
    CHECK(daily[0].start == jan7 + 10 * 3600 + 1800);
    std::vector<BusyPeriod> periods = {{100, 200, "BUSY"}, {150, 300, "BUSY"}, {400, 500, "BUSY"}};
    std::string reply = freebusy_reply(periods, 0, 1000);
    CHECK(reply.find("FREEBUSY:19700101T000140Z/19700101T000500Z\r\n") != std::string::npos);
    CHECK(reply.find("FREEBUSY:19700101T000640Z/19700101T000820Z\r\n") != std::string::npos);
    CHECK(reply.find("BEGIN:VFREEBUSY") != std::string::npos);
}
