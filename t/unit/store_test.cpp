// The store: schema migrations, provisioning, writes as whole transactions, COPY/MOVE, sync
// tokens, and concurrent writers.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "store/properties.hpp"
#include "store/schema.hpp"
#include "store/store.hpp"
#include "temp_database.hpp"
#include "vcard/vcard.hpp"

using namespace caldav::store;

namespace {

int user_version(Database& db) {
    auto row = db.prepare("PRAGMA user_version");
    row.step();
    return static_cast<int>(row.integer(0));
}

std::string journal_mode(Database& db) {
    auto row = db.prepare("PRAGMA journal_mode");
    row.step();
    return row.text(0);
}

// The occurrence table of schema versions 1 to 4, with the same rows (no name, ETag or component).
void restore_old_instances_table(Database& db) {
    db.exec(
        "CREATE TABLE old (resource_id INTEGER NOT NULL REFERENCES resources(id) ON DELETE CASCADE, "
        "  collection_id INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL); "
        "INSERT INTO old SELECT resource_id, collection_id, start, end FROM instances; "
        "DROP TABLE instances; ALTER TABLE old RENAME TO instances; "
        "CREATE INDEX instances_by_time ON instances(collection_id, start, end, resource_id); "
        "CREATE INDEX instances_by_resource ON instances(resource_id);");
}

// Back to the change log of schema versions 1 to 6: one row per name, its token and whether deleted.
void restore_change_log(Database& db) {
    db.exec(
        "CREATE TABLE changes (collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE, "
        "  name TEXT NOT NULL, token INTEGER NOT NULL, deleted INTEGER NOT NULL, "
        "  PRIMARY KEY (collection_id, name)) WITHOUT ROWID; "
        "CREATE INDEX changes_by_token ON changes(collection_id, token); "
        "INSERT INTO changes SELECT collection_id, name, change_token, 0 FROM resources; "
        "INSERT INTO changes SELECT parent_id, name, change_token, 0 FROM collections WHERE change_token > 0; "
        "INSERT INTO changes SELECT collection_id, name, token, 1 FROM tombstones; "
        "DROP TABLE tombstones; DROP INDEX resources_by_change; DROP INDEX collections_by_change; "
        "ALTER TABLE resources DROP COLUMN change_token; ALTER TABLE collections DROP COLUMN change_token;");
}

}  // namespace

TEST_CASE("an empty file is migrated to the current schema, in WAL mode", "[store][migrations]") {
    TempDatabase temp;
    Store store(temp.path());
    CHECK(user_version(store.database()) == schema_version);
    CHECK(journal_mode(store.database()) == "wal");
    CHECK(store.lookup("").is_collection());
    CHECK(store.lookup("calendars").is_collection());
    CHECK(store.lookup("addressbooks").is_collection());
    CHECK(store.lookup("principals").is_collection());
}

TEST_CASE("reopening a migrated file keeps its data and version", "[store][migrations]") {
    TempDatabase temp;
    {
        Store store(temp.path());
        store.provision("alice");
    }
    Store again(temp.path());
    CHECK(user_version(again.database()) == schema_version);
    CHECK(again.is_provisioned("alice"));
}

TEST_CASE("a file from a newer schema is refused, not misread", "[store][migrations]") {
    TempDatabase temp;
    {
        Store store(temp.path());
        store.database().exec("PRAGMA user_version=99");
    }
    REQUIRE_THROWS_AS(Store(temp.path()), Error);
}

TEST_CASE("a file that is not a database is reported as corrupt with its path", "[store][errors]") {
    TempDatabase temp;
    std::ofstream(temp.path()) << "this is not an SQLite database, just some text long enough to fill a header......";
    try {
        Store store(temp.path());
        FAIL("opened a corrupt file");
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::corrupt);
        CHECK(std::string(error.what()).find(temp.path()) != std::string::npos);
    }
}

TEST_CASE("an unwritable location is reported as unavailable with its path", "[store][errors]") {
    TempDatabase temp;
    std::string path = temp.directory() + "/missing/dir/caldav.sqlite";
    try {
        Store store(path);
        FAIL("opened a database in a missing directory");
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::unavailable);
        CHECK(std::string(error.what()).find(path) != std::string::npos);
    }
}

TEST_CASE("provisioning creates the principal, homes and defaults once", "[store][provisioning]") {
    TempDatabase temp;
    Store store(temp.path());
    CHECK_FALSE(store.is_provisioned("alice"));
    store.provision("alice");
    store.provision("alice");
    CHECK(store.is_provisioned("alice"));
    CHECK(store.lookup("principals/alice").kind == CollectionKind::principal);
    CHECK(store.lookup("calendars/alice").kind == CollectionKind::calendar_home);
    CHECK(store.lookup("calendars/alice/default").kind == CollectionKind::calendar);
    CHECK(store.lookup("addressbooks/alice").kind == CollectionKind::addressbook_home);
    CHECK(store.lookup("addressbooks/alice/default").kind == CollectionKind::addressbook);
    CHECK(store.lookup("calendars/alice/default").owner == "alice");
    CHECK_THROWS_AS(store.provision("../bob"), Error);
}

