// RAII over one SQLite connection; every SQLite failure becomes a store::Error naming the file.
#include "store/database.hpp"

#include <unistd.h>

#include <cstring>
#include <memory>

#include "store/per_database_file.hpp"
#include "store/schema.hpp"

namespace caldav::store {

namespace {

// Why a file cannot be opened, in the terms an administrator fixes it with.
std::string open_failure_reason(const std::string& path, const std::string& sqlite_reason, int system_errno) {
    std::string::size_type slash = path.rfind('/');
    std::string directory = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    if (access(directory.c_str(), F_OK) != 0) return "directory " + directory + " does not exist";
    bool exists = access(path.c_str(), F_OK) == 0;
    if (!exists && access(directory.c_str(), W_OK | X_OK) != 0)
        return "directory " + directory + " is not writable by uid " + std::to_string(geteuid());
    if (exists && access(path.c_str(), R_OK | W_OK) != 0)
        return "file is not readable and writable by uid " + std::to_string(geteuid());
    std::string reason = sqlite_reason;
    if (system_errno != 0) reason += std::string(" (") + std::strerror(system_errno) + ")";
    return reason;
}

ErrorKind kind_of(int code) {
    switch (code & 0xff) {
        case SQLITE_CANTOPEN:
        case SQLITE_PERM:
        case SQLITE_READONLY:
        case SQLITE_AUTH:
        case SQLITE_IOERR:
        case SQLITE_FULL:
            return ErrorKind::unavailable;
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
            return ErrorKind::corrupt;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return ErrorKind::busy;
        case SQLITE_CONSTRAINT:
            return ErrorKind::conflict;
        default:
            return ErrorKind::internal;
    }
}

// SQLITE_BUSY: another process holds the write lock. SQLite's own busy_timeout sleeps 1, 2, 5,
// 10 ... 100 ms between tries, so a writer slept through dozens of the other process's commits
// (PUT with 8 connections over two Apache children: p99 25 ms). Retry every 200 µs for the first
// 0.2 s, then every 2 ms, about 10 s in all.
int retry_while_busy(void*, int attempts) {
    constexpr int quick_attempts = 1000;
    constexpr int slow_attempts = 4900;
    if (attempts >= quick_attempts + slow_attempts) return 0;
    usleep(attempts < quick_attempts ? 200 : 2000);
    return 1;
}

// After each commit SQLite reports the frames in the write-ahead log; the checkpoint itself waits
// for checkpoint_if_due, outside the process's writers' mutex (see there).
int note_log_frames(void* database, sqlite3*, const char*, int frames) {
    static_cast<Database*>(database)->log_frames = frames;
    return SQLITE_OK;
}

}  // namespace

// ---- Statement ------------------------------------------------------------------

Statement::Statement(Database& db, sqlite3_stmt* stmt, const char* cache_key)
    : db_(&db), stmt_(stmt), cache_key_(cache_key) {}

Statement::Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_), cache_key_(other.cache_key_) {
    other.stmt_ = nullptr;
}

Statement::~Statement() {
    if (stmt_ == nullptr) return;
    if (cache_key_ == nullptr) {
        sqlite3_finalize(stmt_);
        return;
    }
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    db_->cache_[cache_key_].borrowed = false;
}

Statement& Statement::bind(int index, std::int64_t value) {
    int rc = sqlite3_bind_int64(stmt_, index, value);
    if (rc != SQLITE_OK) db_->fail(rc, "bind");
    return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
    // An empty view may have no data pointer, which SQLite would store as NULL: text stays text.
    int rc = sqlite3_bind_text64(stmt_, index, text.data() != nullptr ? text.data() : "", text.size(), SQLITE_TRANSIENT,
                                 SQLITE_UTF8);
    if (rc != SQLITE_OK) db_->fail(rc, "bind");
    return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
    // A zero-length blob must still be a blob, not NULL: pass a non-null pointer.
    int rc = sqlite3_bind_blob64(stmt_, index, bytes.empty() ? "" : bytes.data(), bytes.size(), SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) db_->fail(rc, "bind");
    return *this;
}

Statement& Statement::bind_null(int index) {
    int rc = sqlite3_bind_null(stmt_, index);
    if (rc != SQLITE_OK) db_->fail(rc, "bind");
    return *this;
}

