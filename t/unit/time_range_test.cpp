// CalDAV time ranges (lib/query/time_range): RFC 4791 §9.9, §7.10 and §9.6.5-§9.6.7 read and checked alike.
#include <catch2/catch.hpp>

#include "query/time_range.hpp"

using namespace caldav::query;

TEST_CASE("RFC 4791 §9.9: a time range whose end is not after its start is refused", "[time_range]") {
    for (Bounds bounds : {Bounds::at_least_one, Bounds::both}) {
        TimeRangeReading backwards = read_time_range("20300102T000000Z", "20300101T000000Z", bounds);
        CHECK_FALSE(backwards.range);
        CHECK(backwards.problem.find("later than its start") != std::string::npos);
        CHECK_FALSE(read_time_range("20300101T000000Z", "20300101T000000Z", bounds).range);
        TimeRangeReading one_second = read_time_range("20300101T000000Z", "20300101T000001Z", bounds);
        REQUIRE(one_second.range);
        CHECK(*one_second.range->end - *one_second.range->start == 1);
        CHECK(one_second.problem.empty());
    }
}

TEST_CASE("RFC 4791 §9.9: a filter's time range may be open on one side, the others need both", "[time_range]") {
    TimeRangeReading open_end = read_time_range("20300101T000000Z", nullptr, Bounds::at_least_one);
    REQUIRE(open_end.range);
    CHECK_FALSE(open_end.range->end);
    CHECK(read_time_range(nullptr, "20300101T000000Z", Bounds::at_least_one).range);
    CHECK_FALSE(read_time_range(nullptr, nullptr, Bounds::at_least_one).range);
    CHECK_FALSE(read_time_range("20300101T000000Z", nullptr, Bounds::both).range);
    CHECK_FALSE(read_time_range(nullptr, "20300101T000000Z", Bounds::both).range);
}

TEST_CASE("RFC 4791 §9.9: start and end are UTC date-times in the basic format", "[time_range]") {
    CHECK_FALSE(read_time_range("20300101T000000", "20300102T000000Z", Bounds::both).range);
    CHECK_FALSE(read_time_range("20300101T000000Z", "2030-01-02T00:00:00Z", Bounds::both).range);
    CHECK_FALSE(read_time_range("garbage", nullptr, Bounds::at_least_one).range);
    CHECK(read_time_range("garbage", nullptr, Bounds::at_least_one).problem.find("garbage") != std::string::npos);
}