TEST_CASE("PUT stores the bytes exactly and the ETag follows the bytes", "[store][put]") {
    TempDatabase temp;
    Store store(temp.path());
    store.provision("alice");
    std::string bytes = "BEGIN:VCALENDAR\r\nX-ODD;P=\"a:b\":value \r\nEND:VCALENDAR\r\n";
    bytes.push_back('\0');
    PutResult first = store.put("calendars/alice/default/a.ics", "text/calendar", bytes);
    CHECK(first.created);
    Node node = store.lookup("calendars/alice/default/a.ics");
    REQUIRE(node.type == Node::Type::resource);
    CHECK(store.body(node.id) == bytes);
    CHECK(node.etag == first.etag);
    CHECK(node.size == static_cast<std::int64_t>(bytes.size()));

    PutResult same = store.put("calendars/alice/default/a.ics", "text/calendar", bytes);
    CHECK_FALSE(same.created);
    CHECK(same.etag == first.etag);
    PutResult changed = store.put("calendars/alice/default/a.ics", "text/calendar", bytes + "x");
    CHECK(changed.etag != first.etag);
}

TEST_CASE("PUT returns the resource as a lookup now gives it", "[store][put]") {
    TempDatabase temp;
    Store store(temp.path());
    store.provision("alice");
    auto same_as_lookup = [&](const PutResult& result) {
        Node found = store.lookup(result.stored.path);
        CHECK(result.stored.type == found.type);
        CHECK(result.stored.id == found.id);
        CHECK(result.stored.collection_id == found.collection_id);
        CHECK(result.stored.etag == found.etag);
        CHECK(result.stored.content_type == found.content_type);
        CHECK(result.stored.size == found.size);
        CHECK(result.stored.uid == found.uid);
        CHECK(result.stored.created == found.created);
        CHECK(result.stored.modified == found.modified);
        CHECK(result.stored.kind == found.kind);
        CHECK(result.stored.owner == found.owner);
    };
    ResourceIndex index{"uid-1", "VEVENT", {{1767225600, 1767229200}}, std::nullopt, {}};
    same_as_lookup(store.put("calendars/alice/default/a.ics", "text/calendar", "one", &index));
    same_as_lookup(store.put("calendars/alice/default/a.ics", "text/calendar; charset=utf-8", "two!", &index));
    same_as_lookup(store.put("calendars/alice/default/b.txt", "text/plain", "plain"));
}

TEST_CASE("a write that fails leaves nothing behind", "[store][transactions]") {
    TempDatabase temp;
    Store store(temp.path());
    store.provision("alice");
    std::int64_t token = store.lookup("calendars/alice/default").sync_token;
    CHECK_THROWS_AS(store.put("calendars/alice/nope/a.ics", "text/plain", "x"), Error);
    CHECK_THROWS_AS(store.make_collection("calendars/alice/default", CollectionKind::plain), Error);
    CHECK(store.lookup("calendars/alice/default").sync_token == token);

    SECTION("an explicit transaction rolls back every statement in it") {
        {
            Transaction transaction(store.database());
            store.put("calendars/alice/default/a.ics", "text/calendar", "one");
            store.make_collection("calendars/alice/folder", CollectionKind::plain);
            // no commit: the destructor rolls back, nested writes included
        }
        CHECK_FALSE(store.lookup("calendars/alice/default/a.ics").exists());
        CHECK_FALSE(store.lookup("calendars/alice/folder").exists());
        CHECK(store.lookup("calendars/alice/default").sync_token == token);
    }
}

TEST_CASE("the write-ahead log is checkpointed and restarted: it stays bounded however much is written",
          "[store][transactions]") {
    TempDatabase temp;
    Store store(temp.path());
    store.provision("alice");
    const std::string body(3000, 'x');  // most of a page per row, as a real event
    std::uintmax_t largest = 0;
    for (int i = 0; i < 6000; ++i) {
        store.put("calendars/alice/default/e" + std::to_string(i) + ".ics", "text/calendar", body);
        if (i % 500 == 499) largest = std::max(largest, std::filesystem::file_size(temp.path() + "-wal"));
    }
    // 8000 frames of 4 KB restart the log, and journal_size_limit cuts it back to 32 MB.
    CHECK(largest > 0);
    CHECK(largest <= std::uintmax_t{40} << 20);
}

TEST_CASE("a read transaction answers from one snapshot until it ends", "[store][transactions]") {
    TempDatabase temp;
    Store reader(temp.path());
    reader.provision("alice");
    Store writer(temp.path());
    {
        ReadTransaction snapshot(reader.database());
        CHECK_FALSE(reader.lookup("calendars/alice/default/a.ics").exists());
        writer.put("calendars/alice/default/a.ics", "text/calendar", "one");  // WAL: the writer is not blocked
        CHECK_FALSE(reader.lookup("calendars/alice/default/a.ics").exists());
        {
            ReadTransaction nested(reader.database());  // inside another transaction: nothing to do
            CHECK_FALSE(reader.lookup("calendars/alice/default/a.ics").exists());
        }
        CHECK(reader.database().transaction_depth == 1);
    }
    CHECK(reader.database().transaction_depth == 0);
    CHECK(reader.lookup("calendars/alice/default/a.ics").exists());
}