bool Statement::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    db_->fail(rc, sqlite3_sql(stmt_));
}

void Statement::run() {
    while (step()) {
    }
}

void Statement::reset() {
    sqlite3_reset(stmt_);
}

std::int64_t Statement::integer(int column) const {
    return sqlite3_column_int64(stmt_, column);
}

std::string Statement::text(int column) const {
    auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return data == nullptr ? std::string() : std::string(data, sqlite3_column_bytes(stmt_, column));
}

std::string_view Statement::blob(int column) const {
    auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
    return data == nullptr ? std::string_view() : std::string_view(data, sqlite3_column_bytes(stmt_, column));
}

bool Statement::is_null(int column) const {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

// ---- Database -------------------------------------------------------------------

void configure_sqlite() {
    // SQLite counts every allocation under one global mutex (for sqlite3_memory_used, which we
    // never read): with 8 writers on 2 cores that mutex was a third of a PUT's futex calls.
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    // Each write of a group commit runs in its own savepoint, whose journal (the original of
    // every page the write changes) SQLite keeps in memory only up to 64 KB, then spills to a
    // temporary file: two pwrites per page, 17 of a PUT's 55. The journal lives until the
    // group's COMMIT and holds each changed page at most once per savepoint. (A larger threshold
    // instead of none: SQLite 3.40.1 fails writes with SQLITE_FULL from about 200 KB on.)
    sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, -1);
}

// One writers' mutex per database file for the whole process (connections are per request).
Database::Database(const std::string& path) : path_(path), writers_(&per_database_file<std::mutex>(path)) {
    // SQLite's own VFS. (Until schema v7's time a VFS of ours joined each log frame's header and
    // page into one write by holding the header; at COMMIT SQLite rewrites frame headers alone,
    // and the last one stayed held after COMMIT returned: a kill lost that transaction and every
    // later one. Nothing may sit between SQLite and the file holding bytes past a write.)
    int rc = sqlite3_open_v2(path.c_str(), &handle_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             nullptr);
    if (rc != SQLITE_OK) {
        std::string reason =
            open_failure_reason(path, handle_ != nullptr ? sqlite3_errmsg(handle_) : sqlite3_errstr(rc),
                                handle_ != nullptr ? sqlite3_system_errno(handle_) : 0);
        sqlite3_close(handle_);
        handle_ = nullptr;
        throw Error(kind_of(rc), "database " + path + ": cannot open: " + reason);
    }
    sqlite3_extended_result_codes(handle_, 1);
    // SQLite's default lookaside is 120 KB per connection; a few KB serve the small allocations
    // of our statements as well (connections are many: see StorePool).
    sqlite3_db_config(handle_, SQLITE_DBCONFIG_LOOKASIDE, nullptr, 128, 64);
    // Writers of other processes are waited for, up to about 10 s (this process's own queue on writers_).
    sqlite3_busy_handler(handle_, retry_while_busy, nullptr);
    sqlite3_wal_hook(handle_, note_log_frames, this);
    try {
        // WAL: readers never block the writer, and an online ".backup" is consistent.
        // synchronous=NORMAL keeps every commit across a crash of Apache (not of the OS).
        exec("PRAGMA journal_mode=WAL");
        exec("PRAGMA synchronous=NORMAL");
        // A log that grew past this is cut back to it once restarted (the file would keep its peak size).
        exec("PRAGMA journal_size_limit=33554432");
        exec("PRAGMA foreign_keys=ON");
        // A process holds a few connections (StorePool), each with a small private page cache
        // (SQLite's default is 2 MB per connection), the OS page cache below them all. No memory map: each
        // connection would map the file again, and RSS would count it once per thread.
        exec("PRAGMA cache_size=-256");
        migrate(*this);
    } catch (...) {
        for (auto& entry : cache_) sqlite3_finalize(entry.second.stmt);
        cache_.clear();
        sqlite3_close(handle_);
        handle_ = nullptr;
        throw;
    }
}

Database::~Database() {
    for (auto& entry : cache_) sqlite3_finalize(entry.second.stmt);
    sqlite3_close(handle_);
}

