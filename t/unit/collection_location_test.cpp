// Where calendars and address books may be (lib/dav/collection_location, and the store's kinds of
// ancestors and trees it is judged by): RFC 4791 §4.2 and §5.3.1, RFC 6352 §5.2.
#include <catch2/catch.hpp>

#include "dav/collection_location.hpp"
#include "store/store.hpp"
#include "temp_database.hpp"

using caldav::dav::collection_location;
using caldav::dav::LocationRefusal;
using caldav::dav::tree_location;
using caldav::store::CollectionKind;
using K = CollectionKind;

namespace {

// The root, "calendars/", "calendars/alice/": where a calendar home's collections start.
const std::vector<K> calendar_home = {K::structural, K::structural, K::calendar_home};
const std::vector<K> addressbook_home = {K::structural, K::structural, K::addressbook_home};

std::vector<K> below(std::vector<K> ancestors, std::initializer_list<K> more) {
    ancestors.insert(ancestors.end(), more);
    return ancestors;
}

}  // namespace

TEST_CASE("RFC 4791 §5.3.1: calendars in the calendar home and in plain collections there", "[location]") {
    CHECK(collection_location(calendar_home, K::calendar) == LocationRefusal::none);
    CHECK(collection_location(below(calendar_home, {K::plain}), K::calendar) == LocationRefusal::none);
    CHECK(collection_location(below(calendar_home, {K::plain, K::plain}), K::calendar) == LocationRefusal::none);
    CHECK(collection_location(addressbook_home, K::addressbook) == LocationRefusal::none);
    CHECK(collection_location(calendar_home, K::plain) == LocationRefusal::none);
}

TEST_CASE("RFC 4791 §4.2: no calendar within a calendar, at any depth", "[location]") {
    CHECK(collection_location(below(calendar_home, {K::calendar}), K::calendar) == LocationRefusal::calendar);
    CHECK(collection_location(below(calendar_home, {K::calendar, K::plain}), K::calendar) == LocationRefusal::calendar);
    CHECK(collection_location(below(calendar_home, {K::calendar, K::plain, K::plain}), K::calendar) ==
          LocationRefusal::calendar);
    CHECK(collection_location(below(calendar_home, {K::plain, K::calendar, K::plain}), K::calendar) ==
          LocationRefusal::calendar);
}

TEST_CASE("RFC 6352 §5.2: no address book within an address book or a calendar, at any depth", "[location]") {
    CHECK(collection_location(below(addressbook_home, {K::addressbook, K::plain}), K::addressbook) ==
          LocationRefusal::addressbook);
    CHECK(collection_location(below(calendar_home, {K::calendar, K::plain}), K::addressbook) ==
          LocationRefusal::addressbook);
    CHECK(collection_location(below(addressbook_home, {K::addressbook, K::plain}), K::calendar) ==
          LocationRefusal::calendar);
    CHECK(collection_location(calendar_home, K::addressbook) == LocationRefusal::addressbook);
    CHECK(collection_location(below(addressbook_home, {K::plain}), K::calendar) == LocationRefusal::calendar);
}

TEST_CASE("RFC 4791 §5.3.1: nothing is created directly in a calendar, address book or server collection",
          "[location]") {
    // No collection at all inside a calendar or an address book (issue 17: clients cannot list them).
    CHECK(collection_location(below(calendar_home, {K::calendar}), K::plain) ==
          LocationRefusal::collection_in_calendar);
    CHECK(collection_location(below(addressbook_home, {K::addressbook}), K::plain) ==
          LocationRefusal::collection_in_addressbook);
    CHECK(collection_location(below(calendar_home, {K::plain}), K::plain) == LocationRefusal::none);
    CHECK(collection_location({K::structural}, K::calendar) == LocationRefusal::calendar);
    CHECK(collection_location({K::structural, K::principal}, K::addressbook) == LocationRefusal::addressbook);
    CHECK(collection_location({}, K::calendar) == LocationRefusal::calendar);
}

TEST_CASE("RFC 4791 §4.2: a tree arriving by COPY or MOVE is judged with every calendar in it", "[location]") {
    // A plain collection holding a calendar, moved under a calendar (via a plain collection there).
    std::vector<std::vector<K>> holder = {{K::plain}, {K::plain, K::calendar}};
    CHECK(tree_location(below(calendar_home, {K::calendar, K::plain}), holder) == LocationRefusal::calendar);
    CHECK(tree_location(below(calendar_home, {K::plain}), holder) == LocationRefusal::none);
    // Into an address book's plain collection, or into the address-book home.
    CHECK(tree_location(below(addressbook_home, {K::addressbook, K::plain}), holder) == LocationRefusal::calendar);
    CHECK(tree_location(addressbook_home, holder) == LocationRefusal::calendar);
    // A calendar holding a plain collection moves with it; the plain one keeps its parent.
    std::vector<std::vector<K>> calendar_with_folder = {{K::calendar}, {K::calendar, K::plain}};
    CHECK(tree_location(calendar_home, calendar_with_folder) == LocationRefusal::none);
    CHECK(tree_location(below(calendar_home, {K::calendar}), calendar_with_folder) == LocationRefusal::calendar);
}

TEST_CASE("RFC 4791 §4.2: the store gives the kinds above a path and within a tree", "[location][store]") {
    TempDatabase temp;
    caldav::store::Store store(temp.path());
    store.provision("alice");
    store.make_collection("calendars/alice/holder", K::plain);
    store.make_collection("calendars/alice/holder/work", K::calendar);
    store.make_collection("calendars/alice/holder/work/inner", K::plain);
    store.make_collection("calendars/alice/holder/other", K::plain);
    std::vector<K> above = store.ancestor_kinds("calendars/alice/holder/work/inner/new");
    REQUIRE(above.size() >= 4);
    CHECK(std::vector<K>(above.end() - 4, above.end()) ==
          std::vector<K>{K::calendar_home, K::plain, K::calendar, K::plain});
    CHECK(collection_location(above, K::calendar) == LocationRefusal::calendar);
    CHECK(collection_location(store.ancestor_kinds("calendars/alice/holder/other/new"), K::calendar) ==
          LocationRefusal::none);
    std::vector<std::vector<K>> tree = store.tree_kinds("calendars/alice/holder");
    CHECK(tree == std::vector<std::vector<K>>{
                      {K::plain}, {K::plain, K::plain}, {K::plain, K::calendar}, {K::plain, K::calendar, K::plain}});
    CHECK(store.tree_kinds("calendars/alice/nothing").empty());
    CHECK(tree_location(store.ancestor_kinds("calendars/alice/holder/work/inner/moved"), tree) ==
          LocationRefusal::calendar);
}