TEST_CASE("every change bumps the collection's sync token; a name's latest is in its row or its tombstone",
          "[store][sync]") {
    TempDatabase temp;
    Store store(temp.path());
    store.provision("alice");
    std::int64_t before = store.lookup("calendars/alice/default").sync_token;
    store.put("calendars/alice/default/a.ics", "text/calendar", "1");
    store.put("calendars/alice/default/a.ics", "text/calendar", "2");
    Node calendar = store.lookup("calendars/alice/default");
    CHECK(calendar.sync_token == before + 2);
    auto token_of = [&](const char* sql) {
        auto row = store.database().prepare(sql);
        row.bind(1, calendar.id);
        return row.step() ? row.integer(0) : -1;
    };
    CHECK(token_of("SELECT change_token FROM resources WHERE collection_id = ?1 AND name = 'a.ics'") == before + 2);
    CHECK(token_of("SELECT count(*) FROM tombstones WHERE collection_id = ?1") == 0);

    store.remove("calendars/alice/default/a.ics");
    CHECK(store.lookup("calendars/alice/default").sync_token == before + 3);
    CHECK(token_of("SELECT token FROM tombstones WHERE collection_id = ?1 AND name = 'a.ics'") == before + 3);

    // The name exists again: no longer reported as deleted, its row carries the new token.
    store.put("calendars/alice/default/a.ics", "text/calendar", "3");
    CHECK(token_of("SELECT count(*) FROM tombstones WHERE collection_id = ?1") == 0);
    CHECK(token_of("SELECT change_token FROM resources WHERE collection_id = ?1 AND name = 'a.ics'") == before + 4);
    std::vector<Change> changes = store.changes_since(store.lookup("calendars/alice/default"), before, 100);
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].name == "a.ics");
    CHECK(changes[0].token == before + 4);
    CHECK_FALSE(changes[0].deleted);
    CHECK(changes[0].member.exists());
}

TEST_CASE("removing a collection removes its whole tree, properties and locks", "[store][delete]") {
    TempDatabase temp;
    Store store(temp.path());
    store.provision("alice");
    store.make_collection("calendars/alice/tree", CollectionKind::plain);
    store.make_collection("calendars/alice/tree/sub", CollectionKind::plain);
    store.put("calendars/alice/tree/sub/x", "text/plain", "x");
    Node sub = store.lookup("calendars/alice/tree/sub");
    properties::set(store.database(), {true, sub.id}, "urn:x", "p", "<p xmlns='urn:x'/>");
    store.remove("calendars/alice/tree");
    CHECK_FALSE(store.lookup("calendars/alice/tree/sub/x").exists());
    CHECK_FALSE(store.lookup("calendars/alice/tree/sub").exists());
    auto count = store.database().prepare("SELECT count(*) FROM collection_properties WHERE namespace = 'urn:x'");
    count.step();
    CHECK(count.integer(0) == 0);
}

TEST_CASE("COPY and MOVE carry members and properties, replace in one transaction", "[store][copymove]") {
    TempDatabase temp;
    Store store(temp.path());
    store.provision("alice");
    store.make_collection("calendars/alice/src", CollectionKind::plain);
    store.make_collection("calendars/alice/src/inner", CollectionKind::plain);
    store.put("calendars/alice/src/inner/f", "text/plain", "deep");
    Node file = store.lookup("calendars/alice/src/inner/f");
    properties::set(store.database(), {false, file.id}, "urn:x", "p", "<p xmlns='urn:x'>v</p>");

    store.copy("calendars/alice/src", "calendars/alice/copy", true, false);
    Node copied = store.lookup("calendars/alice/copy/inner/f");
    REQUIRE(copied.exists());
    CHECK(store.body(copied.id) == "deep");
    CHECK(properties::get(store.database(), {false, copied.id}, "urn:x", "p") == "<p xmlns='urn:x'>v</p>");

    store.copy("calendars/alice/src", "calendars/alice/shallow", false, false);
    CHECK(store.lookup("calendars/alice/shallow").is_collection());
    CHECK_FALSE(store.lookup("calendars/alice/shallow/inner").exists());

    CHECK_THROWS_AS(store.move("calendars/alice/src", "calendars/alice/copy", false), Error);
    CHECK(store.lookup("calendars/alice/src/inner/f").exists());
    store.move("calendars/alice/src", "calendars/alice/copy", true);
    CHECK_FALSE(store.lookup("calendars/alice/src").exists());
    Node moved = store.lookup("calendars/alice/copy/inner/f");
    CHECK(moved.id == file.id);
    CHECK(store.lookup("calendars/alice/copy/inner").is_collection());

    CHECK_THROWS_AS(store.move("calendars/alice/copy", "calendars/alice/copy/inner/x", false), Error);
}

TEST_CASE("concurrent writers from several threads lose nothing", "[store][concurrency]") {
    TempDatabase temp;
    {
        Store store(temp.path());
        store.provision("alice");
    }
    constexpr int threads = 6;
    constexpr int writes = 100;
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            Store store(temp.path());  // one connection per thread, as in Apache
            for (int i = 0; i < writes; ++i) {
                std::string name = "calendars/alice/default/" + std::to_string(t) + "-" + std::to_string(i);
                store.put(name, "text/plain", name);
            }
        });
    }
    for (auto& worker : workers) worker.join();
    Store store(temp.path());
    Node calendar = store.lookup("calendars/alice/default");
    int seen = 0;
    store.for_each_member(calendar, [&](Node& member) {
        CHECK(store.body(member.id) == member.path);
        ++seen;
        return true;
    });
    CHECK(seen == threads * writes);
    CHECK(calendar.sync_token >= threads * writes);
}

