// Lock rows: direct locks by path, with expiry applied on every read.
#include "store/locks.hpp"

#include "dav/path.hpp"
#include "store/database.hpp"

namespace caldav::store::locks {

namespace {

Lock from_row(const Statement& row) {
    Lock lock;
    lock.token = row.text(0);
    lock.path = row.text(1);
    lock.exclusive = row.integer(2) != 0;
    lock.infinite = row.integer(3) != 0;
    lock.expires = row.integer(4);
    lock.owner_xml = row.text(5);
    lock.auth_user = row.text(6);
    return lock;
}

bool live(const Lock& lock, std::int64_t now) {
    return lock.expires == 0 || lock.expires > now;
}

}  // namespace

std::vector<Lock> covering(Database& db, std::string_view path, std::int64_t now) {
    std::vector<Lock> result;
    // Candidates: the path itself and each ancestor ('' included); few rows, one indexed probe each.
    std::string ancestor(path);
    for (;;) {
        auto rows = db.prepare(
            "SELECT token, path, exclusive, infinite, expires, owner_xml, auth_user FROM locks WHERE path = ?1");
        rows.bind(1, ancestor);
        while (rows.step()) {
            Lock lock = from_row(rows);
            if (live(lock, now) && (lock.path == path || lock.infinite)) result.push_back(std::move(lock));
        }
        if (ancestor.empty()) break;
        ancestor = dav::parent_path(ancestor);
    }
    return result;
}

bool has_direct(Database& db, std::string_view path, std::int64_t now) {
    auto row = db.prepare("SELECT 1 FROM locks WHERE path = ?1 AND (expires = 0 OR expires > ?2) LIMIT 1");
    row.bind(1, path).bind(2, now);
    return row.step();
}

std::optional<Lock> by_token(Database& db, std::string_view token, std::int64_t now) {
    auto row = db.prepare(
        "SELECT token, path, exclusive, infinite, expires, owner_xml, auth_user FROM locks WHERE token = ?1");
    row.bind(1, token);
    if (!row.step()) return std::nullopt;
    Lock lock = from_row(row);
    if (!live(lock, now)) return std::nullopt;
    return lock;
}

std::vector<std::string> locknull_members(Database& db, std::string_view collection_path, std::int64_t now) {
    // Direct children only: the rest of the path after "collection/" holds no further slash.
    auto rows = db.prepare(
        "SELECT DISTINCT l.path FROM locks l "
        "WHERE l.path > ?1 AND l.path < ?2 AND instr(substr(l.path, length(?1) + 1), '/') = 0 "
        "  AND (l.expires = 0 OR l.expires > ?3) "
        "  AND NOT EXISTS (SELECT 1 FROM collections c WHERE c.path = l.path) "
        "  AND NOT EXISTS (SELECT 1 FROM resources r JOIN collections p ON p.id = r.collection_id "
        "                  WHERE p.path = ?4 AND r.name = substr(l.path, length(?1) + 1)) "
        "ORDER BY l.path");
    std::string prefix = collection_path.empty() ? std::string() : std::string(collection_path) + "/";
    std::string end = collection_path.empty() ? std::string("\xff") : std::string(collection_path) + "0";
    rows.bind(1, prefix).bind(2, end).bind(3, now).bind(4, collection_path);
    std::vector<std::string> result;
    while (rows.step()) result.push_back(rows.text(0));
    return result;
}

bool any_live(Database& db, std::int64_t now) {
    auto row = db.prepare("SELECT 1 FROM locks WHERE expires = 0 OR expires > ?1 LIMIT 1");
    row.bind(1, now);
    return row.step();
}

void remove_expired(Database& db, std::int64_t now) {
    auto expired = db.prepare("DELETE FROM locks WHERE expires <> 0 AND expires <= ?1");
    expired.bind(1, now).run();
}

void add(Database& db, const Lock& lock) {
    auto insert = db.prepare(
        "INSERT INTO locks (token, path, exclusive, infinite, expires, owner_xml, auth_user) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    insert.bind(1, lock.token).bind(2, lock.path).bind(3, lock.exclusive ? 1 : 0).bind(4, lock.infinite ? 1 : 0);
    insert.bind(5, lock.expires).bind(6, lock.owner_xml).bind(7, lock.auth_user).run();
}

void remove(Database& db, std::string_view token) {
    auto erase = db.prepare("DELETE FROM locks WHERE token = ?1");
    erase.bind(1, token).run();
}

void remove_at_or_below(Database& db, std::string_view path) {
    auto erase = db.prepare("DELETE FROM locks WHERE path = ?1 OR (path > ?1 || '/' AND path < ?1 || '0')");
    erase.bind(1, path).run();
}

void refresh(Database& db, std::string_view token, std::int64_t expires) {
    auto update = db.prepare("UPDATE locks SET expires = ?2 WHERE token = ?1");
    update.bind(1, token).bind(2, expires).run();
}

}  // namespace caldav::store::locks
