// The frame-joining VFS (lib/store/wal_vfs): one write per log frame, and a log that SQLite's
// recovery reads back whole, from this process and from a copy taken as a crash would leave it.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "store/wal_vfs.hpp"
#include "temp_database.hpp"

using namespace caldav::store;

namespace {

// The sizes of the writes that reach the system's VFS on a log file. The system's file is patched
// in place (a copy of its methods with a counting xWrite), so no wrapper of our own is in between.
std::vector<int> log_write_sizes;
sqlite3_io_methods counted_methods;
const sqlite3_io_methods* system_methods = nullptr;

int counting_write(sqlite3_file* file, const void* data, int size, sqlite3_int64 offset) {
    log_write_sizes.push_back(size);
    return system_methods->xWrite(file, data, size, offset);
}

int counting_open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
    auto* system = static_cast<sqlite3_vfs*>(vfs->pAppData);
    int rc = system->xOpen(system, name, file, flags, out_flags);
    if (rc == SQLITE_OK && (flags & SQLITE_OPEN_WAL) != 0) {
        system_methods = file->pMethods;
        counted_methods = *file->pMethods;
        counted_methods.xWrite = counting_write;
        file->pMethods = &counted_methods;
    }
    return rc;
}

sqlite3_vfs* counting_vfs() {
    static sqlite3_vfs vfs = [] {
        sqlite3_vfs* system = sqlite3_vfs_find(nullptr);
        sqlite3_vfs copy = *system;
        copy.zName = "counting-log-writes";
        copy.pNext = nullptr;
        copy.pAppData = system;
        copy.xOpen = counting_open;
        return copy;
    }();
    static bool registered = (sqlite3_vfs_register(&vfs, 0), true);
    (void)registered;
    return &vfs;
}

sqlite3_vfs* joined_over_counting_vfs() {
    static std::unique_ptr<sqlite3_vfs> vfs = make_wal_vfs("joined-over-counting", counting_vfs());
    static bool registered = (sqlite3_vfs_register(vfs.get(), 0), true);
    (void)registered;
    return vfs.get();
}

struct Connection {
    sqlite3* handle = nullptr;
    Connection(const std::string& path, const char* vfs) {
        REQUIRE(sqlite3_open_v2(path.c_str(), &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs) == SQLITE_OK);
    }
    ~Connection() { sqlite3_close(handle); }
    void exec(const std::string& sql) {
        REQUIRE(sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    }
    std::int64_t number(const std::string& sql) {
        sqlite3_stmt* stmt = nullptr;
        REQUIRE(sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
        REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
        std::int64_t value = sqlite3_column_int64(stmt, 0);
        sqlite3_finalize(stmt);
        return value;
    }
    std::string text(const std::string& sql) {
        sqlite3_stmt* stmt = nullptr;
        REQUIRE(sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
        REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
        std::string value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
        sqlite3_finalize(stmt);
        return value;
    }
};

// Twenty commits of ten rows each, with pages the size of a frame's page.
void write_rows(Connection& db) {
    db.exec("PRAGMA journal_mode=WAL");
    db.exec("PRAGMA synchronous=NORMAL");
    db.exec("PRAGMA wal_autocheckpoint=0");
    db.exec("CREATE TABLE items(id INTEGER PRIMARY KEY, body TEXT)");
    db.exec("CREATE INDEX items_by_body ON items(body)");
    for (int commit = 0; commit < 20; ++commit) {
        db.exec("BEGIN");
        for (int row = 0; row < 10; ++row)
            db.exec("INSERT INTO items(body) VALUES (printf('%.*c', 300 + abs(random() % 200), 'x') || random())");
        db.exec("COMMIT");
    }
}

}  // namespace

TEST_CASE("SQLite's own VFS writes a log frame as two writes (what the joining VFS is for)", "[wal_vfs]") {
    TempDatabase temp;
    log_write_sizes.clear();
    Connection db(temp.path(), counting_vfs()->zName);
    write_rows(db);
    int page = static_cast<int>(db.number("PRAGMA page_size"));
    CHECK(std::count(log_write_sizes.begin(), log_write_sizes.end(), 24) > 20);
    CHECK(std::count(log_write_sizes.begin(), log_write_sizes.end(), page) > 20);
}

TEST_CASE("through the joining VFS every log write is a whole frame (the first with the log's header)", "[wal_vfs]") {
    TempDatabase temp;
    log_write_sizes.clear();
    Connection db(temp.path(), joined_over_counting_vfs()->zName);
    write_rows(db);
    int page = static_cast<int>(db.number("PRAGMA page_size"));
    REQUIRE(log_write_sizes.size() > 20);
    // The log's 32-byte header is synced on its own when a log starts, then frames: 24 + page.
    for (std::size_t i = 0; i < log_write_sizes.size(); ++i) {
        INFO("write " << i);
        if (log_write_sizes[i] == 32) continue;
        CHECK(log_write_sizes[i] == 24 + page);
    }
    CHECK(std::count(log_write_sizes.begin(), log_write_sizes.end(), 32) <= 1);
}

TEST_CASE("a log written through the joining VFS is read by other connections and by recovery", "[wal_vfs]") {
    TempDatabase temp;
    Connection writer(temp.path(), wal_vfs_name());
    write_rows(writer);

    // Another connection, on the system's VFS, reads the committed rows from the log.
    Connection reader(temp.path(), nullptr);
    CHECK(reader.number("SELECT count(*) FROM items") == 200);

    // Copies of the file and its log taken while the writer is open, as a crash leaves them:
    // recovery keeps a frame only if its checksum, chained through header and page, is right.
    auto recovered_rows = [&](const std::string& name) {
        std::string copy = temp.directory() + "/" + name;
        std::filesystem::copy_file(temp.path(), copy);
        std::filesystem::copy_file(temp.path() + "-wal", copy + "-wal");
        Connection recovered(copy, wal_vfs_name());
        CHECK(recovered.text("PRAGMA integrity_check") == "ok");
        return recovered.number("SELECT count(*) FROM items");
    };
    CHECK(recovered_rows("all-in-the-log.sqlite") == 200);

    // After a checkpoint the next commit starts the log over: a new log header, then its frame.
    writer.exec("PRAGMA wal_checkpoint(PASSIVE)");
    writer.exec("INSERT INTO items(body) VALUES ('after the checkpoint')");
    CHECK(std::filesystem::file_size(temp.path() + "-wal") > 0);
    CHECK(recovered_rows("log-started-over.sqlite") == 201);
    CHECK(reader.number("SELECT count(*) FROM items WHERE body = 'after the checkpoint'") == 1);
}