TEST_CASE("the card index narrows by folded value and match type (RFC 6352 §10.5.4)", "[store][cards]") {
    TempDatabase temp;
    Store store(temp.path());
    store.provision("alice");
    ResourceIndex zoe;
    zoe.uid = "z";
    zoe.card_fields = {{"FN", "zoë müller"}, {"EMAIL", "zoe@example.org"}};
    store.put("addressbooks/alice/default/z.vcf", "text/vcard", "card", &zoe);
    ResourceIndex max;
    max.uid = "m";
    max.card_fields = {{"FN", "max"}};
    store.put("addressbooks/alice/default/m.vcf", "text/vcard", "card", &max);
    Node book = store.lookup("addressbooks/alice/default");
    CHECK(store.cards_matching(book, "FN", "müll", "contains").size() == 1);
    CHECK(store.cards_matching(book, "FN", "zoë", "starts-with").size() == 1);
    CHECK(store.cards_matching(book, "FN", "müller", "ends-with").size() == 1);
    CHECK(store.cards_matching(book, "FN", "max", "equals").size() == 1);
    CHECK(store.cards_matching(book, "FN", "ma", "equals").empty());
    CHECK(store.cards_matching(book, "EMAIL", "max", "contains").empty());
    store.remove("addressbooks/alice/default/z.vcf");
    CHECK(store.cards_matching(book, "FN", "zoë", "contains").empty());
}

TEST_CASE("If-Match and If-None-Match are checked again inside the write (no lost update)", "[store][concurrency]") {
    TempDatabase temp;
    Store store(temp.path());
    store.provision("alice");
    WriteCondition create_only;
    create_only.must_not_exist = true;
    PutResult first = store.put("calendars/alice/default/a", "text/plain", "1", nullptr, &create_only);
    CHECK_THROWS_AS(store.put("calendars/alice/default/a", "text/plain", "2", nullptr, &create_only), Error);
    WriteCondition match;
    match.if_match = {first.etag};
    PutResult second = store.put("calendars/alice/default/a", "text/plain", "2", nullptr, &match);
    // A second writer that read the first ETag loses: the resource changed under it.
    CHECK_THROWS_AS(store.put("calendars/alice/default/a", "text/plain", "3", nullptr, &match), Error);
    Node node = store.lookup("calendars/alice/default/a");
    CHECK(store.body(node.id) == "2");
    CHECK(node.etag == second.etag);
}

namespace {

std::int64_t counted_bytes(Store& store, const std::string& owner) {
    auto sum = store.database().prepare(
        "SELECT IFNULL(SUM(r.size), 0) FROM resources r JOIN collections c ON c.id = r.collection_id "
        "WHERE c.owner = ?1");
    sum.bind(1, owner);
    sum.step();
    return sum.integer(0);
}

}  // namespace

TEST_CASE("usage per owner follows every write path (RFC 4331 quota-used-bytes)", "[store][quota]") {
    TempDatabase temp;
    Store store(temp.path());
    store.provision("alice");
    store.provision("bob");
    store.make_collection("calendars/alice/tree", CollectionKind::plain);
    store.make_collection("calendars/alice/tree/sub", CollectionKind::plain);
    auto agrees = [&] {
        CHECK(store.used_bytes("alice") == counted_bytes(store, "alice"));
        CHECK(store.used_bytes("bob") == counted_bytes(store, "bob"));
    };
    store.put("calendars/alice/default/a.ics", "text/calendar", std::string(100, 'a'));
    store.put("addressbooks/alice/default/c.vcf", "text/vcard", std::string(30, 'c'));
    store.put("calendars/alice/tree/sub/x", "text/plain", std::string(7, 'x'));
    store.put("calendars/bob/default/b.ics", "text/calendar", std::string(50, 'b'));
    CHECK(store.used_bytes("alice") == 137);
    agrees();
    store.put("calendars/alice/default/a.ics", "text/calendar", std::string(60, 'a'));  // replaced, smaller
    CHECK(store.used_bytes("alice") == 97);
    store.copy("calendars/alice/tree", "calendars/alice/copy", true, false);
    CHECK(store.used_bytes("alice") == 104);
    store.move("calendars/alice/copy", "calendars/alice/moved", false);
    CHECK(store.used_bytes("alice") == 104);
    store.remove("calendars/alice/tree");  // a tree: the cascade must not count twice
    CHECK(store.used_bytes("alice") == 97);
    store.remove("calendars/alice/default/a.ics");
    CHECK(store.used_bytes("alice") == 37);
    CHECK(store.used_bytes("bob") == 50);
    CHECK(store.used_bytes("nobody") == 0);
    agrees();
}

TEST_CASE("a write past the owner's quota fails and leaves nothing; shrinking is allowed", "[store][quota]") {
    TempDatabase temp;
    Store store(temp.path());
    store.provision("alice");
    WriteCondition quota;
    quota.quota_bytes = 100;
    store.put("calendars/alice/default/a.ics", "text/calendar", std::string(80, 'a'), nullptr, &quota);
    std::int64_t token = store.lookup("calendars/alice/default").sync_token;
    try {
        store.put("calendars/alice/default/b.ics", "text/calendar", std::string(30, 'b'), nullptr, &quota);
        FAIL("the quota was not enforced");
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::quota);
    }
    CHECK_FALSE(store.lookup("calendars/alice/default/b.ics").exists());
    CHECK(store.lookup("calendars/alice/default").sync_token == token);
    CHECK(store.used_bytes("alice") == 80);
    CHECK_THROWS_AS(store.copy("calendars/alice/default", "calendars/alice/copy", true, false, 100), Error);
    CHECK_FALSE(store.lookup("calendars/alice/copy").exists());
    // Over quota (the limit was lowered): replacing with something smaller still works.
    quota.quota_bytes = 50;
    store.put("calendars/alice/default/a.ics", "text/calendar", std::string(70, 'a'), nullptr, &quota);
    CHECK(store.used_bytes("alice") == 70);
    CHECK_THROWS_AS(store.put("calendars/alice/default/a.ics", "text/calendar", std::string(71, 'a'), nullptr, &quota),
                    Error);
}

