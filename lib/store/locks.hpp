// WebDAV locks (RFC 4918 §6, §9.10) kept in SQLite. Only direct locks are stored; a lock of
// Depth infinity covers the descendants of its path by prefix, so indirect locks are derived,
// never copied, and cannot go stale when members are created, moved or removed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace caldav::store {

class Database;

struct Lock {
    std::string token;         // the full lock-token URI
    std::string path;          // where the lock was taken (relative, canonical)
    bool exclusive = true;     // exclusive or shared write lock
    bool infinite = false;     // Depth: infinity
    std::int64_t expires = 0;  // seconds since the epoch; 0 = never
    std::string owner_xml;     // the client's DAV:owner element, verbatim
    std::string auth_user;     // who took it
};

namespace locks {

// Locks in force at `path`: those taken on it and the infinite ones taken on an ancestor.
std::vector<Lock> covering(Database& db, std::string_view path, std::int64_t now);
// Locks taken directly on `path` (a lock on an unmapped path makes it lock-null).
bool has_direct(Database& db, std::string_view path, std::int64_t now);
// Whether any lock is in force anywhere in the database.
bool any_live(Database& db, std::int64_t now);
std::optional<Lock> by_token(Database& db, std::string_view token, std::int64_t now);
// Paths of the lock-null resources directly inside `collection_path` (locked, not existing).
std::vector<std::string> locknull_members(Database& db, std::string_view collection_path, std::int64_t now);

void add(Database& db, const Lock& lock);
// Forgets the locks that expired by `now`. Reads ignore them anyway; removing them keeps
// any_live cheap and false once a client's forgotten locks have run out.
void remove_expired(Database& db, std::int64_t now);
void remove(Database& db, std::string_view token);
void remove_at_or_below(Database& db, std::string_view path);
void refresh(Database& db, std::string_view token, std::int64_t expires);

}  // namespace locks
}  // namespace caldav::store