Statement Database::prepare(const char* sql) {
    auto found = cache_.find(sql);
    if (found != cache_.end() && !found->second.borrowed) {
        found->second.borrowed = true;
        return Statement(*this, found->second.stmt, sql);
    }
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(handle_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) fail(rc, sql);
    if (found != cache_.end()) return Statement(*this, stmt, nullptr);
    cache_.emplace(sql, Cached{stmt, true});
    return Statement(*this, stmt, sql);
}

void Database::exec(const char* sql) {
    char* message = nullptr;
    int rc = sqlite3_exec(handle_, sql, nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
        std::string what = message != nullptr ? message : sql;
        sqlite3_free(message);
        fail(rc, what);
    }
}

std::int64_t Database::changes() const {
    return sqlite3_changes64(handle_);
}

std::int64_t Database::last_insert_id() const {
    return sqlite3_last_insert_rowid(handle_);
}

// With `log_frames` pages in the write-ahead log: a passive checkpoint every 4000 frames (16 MB),
// and past 8000 frames (32 MB) a RESTART checkpoint, which waits (busy handler) for readers of
// older snapshots to finish so that the next writer starts the log over. With PUTs on four
// connections some request is always between two statements of a read, the passive checkpoints
// never got to restart the log, and it grew to 6.7 GB while loading 100k events. Why not SQLite's
// 1000 frames: every PUT rewrites the same few pages (the collection's row, the last leaf of the
// resources, the change log and their B-tree interiors), and a checkpoint copies each page once
// however often it was logged; 4000 frames made a PUT cost 6-15% less CPU (PUT-8 A/B, two runs).
void Database::checkpoint_if_due() {
    constexpr int passive_frames = 4000;
    constexpr int restart_frames = 8000;
    int frames = log_frames;
    if (frames < passive_frames) return;
    log_frames = 0;
    // A checkpoint that cannot finish now (another one runs) is retried after a later commit.
    sqlite3_wal_checkpoint_v2(handle_, nullptr,
                              frames >= restart_frames ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE, nullptr,
                              nullptr);
}

void Database::fail(int code, std::string_view what) const {
    std::string reason = handle_ != nullptr ? sqlite3_errmsg(handle_) : sqlite3_errstr(code);
    throw Error(kind_of(code), "database " + path_ + ": " + reason + " [" + std::string(what) + "]");
}

// ---- Transaction ----------------------------------------------------------------

Transaction::Transaction(Database& db) : db_(db), outermost_(db.transaction_depth == 0) {
    if (outermost_) writers_ = std::unique_lock<std::mutex>(db.writers());
    // Prepared once per connection (sqlite3_exec would compile the statement on every write).
    db_.prepare(outermost_ ? "BEGIN IMMEDIATE" : "SAVEPOINT nested").run();
    ++db_.transaction_depth;
}

Transaction::~Transaction() {
    rollback();
}

void Transaction::rollback() noexcept {
    if (done_) return;
    done_ = true;
    --db_.transaction_depth;
    try {
        if (outermost_) {
            db_.exec("ROLLBACK");
        } else {
            db_.exec("ROLLBACK TO nested");
            db_.exec("RELEASE nested");
        }
    } catch (...) {
        // A failed rollback leaves SQLite to roll back on close; never throw from a destructor.
    }
    if (writers_.owns_lock()) writers_.unlock();
}

void Transaction::commit(AfterCommit after) {
    db_.prepare(outermost_ ? "COMMIT" : "RELEASE nested").run();
    --db_.transaction_depth;
    done_ = true;
    if (!outermost_) return;
    writers_.unlock();
    if (after == AfterCommit::leave_to_caller) return;
    // A checkpoint copies up to thousands of pages and syncs twice (30 ms and more): under the
    // writers' mutex every writer of the process waited for it. SQLite lets writers append to
    // the log while a passive checkpoint runs.
    db_.checkpoint_if_due();
}

// ---- ReadTransaction ------------------------------------------------------------

ReadTransaction::ReadTransaction(Database& db) : db_(db), open_(db.transaction_depth == 0) {
    if (!open_) return;
    db_.prepare("BEGIN").run();
    ++db_.transaction_depth;
}

ReadTransaction::~ReadTransaction() {
    if (!open_) return;
    --db_.transaction_depth;
    try {
        db_.prepare("COMMIT").run();
    } catch (...) {
        // Nothing was written; SQLite ends the transaction on close at the latest.
    }
}

}  // namespace caldav::store