TEST_CASE("migrating a version 1 file counts what it already stores", "[store][migrations][quota]") {
    TempDatabase temp;
    {
        Store store(temp.path());
        store.provision("alice");
        store.put("calendars/alice/default/a.ics", "text/calendar", std::string(42, 'a'));
        // Back to what a version 1 file looks like.
        restore_change_log(store.database());
        restore_old_instances_table(store.database());
        store.database().exec(
            "DROP TRIGGER usage_after_resource_insert; DROP TRIGGER usage_after_resource_update; "
            "DROP TRIGGER usage_after_resource_delete; DROP TRIGGER usage_before_collection_delete; "
            "DROP TABLE usage; DROP INDEX resources_indexed_until; "
            "PRAGMA user_version=1;");
    }
    Store again(temp.path());
    CHECK(user_version(again.database()) == schema_version);
    CHECK(again.used_bytes("alice") == 42);
    again.put("calendars/alice/default/b.ics", "text/calendar", std::string(8, 'b'));
    CHECK(again.used_bytes("alice") == 50);
}

TEST_CASE("RFC 4791 §9.9: overlapping() finds exactly the occurrences a brute force finds, short and long",
          "[store][instances]") {
    TempDatabase temp;
    Store store(temp.path());
    store.provision("alice");
    const std::int64_t day = 86400;
    const std::int64_t base = 1767225600;  // 2026-01-01T00:00:00Z
    // Durations around the four-hour, one-day and one-week splits of the index (schema versions 4 and 6),
    // zero-length ones, a year-long one, and a weekly series; starts spread over ten weeks.
    const std::vector<std::int64_t> durations = {0,        3600,    4 * 3600 - 1, 4 * 3600, 4 * 3600 + 1,
                                                 5 * 3600, day - 1, day,          day + 1,  2 * day,
                                                 6 * day,  7 * day, 7 * day + 1,  8 * day,  400 * day};
    std::vector<std::pair<std::string, Occurrence>> all;
    int n = 0;
    for (std::int64_t duration : durations) {
        for (std::int64_t offset = -3 * day; offset < 70 * day; offset += 5 * day + 3600) {
            ResourceIndex index;
            index.uid = "u" + std::to_string(n);
            index.component = "VEVENT";
            index.occurrences.push_back({base + offset, base + offset + duration});
            std::string name = "e" + std::to_string(n++) + ".ics";
            store.put("calendars/alice/default/" + name, "text/calendar", "x", &index);
            all.emplace_back(name, index.occurrences.back());
        }
    }
    ResourceIndex weekly;
    weekly.uid = "weekly";
    weekly.component = "VEVENT";
    for (int week = 0; week < 10; ++week)
        weekly.occurrences.push_back({base + week * 7 * day, base + week * 7 * day + 3600});
    store.put("calendars/alice/default/weekly.ics", "text/calendar", "x", &weekly);
    for (const Occurrence& occurrence : weekly.occurrences) all.emplace_back("weekly.ics", occurrence);

    Node calendar = store.lookup("calendars/alice/default");
    for (std::int64_t from = base - 10 * day; from < base + 80 * day; from += 3 * 3600 + 1234) {
        for (std::int64_t length :
             {std::int64_t{1}, 3600 * std::int64_t{2}, 3600 * std::int64_t{5}, day, 7 * day, 30 * day}) {
            std::int64_t to = from + length;
            std::set<std::string> expected;
            for (const auto& [name, occurrence] : all) {
                bool overlaps = occurrence.end == occurrence.start ? occurrence.start >= from && occurrence.start < to
                                                                   : occurrence.start < to && occurrence.end > from;
                if (overlaps) expected.insert(name);
            }
            std::set<std::string> found;
            for (const IndexedMember& member : store.overlapping(calendar, from, to)) {
                found.insert(member.name);
                CHECK(member.component == "VEVENT");
                CHECK(member.complete);
            }
            INFO("window [" << from << ", " << to << ")");
            CHECK(found == expected);
        }
    }
}

TEST_CASE("overlapping() says whether the index is complete up to the range's end", "[store][instances]") {
    TempDatabase temp;
    Store store(temp.path());
    store.provision("alice");
    const std::int64_t day = 86400, base = 1767225600;  // 2026-01-01T00:00:00Z
    ResourceIndex series;                               // an endless weekly series indexed for three weeks
    series.uid = "weekly";
    series.component = "VEVENT";
    for (int week = 0; week < 3; ++week)
        series.occurrences.push_back({base + week * 7 * day, base + week * 7 * day + 3600});
    series.indexed_until = base + 21 * day;
    store.put("calendars/alice/default/weekly.ics", "text/calendar", "x", &series);
    Node calendar = store.lookup("calendars/alice/default");
    auto only = [&](std::int64_t from, std::int64_t to) {
        std::vector<IndexedMember> found = store.overlapping(calendar, from, to);
        REQUIRE(found.size() == 1);
        CHECK(found.front().component == "VEVENT");
        return found.front().complete;
    };
    CHECK(only(base, base + day));
    CHECK(only(base + 14 * day, base + 21 * day));  // ends exactly where the index does
    CHECK_FALSE(only(base + 14 * day, base + 21 * day + 1));
    CHECK_FALSE(only(base + 30 * day, base + 31 * day));  // beyond: a candidate to expand, not decided
}

