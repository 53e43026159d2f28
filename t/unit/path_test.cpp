// Canonical paths: one spelling per place, tricks refused.
#include <catch2/catch.hpp>

#include "dav/path.hpp"

using namespace caldav::dav;

TEST_CASE("paths are canonical: empty segments collapse, ends are trimmed", "[path]") {
    CHECK(canonical_path("/") == std::string());
    CHECK(canonical_path("") == std::string());
    CHECK(canonical_path("/calendars//alice/") == std::string("calendars/alice"));
    CHECK(canonical_path("calendars/alice/default/x.ics") == std::string("calendars/alice/default/x.ics"));
}

TEST_CASE("dot segments, control characters and overlong names are refused", "[path][hostile]") {
    CHECK_FALSE(canonical_path("/calendars/alice/../bob/").has_value());
    CHECK_FALSE(canonical_path("/calendars/./alice").has_value());
    CHECK_FALSE(canonical_path(std::string("/calendars/a\0b", 14)).has_value());
    CHECK_FALSE(canonical_path("/calendars/a\nb").has_value());
    CHECK_FALSE(canonical_path("/calendars/" + std::string(256, 'x')).has_value());
    CHECK(canonical_path("/calendars/" + std::string(255, 'x')).has_value());
}

TEST_CASE("parents, names and ancestry", "[path]") {
    CHECK(parent_path("calendars/alice/default") == "calendars/alice");
    CHECK(parent_path("calendars") == "");
    CHECK(last_segment("calendars/alice/default") == "default");
    CHECK(join_path("", "calendars") == "calendars");
    CHECK(is_proper_ancestor("", "calendars"));
    CHECK(is_proper_ancestor("calendars", "calendars/alice"));
    CHECK_FALSE(is_proper_ancestor("calendars/alice", "calendars/alicex"));
    CHECK_FALSE(is_proper_ancestor("calendars/alice", "calendars/alice"));
}
