// Locks (RFC 4918 §6-§7): direct locks by path, infinite locks covering descendants, expiry,
// lock-null members.
#include <catch2/catch.hpp>

#include "store/locks.hpp"
#include "store/store.hpp"
#include "temp_database.hpp"

using namespace caldav::store;

namespace {

Lock make_lock(std::string token, std::string path, bool infinite, std::int64_t expires = 0) {
    Lock lock;
    lock.token = std::move(token);
    lock.path = std::move(path);
    lock.infinite = infinite;
    lock.expires = expires;
    lock.auth_user = "alice";
    return lock;
}

}  // namespace

TEST_CASE("an infinite lock covers descendants, a depth-0 lock only its path (RFC 4918 §7.5)", "[locks]") {
    TempDatabase temp;
    Store store(temp.path());
    Database& db = store.database();
    locks::add(db, make_lock("t1", "calendars/alice/tree", true));
    locks::add(db, make_lock("t2", "calendars/alice/other", false));
    CHECK(locks::covering(db, "calendars/alice/tree/a/b", 100).size() == 1);
    CHECK(locks::covering(db, "calendars/alice/tree", 100).size() == 1);
    CHECK(locks::covering(db, "calendars/alice/treehouse", 100).empty());
    CHECK(locks::covering(db, "calendars/alice/other/x", 100).empty());
    CHECK(locks::covering(db, "calendars/alice/other", 100).size() == 1);
    CHECK(locks::has_direct(db, "calendars/alice/tree", 100));
    CHECK_FALSE(locks::has_direct(db, "calendars/alice/tree/a", 100));
}

TEST_CASE("expired locks are gone; refreshed locks live on", "[locks]") {
    TempDatabase temp;
    Store store(temp.path());
    Database& db = store.database();
    locks::add(db, make_lock("t", "calendars/alice/x", false, 50));
    CHECK(locks::by_token(db, "t", 49).has_value());
    CHECK_FALSE(locks::by_token(db, "t", 50).has_value());
    locks::refresh(db, "t", 500);
    CHECK(locks::by_token(db, "t", 100).has_value());
}

TEST_CASE("any_live sees only locks in force; remove_expired forgets the others", "[locks]") {
    TempDatabase temp;
    Store store(temp.path());
    Database& db = store.database();
    CHECK_FALSE(locks::any_live(db, 100));
    locks::add(db, make_lock("timed", "calendars/alice/x", false, 50));
    CHECK(locks::any_live(db, 49));
    CHECK_FALSE(locks::any_live(db, 50));
    locks::add(db, make_lock("forever", "calendars/alice/y", false));
    CHECK(locks::any_live(db, 1000));
    locks::remove_expired(db, 50);
    CHECK_FALSE(locks::by_token(db, "timed", 0).has_value());
    CHECK(locks::by_token(db, "forever", 1000).has_value());
}

TEST_CASE("removing at or below a path spares siblings with the same prefix", "[locks]") {
    TempDatabase temp;
    Store store(temp.path());
    Database& db = store.database();
    locks::add(db, make_lock("a", "calendars/alice/x", false));
    locks::add(db, make_lock("b", "calendars/alice/x/y", false));
    locks::add(db, make_lock("c", "calendars/alice/x-y", false));
    locks::remove_at_or_below(db, "calendars/alice/x");
    CHECK_FALSE(locks::by_token(db, "a", 0).has_value());
    CHECK_FALSE(locks::by_token(db, "b", 0).has_value());
    CHECK(locks::by_token(db, "c", 0).has_value());
}

TEST_CASE("lock-null members are the locked names that do not exist", "[locks]") {
    TempDatabase temp;
    Store store(temp.path());
    store.provision("alice");
    Database& db = store.database();
    store.put("calendars/alice/default/real", "text/plain", "x");
    locks::add(db, make_lock("a", "calendars/alice/default/real", false));
    locks::add(db, make_lock("b", "calendars/alice/default/ghost", false));
    locks::add(db, make_lock("c", "calendars/alice/default/deeper/ghost", false));
    auto members = locks::locknull_members(db, "calendars/alice/default", 0);
    REQUIRE(members.size() == 1);
    CHECK(members[0] == "calendars/alice/default/ghost");
}