TEST_CASE("COPY and MOVE with an index computed for the destination replace the rows", "[store][copymove][instances]") {
    TempDatabase temp;
    Store store(temp.path());
    store.provision("alice");
    store.make_collection("calendars/alice/other", CollectionKind::calendar, "VEVENT");
    const std::int64_t base = 1767225600;
    ResourceIndex here{"u1", "VEVENT", {{base, base + 3600}}, std::nullopt, {}};
    store.put("calendars/alice/default/a.ics", "text/calendar", "x", &here);
    // The destination's time zone puts the floating event three hours later.
    ResourceIndex there{"u1", "VEVENT", {{base + 3 * 3600, base + 4 * 3600}}, std::nullopt, {}};
    store.copy("calendars/alice/default/a.ics", "calendars/alice/other/a.ics", false, false, 0, &there);
    Node other = store.lookup("calendars/alice/other");
    Node source = store.lookup("calendars/alice/default");
    CHECK(store.overlapping(other, base, base + 3600).empty());
    CHECK(store.overlapping(other, base + 3 * 3600, base + 3 * 3600 + 1).size() == 1);
    CHECK(store.overlapping(source, base, base + 1).size() == 1);  // the source keeps its rows
    // A UID already in the destination is refused (RFC 4791 §5.3.2.1 no-uid-conflict) with the new index too.
    CHECK_THROWS_AS(store.copy("calendars/alice/default/a.ics", "calendars/alice/other/b.ics", false, false, 0, &there),
                    Error);
    store.remove("calendars/alice/other/a.ics");
    store.move("calendars/alice/default/a.ics", "calendars/alice/other/a.ics", false, &there);
    CHECK(store.overlapping(source, base, base + 1).empty());
    CHECK(store.overlapping(other, base, base + 3600).empty());
    CHECK(store.overlapping(other, base + 3 * 3600, base + 3 * 3600 + 1).size() == 1);
}

TEST_CASE("occurrence rows carry the member's current name and ETag through PUT, COPY and MOVE",
          "[store][copymove][instances]") {
    TempDatabase temp;
    Store store(temp.path());
    store.provision("alice");
    store.make_collection("calendars/alice/other", CollectionKind::calendar, "VEVENT");
    const std::int64_t base = 1767225600;
    ResourceIndex index{"u1", "VEVENT", {{base, base + 3600}, {base + 86400, base + 90000}}, std::nullopt, {}};
    Node calendar = store.lookup("calendars/alice/default");
    Node other = store.lookup("calendars/alice/other");
    auto only = [&](const Node& collection) {
        std::vector<IndexedMember> found = store.overlapping(collection, base, base + 2 * 86400);
        REQUIRE(found.size() == 1);  // two occurrences, one member
        return found.front();
    };
    store.put("calendars/alice/default/a.ics", "text/calendar", "first", &index);
    std::string second = store.put("calendars/alice/default/a.ics", "text/calendar", "second", &index).etag;
    CHECK(only(calendar).etag == second);
    CHECK(only(calendar).name == "a.ics");
    CHECK(only(calendar).id == store.lookup("calendars/alice/default/a.ics").id);
    // Without a new index (same time zone), the rows are copied and renamed with the resource.
    store.copy("calendars/alice/default/a.ics", "calendars/alice/other/b.ics", false, false, 0, nullptr);
    CHECK(only(other).name == "b.ics");
    CHECK(only(other).etag == second);
    store.move("calendars/alice/default/a.ics", "calendars/alice/default/c.ics", false, nullptr);
    CHECK(only(calendar).name == "c.ics");
    CHECK(only(calendar).etag == second);
}

TEST_CASE("migrating a version 4 file gives its occurrence rows their member's name and ETag",
          "[store][migrations][instances]") {
    TempDatabase temp;
    const std::int64_t base = 1767225600;
    std::string etag;
    {
        Store store(temp.path());
        store.provision("alice");
        ResourceIndex index{"u1", "VEVENT", {{base, base + 3600}}, std::nullopt, {}};
        etag = store.put("calendars/alice/default/a.ics", "text/calendar", "x", &index).etag;
        restore_change_log(store.database());
        restore_old_instances_table(store.database());
        store.database().exec(
            "INSERT INTO instances SELECT * FROM instances; "  // the old table could hold duplicates
            "CREATE INDEX instances_longer_than_a_day ON instances(collection_id, start, end, resource_id) "
            "  WHERE end - start > 86400; "
            "CREATE INDEX instances_longer_than_a_week ON instances(collection_id, start, end, resource_id) "
            "  WHERE end - start > 604800; "
            "PRAGMA user_version=4;");
    }
    Store again(temp.path());
    CHECK(user_version(again.database()) == schema_version);
    std::vector<IndexedMember> found = again.overlapping(again.lookup("calendars/alice/default"), base, base + 1);
    REQUIRE(found.size() == 1);
    CHECK(found.front().name == "a.ics");
    CHECK(found.front().etag == etag);
    CHECK(found.front().component == "VEVENT");
    CHECK(found.front().complete);
}

