// The owner-only policy over the URL layout (ARCHITECTURE.md "URL layout").
#include <catch2/catch.hpp>

#include "dav/access.hpp"
#include "dav/calendar_user_address.hpp"

using namespace caldav::dav;

TEST_CASE("the layout's areas are recognised", "[access]") {
    CHECK(classify("").area == Area::root);
    CHECK(classify("principals").area == Area::principals_root);
    CHECK(classify("principals/alice").area == Area::principal);
    CHECK(classify("calendars/alice").area == Area::calendar_home);
    CHECK(classify("calendars/alice/default/x.ics").area == Area::inside_calendar_home);
    CHECK(classify("calendars/alice/default/x.ics").owner == "alice");
    CHECK(classify("addressbooks/bob/default").area == Area::inside_addressbook_home);
    CHECK(classify("elsewhere").area == Area::unknown);
}

TEST_CASE("a user reaches their own space only", "[access]") {
    for (auto operation : {Operation::read, Operation::modify, Operation::write}) {
        CHECK_FALSE(decide("bob", classify("calendars/alice"), operation).allowed);
        CHECK_FALSE(decide("bob", classify("calendars/alice/default/x.ics"), operation).allowed);
        CHECK_FALSE(decide("bob", classify("addressbooks/alice/nope"), operation).allowed);
        CHECK_FALSE(decide("bob", classify("principals/alice"), operation).allowed);
        CHECK(decide("alice", classify("calendars/alice/default/x.ics"), operation).allowed);
    }
}

TEST_CASE("server collections and homes are read-only structure", "[access]") {
    CHECK(decide("alice", classify(""), Operation::read).allowed);
    CHECK(decide("alice", classify("calendars"), Operation::read).allowed);
    CHECK_FALSE(decide("alice", classify("calendars"), Operation::write).allowed);
    CHECK_FALSE(decide("alice", classify(""), Operation::modify).allowed);
    CHECK(decide("alice", classify("calendars/alice"), Operation::modify).allowed);
    CHECK_FALSE(decide("alice", classify("calendars/alice"), Operation::write).allowed);
    CHECK_FALSE(decide("alice", classify("principals/alice/x"), Operation::write).allowed);
    CHECK_FALSE(decide("alice", classify("elsewhere"), Operation::write).allowed);
}

TEST_CASE("without a user nothing is allowed", "[access]") {
    CHECK_FALSE(decide("", classify(""), Operation::read).allowed);
}

TEST_CASE("the server's collections are shared, homes and principals are not", "[access]") {
    for (const char* shared : {"", "principals", "calendars", "addressbooks"}) CHECK(is_shared(classify(shared).area));
    for (const char* own : {"principals/bob", "calendars/bob", "calendars/bob/default", "addressbooks/bob/x"})
        CHECK_FALSE(is_shared(classify(own).area));
}

TEST_CASE("a listing shows only what its user may read", "[access]") {
    // The shared collections are listed to everybody (discovery), their members only to their owner.
    for (const char* shared : {"", "principals", "calendars", "addressbooks"}) CHECK(listable("bob", shared));
    for (const char* own : {"principals/bob", "calendars/bob", "calendars/bob/default", "calendars/bob/default/x.ics",
                            "addressbooks/bob", "addressbooks/bob/default/c.vcf"})
        CHECK(listable("bob", own));
    for (const char* other :
         {"principals/alice", "calendars/alice", "calendars/alice/default", "calendars/alice/default/x.ics",
          "addressbooks/alice", "addressbooks/alice/default/c.vcf"})
        CHECK_FALSE(listable("bob", other));
    CHECK_FALSE(listable("", "principals/bob"));
}

TEST_CASE("RFC 6638 §2.4.1: a calendar user address is a mail address or none", "[principal]") {
    using caldav::dav::calendar_user_address;
    CHECK(calendar_user_address("alice", "example.org") == "mailto:alice@example.org");
    CHECK(calendar_user_address("alice@home.example", "example.org") == "mailto:alice@home.example");
    CHECK(calendar_user_address("alice@home.example", "") == "mailto:alice@home.example");
    CHECK_FALSE(calendar_user_address("alice", "").has_value());  // "mailto:alice" is no address
    CHECK_FALSE(calendar_user_address("alice@", "example.org").has_value());
    CHECK_FALSE(calendar_user_address("@x", "example.org").has_value());
    CHECK_FALSE(calendar_user_address("a@b@c", "example.org").has_value());
    CHECK_FALSE(calendar_user_address("", "example.org").has_value());
}
