// RAII over one SQLite connection: prepared-statement cache, typed binding, and transactions.
// A Database is used by one thread at a time; see StorePool (store/pool.hpp) for how requests get one.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/error.hpp"

namespace caldav::store {

class Database;

// A prepared statement borrowed from the cache for one use: reset, unbound and returned when it
// goes out of scope. If the cached one is still borrowed (recursion, nesting), the borrower gets a
// private copy that is finalized instead.
class Statement {
public:
    // `cache_key` is the SQL literal the cache holds it under, or nullptr for a private copy.
    Statement(Database& db, sqlite3_stmt* stmt, const char* cache_key);
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    Statement(Statement&& other) noexcept;
    ~Statement();

    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, std::string_view text);
    Statement& bind_blob(int index, std::string_view bytes);
    Statement& bind_null(int index);

    // Steps once; true while a row is available.
    bool step();
    // Steps to completion, for statements that return no rows.
    void run();
    // Makes the statement ready to be bound and run again (in a loop).
    void reset();

    std::int64_t integer(int column) const;
    std::string text(int column) const;
    std::string_view blob(int column) const;
    bool is_null(int column) const;

private:
    Database* db_;
    sqlite3_stmt* stmt_;
    const char* cache_key_;
};

// Process-wide SQLite settings; call once, before any connection opens (SQLite ignores them
// afterwards, which is harmless: they only save time).
void configure_sqlite();

class Database {
public:
    // Opens (creating if needed) the file in WAL mode and runs the schema migrations.
    explicit Database(const std::string& path);
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    ~Database();

    // `sql` must be a string literal: its address keys the statement cache.
    Statement prepare(const char* sql);
    void exec(const char* sql);
    std::int64_t changes() const;
    std::int64_t last_insert_id() const;
    const std::string& path() const { return path_; }

    // Throws the Error matching an SQLite result code, naming the file and the reason.
    [[noreturn]] void fail(int code, std::string_view what) const;

    int transaction_depth = 0;
    // Frames in the write-ahead log after this connection's last commit (SQLite's wal hook).
    int log_frames = 0;
    // Checkpoints the write-ahead log when it has grown enough; called after a commit, never
    // inside a transaction.
    void checkpoint_if_due();

    // Writers of one process on one file queue on this mutex rather than in SQLite's busy handler,
    // which sleeps in growing steps: under contention that sleep, not the work, set the pace.
    std::mutex& writers() { return *writers_; }

private:
    std::string path_;
    sqlite3* handle_ = nullptr;
    std::mutex* writers_;
    struct Cached {
        sqlite3_stmt* stmt;
        bool borrowed;
    };
    std::unordered_map<const char*, Cached> cache_;
    friend class Statement;
};

// One write transaction (BEGIN IMMEDIATE, so a writer never upgrades a read lock and deadlocks).
// Nested transactions become savepoints. Rolls back unless commit() was called.
class Transaction {
public:
    explicit Transaction(Database& db);
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();  // rolls back unless committed
    // A group commit (store/group_commit) checkpoints only after its waiting writers are released:
    // a RESTART checkpoint waits for readers, and one of them may be a writer waiting on the group.
    enum class AfterCommit { checkpoint_if_due, leave_to_caller };
    void commit(AfterCommit after = AfterCommit::checkpoint_if_due);
    // Rolls back now (when the owner outlives the request's thread, e.g. in an APR pool, whose
    // cleanup may run on another thread: the writers' mutex must be released by its locker).
    void rollback() noexcept;

private:
    Database& db_;
    bool outermost_;
    bool done_ = false;
    std::unique_lock<std::mutex> writers_;
};

// One read snapshot for a series of reads (BEGIN ... COMMIT): SQLite takes and drops its read lock
// once rather than around every statement (a multiget of 100 hrefs made 600 fcntl and 300 fstat
// calls). Nothing inside may write. Does nothing inside another transaction.
class ReadTransaction {
public:
    explicit ReadTransaction(Database& db);
    ReadTransaction(const ReadTransaction&) = delete;
    ReadTransaction& operator=(const ReadTransaction&) = delete;
    ~ReadTransaction();

private:
    Database& db_;
    bool open_;
};

}  // namespace caldav::store