TEST_CASE("migrating a version 6 file moves each name's latest change into its row or a tombstone",
          "[store][migrations][sync]") {
    TempDatabase temp;
    std::int64_t before = 0;
    {
        Store store(temp.path());
        store.provision("alice");
        before = store.lookup("calendars/alice/default").sync_token;
        store.put("calendars/alice/default/a.ics", "text/calendar", "1");  // before + 1
        store.put("calendars/alice/default/b.ics", "text/calendar", "1");  // before + 2
        store.put("calendars/alice/default/a.ics", "text/calendar", "2");  // before + 3
        store.remove("calendars/alice/default/b.ics");                     // before + 4
        store.make_collection("calendars/alice/work", CollectionKind::calendar);
        restore_change_log(store.database());
        // A name logged as changed with nothing there now (sync reported it gone).
        store.database().exec(
            "INSERT INTO changes SELECT id, 'ghost.ics', sync_token + 1, 0 FROM collections "
            "WHERE path = 'calendars/alice/default'; "
            "UPDATE collections SET sync_token = sync_token + 1 WHERE path = 'calendars/alice/default'; "
            "PRAGMA user_version=6;");
    }
    Store again(temp.path());
    CHECK(user_version(again.database()) == schema_version);
    std::vector<Change> changes = again.changes_since(again.lookup("calendars/alice/default"), before, 100);
    REQUIRE(changes.size() == 3);
    CHECK(changes[0].name == "a.ics");
    CHECK(changes[0].token == before + 3);
    CHECK_FALSE(changes[0].deleted);
    CHECK(changes[0].member.exists());
    CHECK(changes[1].name == "b.ics");
    CHECK(changes[1].token == before + 4);
    CHECK(changes[1].deleted);
    CHECK(changes[2].name == "ghost.ics");
    CHECK(changes[2].token == before + 5);
    CHECK(changes[2].deleted);
    // An initial sync of the home lists its calendars, the one made last among them.
    std::vector<Change> home = again.changes_since(again.lookup("calendars/alice"), 0, 100);
    REQUIRE_FALSE(home.empty());
    CHECK(home.back().name == "work");
    CHECK_FALSE(home.back().deleted);
    // And the file goes on: a new change takes the next token.
    again.put("calendars/alice/default/c.ics", "text/calendar", "1");
    CHECK(again.changes_since(again.lookup("calendars/alice/default"), before + 5, 100).at(0).token == before + 6);
}

TEST_CASE(
    "RFC 6578: changes since a token, in token order across resources, collections and deletions, "
    "in pages",
    "[store][sync]") {
    TempDatabase temp;
    Store store(temp.path());
    store.provision("alice");
    const std::string home = "calendars/alice/";
    std::int64_t start = store.lookup(home + "default").sync_token;
    store.put(home + "default/a.ics", "text/calendar", "a");
    store.put(home + "default/b.ics", "text/calendar", "b");
    store.put(home + "default/c.ics", "text/calendar", "c");
    store.remove(home + "default/b.ics");
    store.move(home + "default/c.ics", home + "default/d.ics", false);
    store.copy(home + "default/a.ics", home + "default/e.ics", false, false);
    store.make_collection(home + "default/inner", CollectionKind::plain);
    store.put(home + "default/a.ics", "text/calendar", "a2");

    // Each name once, at its latest change: b deleted, c moved away, a changed last.
    const std::vector<std::pair<std::string, bool>> expected = {{"b.ics", true},  {"c.ics", true},  {"d.ics", false},
                                                                {"e.ics", false}, {"inner", false}, {"a.ics", false}};
    Node calendar = store.lookup(home + "default");
    std::vector<Change> all = store.changes_since(calendar, start, 100);
    REQUIRE(all.size() == expected.size());
    for (std::size_t i = 0; i < all.size(); ++i) {
        INFO("change " << i);
        CHECK(all[i].name == expected[i].first);
        CHECK(all[i].deleted == expected[i].second);
        if (i > 0) CHECK(all[i].token > all[i - 1].token);
        // Resources come whole; a member collection and a deleted name without a member.
        CHECK(all[i].member.exists() == (!expected[i].second && all[i].name != "inner"));
    }
    CHECK(all.back().token == calendar.sync_token);
    // Pages of two, each from the last token of the one before, give the same list.
    std::vector<Change> paged;
    for (std::int64_t since = start;;) {
        std::vector<Change> page = store.changes_since(calendar, since, 2);
        if (page.empty()) break;
        CHECK(page.size() <= 2);
        since = page.back().token;
        paged.insert(paged.end(), page.begin(), page.end());
    }
    REQUIRE(paged.size() == all.size());
    for (std::size_t i = 0; i < all.size(); ++i) CHECK(paged[i].name == all[i].name);
    // Nothing since the collection's token; a removed collection's changes go with it.
    CHECK(store.changes_since(calendar, calendar.sync_token, 100).empty());
    store.remove(home + "default/inner");
    std::vector<Change> last = store.changes_since(store.lookup(home + "default"), calendar.sync_token, 100);
    REQUIRE(last.size() == 1);
    CHECK(last[0].name == "inner");
    CHECK(last[0].deleted);
}

