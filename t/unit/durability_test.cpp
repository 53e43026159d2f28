// An acknowledged commit survives a kill of the process right after COMMIT returned, whatever the
// size of the transaction (ARCHITECTURE.md's invariant; SQLite's own guarantee in WAL mode with
// synchronous=NORMAL, which nothing of ours between SQLite and the file may weaken).
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <string>
#include <vector>

#include "store/database.hpp"
#include "temp_database.hpp"

using namespace caldav::store;

namespace {

void create_tables(Database& db) {
    db.exec("CREATE TABLE IF NOT EXISTS counters(id INTEGER PRIMARY KEY, value INTEGER)");
    db.exec("CREATE TABLE IF NOT EXISTS blobs(id INTEGER PRIMARY KEY, body BLOB)");
    db.exec("INSERT OR IGNORE INTO counters(id, value) VALUES (1, 0)");
}

void set_counter(Database& db, std::int64_t value) {
    db.prepare("UPDATE counters SET value = ?1 WHERE id = 1").bind(1, value).run();
}

// The transaction of the report: a small row changed, a blob larger than the connection's page
// cache, the small row changed again. The page cache overflows in the middle, so the first change
// is already in the log when the second rewrites it, and SQLite rewrites frame checksums at COMMIT.
// Small commits come first, as on a server that has been running: the first commits after the log
// starts over also sync it or ask its size (journal_size_limit), which would hide a byte held past
// the commit.
void large_transaction(Database& db, std::size_t blob_bytes) {
    for (int i = 0; i < 20; ++i) {
        Transaction warm_up(db);
        set_counter(db, -i);
        warm_up.commit();
    }
    Transaction transaction(db);
    set_counter(db, 1);
    std::string blob(blob_bytes, 'x');
    for (std::size_t i = 0; i < blob.size(); i += 97) blob[i] = static_cast<char>('a' + i % 26);
    db.prepare("INSERT INTO blobs(body) VALUES (?1)").bind_blob(1, blob).run();
    set_counter(db, 2);
    transaction.commit();
}

// Another writer's small commits after the large one (another user on another connection).
void small_commits(Database& db, int count) {
    for (int i = 0; i < count; ++i) {
        Transaction transaction(db);
        db.prepare("INSERT INTO blobs(body) VALUES (?1)").bind_blob(1, "small").run();
        transaction.commit();
    }
}

// Ends the process as SIGKILL ends Apache's children: no connection is closed, nothing flushed.
// Called inside the scope that holds the connections.
void die_now() {
    kill(getpid(), SIGKILL);
    _exit(3);
}

// Runs `work` (which ends with die_now()) in a child process. True when the child got as far as
// the kill.
template <typename Work>
bool run_then_kill(Work work) {
    pid_t child = fork();
    if (child == 0) {
        try {
            work();
        } catch (...) {
            _exit(2);
        }
        _exit(4);
    }
    int status = 0;
    waitpid(child, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

std::int64_t number(Database& db, const char* sql) {
    Statement statement = db.prepare(sql);
    REQUIRE(statement.step());
    return statement.integer(0);
}

}  // namespace

TEST_CASE("a commit larger than the page cache survives SIGKILL right after COMMIT", "[durability]") {
    // 100 KB fits the page cache; the others overflow it (PRAGMA cache_size=-256).
    auto blob_bytes = GENERATE(std::size_t{100} << 10, std::size_t{1} << 20, std::size_t{4} << 20);
    CAPTURE(blob_bytes);
    TempDatabase temp;
    {
        Database setup(temp.path());
        create_tables(setup);
    }
    REQUIRE(run_then_kill([&] {
        Database db(temp.path());
        large_transaction(db, blob_bytes);
        die_now();
    }));
    Database after(temp.path());
    CHECK(number(after, "SELECT value FROM counters WHERE id = 1") == 2);
    CHECK(number(after, "SELECT count(*) FROM blobs") == 1);
    CHECK(number(after, "SELECT max(length(body)) FROM blobs") == static_cast<std::int64_t>(blob_bytes));
}

TEST_CASE("other connections' later commits survive SIGKILL after a large commit", "[durability]") {
    TempDatabase temp;
    {
        Database setup(temp.path());
        create_tables(setup);
    }
    REQUIRE(run_then_kill([&] {
        Database alice(temp.path());
        Database bob(temp.path());
        large_transaction(alice, std::size_t{1} << 20);
        small_commits(bob, 5);
        die_now();
    }));
    Database after(temp.path());
    CHECK(number(after, "SELECT value FROM counters WHERE id = 1") == 2);
    CHECK(number(after, "SELECT count(*) FROM blobs") == 6);
}

TEST_CASE("a large commit then an idle connection: SIGKILL much later keeps it", "[durability]") {
    TempDatabase temp;
    {
        Database setup(temp.path());
        create_tables(setup);
    }
    REQUIRE(run_then_kill([&] {
        Database db(temp.path());
        large_transaction(db, std::size_t{2} << 20);
        usleep(300 * 1000);  // the connection stays open and unused, as in a quiet Apache child
        die_now();
    }));
    Database after(temp.path());
    CHECK(number(after, "SELECT value FROM counters WHERE id = 1") == 2);
    CHECK(number(after, "SELECT count(*) FROM blobs") == 1);
}