TEST_CASE("RFC 4791 §5.3.2.1: PUT, COPY and MOVE never replace an object with one of another UID",
          "[store][put][copymove]") {
    TempDatabase temp;
    Store store(temp.path());
    store.provision("alice");
    ResourceIndex first{"u1", "VEVENT", {}, std::nullopt, {}};
    ResourceIndex second{"u2", "VEVENT", {}, std::nullopt, {}};
    store.put("calendars/alice/default/a.ics", "text/calendar", "first", &first);
    store.put("calendars/alice/default/b.ics", "text/calendar", "second", &second);
    auto refused_naming_a = [](const auto& write) {
        try {
            write();
        } catch (const Error& error) {
            return error.kind() == ErrorKind::uid_conflict && error.detail() == "calendars/alice/default/a.ics";
        }
        return false;
    };
    ResourceIndex unused{"u9", "VEVENT", {}, std::nullopt, {}};
    CHECK(refused_naming_a([&] { store.put("calendars/alice/default/a.ics", "text/calendar", "other", &unused); }));
    CHECK(refused_naming_a([&] {
        store.copy("calendars/alice/default/b.ics", "calendars/alice/default/a.ics", false, true, 0, nullptr);
    }));
    CHECK(refused_naming_a(
        [&] { store.move("calendars/alice/default/b.ics", "calendars/alice/default/a.ics", true, nullptr); }));
    CHECK(store.body(store.lookup("calendars/alice/default/a.ics").id) == "first");
    CHECK(store.lookup("calendars/alice/default/b.ics").exists());
    // The same UID replaces, and so does anything over a plain file (no UID).
    store.put("calendars/alice/default/a.ics", "text/calendar", "first again", &first);
    store.put("calendars/alice/default/plain.txt", "text/plain", "x");
    ResourceIndex third{"u3", "VEVENT", {}, std::nullopt, {}};
    store.put("calendars/alice/default/plain.txt", "text/calendar", "y", &third);
}

TEST_CASE("provisioning names the principal, the default calendar and address book; renames are kept",
          "[store][provisioning]") {
    TempDatabase temp;
    Store store(temp.path());
    store.provision("a&b");
    auto name_of = [&](const char* path) {
        auto xml = properties::get(store.database(), {true, store.lookup(path).id}, "DAV:", "displayname");
        return xml.value_or("");
    };
    CHECK(name_of("principals/a&b") == "<ns0:displayname xmlns:ns0=\"DAV:\">a&amp;b</ns0:displayname>");
    CHECK(name_of("calendars/a&b/default") == "<ns0:displayname xmlns:ns0=\"DAV:\">Calendar</ns0:displayname>");
    CHECK(name_of("addressbooks/a&b/default") == "<ns0:displayname xmlns:ns0=\"DAV:\">Contacts</ns0:displayname>");
    properties::set(store.database(), {true, store.lookup("calendars/a&b/default").id}, "DAV:", "displayname",
                    "<D:displayname xmlns:D=\"DAV:\">Family</D:displayname>");
    store.provision("a&b");
    CHECK(name_of("calendars/a&b/default") == "<D:displayname xmlns:D=\"DAV:\">Family</D:displayname>");
}

TEST_CASE("migrating a version 7 file names the users provisioned before, keeping their own names",
          "[store][migrations][provisioning]") {
    TempDatabase temp;
    {
        Store store(temp.path());
        store.provision("alice");
        store.provision("bob");
        Database& db = store.database();
        db.exec("DELETE FROM collection_properties WHERE name = 'displayname'");
        properties::set(db, {true, store.lookup("calendars/bob/default").id}, "DAV:", "displayname",
                        "<D:displayname xmlns:D=\"DAV:\">Bob's</D:displayname>");
        db.exec("PRAGMA user_version=7");
    }
    Store store(temp.path());
    auto name_of = [&](const char* path) {
        return properties::get(store.database(), {true, store.lookup(path).id}, "DAV:", "displayname").value_or("");
    };
    CHECK(name_of("principals/alice") == "<ns0:displayname xmlns:ns0=\"DAV:\">alice</ns0:displayname>");
    CHECK(name_of("calendars/alice/default") == "<ns0:displayname xmlns:ns0=\"DAV:\">Calendar</ns0:displayname>");
    CHECK(name_of("addressbooks/bob/default") == "<ns0:displayname xmlns:ns0=\"DAV:\">Contacts</ns0:displayname>");
    CHECK(name_of("calendars/bob/default") == "<D:displayname xmlns:D=\"DAV:\">Bob's</D:displayname>");
    CHECK(name_of("calendars/alice") == "");  // homes keep no name of their own
}

TEST_CASE("migrating a version 8 file computes the card index again in the one i;unicode-casemap form",
          "[store][migrations][cards]") {
    TempDatabase temp;
    const std::string card =
        "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:z\r\nFN:Zoë Straße\r\nEMAIL:Zoe@Example.org\r\nEND:VCARD\r\n";
    {
        Store store(temp.path());
        store.provision("alice");
        ResourceIndex old;  // as version 8 folded it: lower case, ß as ss
        old.uid = "z";
        old.card_fields = {{"FN", "zoë strasse"}, {"EMAIL", "zoe@example.org"}};
        store.put("addressbooks/alice/default/z.vcf", "text/vcard", card, &old);
        ResourceIndex event;
        event.uid = "e";
        store.put("calendars/alice/default/e.ics", "text/calendar", card, &event);  // not in an address book
        store.database().exec("PRAGMA user_version=8;");
    }
    Store again(temp.path());
    CHECK(user_version(again.database()) == schema_version);
    Node book = again.lookup("addressbooks/alice/default");
    CHECK(again.cards_matching(book, "FN", caldav::vcard::casefold("zoë straße"), "equals").size() == 1);
    CHECK(again.cards_matching(book, "FN", caldav::vcard::casefold("ZOE\u0308"), "starts-with").size() == 1);
    CHECK(again.cards_matching(book, "FN", "strasse", "contains").empty());
    CHECK(again.cards_matching(book, "EMAIL", caldav::vcard::casefold("zoe@example.org"), "equals").size() == 1);
    auto rows = again.database().prepare("SELECT count(*) FROM card_index");
    REQUIRE(rows.step());
    CHECK(rows.integer(0) == 2);  // FN and EMAIL of the card, nothing of the calendar object
}
