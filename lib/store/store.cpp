// The WebDAV tree in SQLite: lookups, listings, and the writes (each one transaction).
#include "store/store.hpp"

#include <ctime>
#include <map>
#include <memory>
#include <unordered_set>

#include "dav/etag.hpp"
#include "dav/path.hpp"
#include "store/locks.hpp"
#include "store/properties.hpp"

namespace caldav::store {

using dav::join_path;
using dav::last_segment;
using dav::parent_path;

std::int64_t now_seconds() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

namespace {

// DAV:displayname as a dead property stores it: the whole element, its namespace declared on it.
std::string display_name_xml(std::string_view text) {
    std::string xml = "<ns0:displayname xmlns:ns0=\"DAV:\">";
    for (char c : text) {
        switch (c) {
            case '&':
                xml += "&amp;";
                break;
            case '<':
                xml += "&lt;";
                break;
            case '>':
                xml += "&gt;";
                break;
            default:
                xml += c;
        }
    }
    return xml + "</ns0:displayname>";
}

// Home-like kinds only make sense where provisioning put them; a copy of one is a plain collection.
CollectionKind kind_for_copy(CollectionKind kind) {
    switch (kind) {
        case CollectionKind::calendar:
        case CollectionKind::addressbook:
        case CollectionKind::plain:
            return kind;
        default:
            return CollectionKind::plain;
    }
}

// Rows of the members query below, in its column order.
Node member_from_row(const Statement& row, std::string_view parent_path_text) {
    Node node;
    node.type = row.integer(1) != 0 ? Node::Type::collection : Node::Type::resource;
    node.path = join_path(parent_path_text, row.text(0));
    node.id = row.integer(2);
    node.collection_id = node.is_collection() ? node.id : row.integer(3);
    node.kind = static_cast<CollectionKind>(row.integer(4));
    node.owner = row.text(5);
    node.sync_token = row.integer(6);
    node.etag = row.text(7);
    node.content_type = row.text(8);
    node.size = row.integer(9);
    node.created = row.integer(10);
    node.modified = row.integer(11);
    node.components = row.text(12);
    node.uid = row.text(13);
    return node;
}

// Binds uid, component and indexed_until from `first` on; NULLs for a resource without an index.
void bind_index_fields(Statement& statement, int first, const ResourceIndex* index) {
    if (index == nullptr) {
        for (int column = first; column < first + 3; ++column) statement.bind_null(column);
        return;
    }
    statement.bind(first, index->uid).bind(first + 1, index->component);
    if (index->indexed_until) {
        statement.bind(first + 2, *index->indexed_until);
    } else {
        statement.bind_null(first + 2);
    }
}

}  // namespace

Store::Store(const std::string& database_path) : db_(database_path) {}

// ---- reading ----------------------------------------------------------------------

Node Store::lookup_collection(std::string_view path) {
    auto row = db_.prepare(
        "SELECT id, kind, owner, sync_token, created, modified, components FROM collections WHERE path = ?1");
    row.bind(1, path);
    Node node;
    node.path = std::string(path);
    if (!row.step()) return node;
    node.type = Node::Type::collection;
    node.id = node.collection_id = row.integer(0);
    node.kind = static_cast<CollectionKind>(row.integer(1));
    node.owner = row.text(2);
    node.sync_token = row.integer(3);
    node.created = row.integer(4);
    node.modified = row.integer(5);
    node.components = row.text(6);
    return node;
}

std::vector<CollectionKind> Store::ancestor_kinds(std::string_view path) {
    std::vector<CollectionKind> kinds;
    if (path.empty()) return kinds;
    std::string prefix;
    Node root = lookup_collection(prefix);
    if (root.exists()) kinds.push_back(root.kind);
    std::vector<std::string_view> parts = dav::segments(path);
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        prefix = join_path(prefix, parts[i]);
        Node node = lookup_collection(prefix);
        if (node.exists()) kinds.push_back(node.kind);
    }
    return kinds;
}

std::vector<std::vector<CollectionKind>> Store::tree_kinds(std::string_view path) {
    // The collection and its descendants: "path/" up to "path0" holds exactly those below it.
    auto rows = db_.prepare(
        "SELECT path, kind FROM collections WHERE path = ?1 OR (path > ?1 || '/' AND path < ?1 || '0') ORDER BY path");
    rows.bind(1, path);
    std::vector<std::vector<CollectionKind>> tree;
    std::map<std::string, std::size_t> index_of;  // path -> its entry in `tree`
    while (rows.step()) {
        std::string member = rows.text(0);
        std::vector<CollectionKind> chain;
        auto parent = index_of.find(parent_path(member));
        if (member != path && parent != index_of.end()) chain = tree[parent->second];
        chain.push_back(static_cast<CollectionKind>(rows.integer(1)));
        index_of.emplace(member, tree.size());
        tree.push_back(std::move(chain));
    }
    return tree;
}

Node Store::lookup_resource(std::string_view path) {
    auto row = db_.prepare(
        "SELECT r.id, r.collection_id, r.etag, r.content_type, r.size, r.created, r.modified, r.uid "
        "FROM resources r JOIN collections c ON c.id = r.collection_id "
        "WHERE c.path = ?1 AND r.name = ?2");
    row.bind(1, parent_path(path)).bind(2, last_segment(path));
    Node node;
    node.path = std::string(path);
    if (path.empty() || !row.step()) return node;
    node.type = Node::Type::resource;
    node.id = row.integer(0);
    node.collection_id = row.integer(1);
    node.etag = row.text(2);
    node.content_type = row.text(3);
    node.size = row.integer(4);
    node.created = row.integer(5);
    node.modified = row.integer(6);
    node.uid = row.text(7);
    return node;
}

namespace {

// Either kind in one statement (a GET of an event used to cost a collection lookup first); columns as
// member_from_row reads them, then BODY (resources only). A path names at most one of the two.
#define CALDAV_LOOKUP_SQL(BODY)                                                                                  \
    "SELECT '', 1, id, id, kind, owner, sync_token, '', '', 0, created, modified, components, '', NULL "         \
    "  FROM collections WHERE path = ?1 "                                                                        \
    "UNION ALL "                                                                                                 \
    "SELECT '', 0, r.id, r.collection_id, 0, '', 0, r.etag, r.content_type, r.size, r.created, r.modified, '', " \
    "       r.uid, " BODY                                                                                        \
    " FROM resources r JOIN collections c ON c.id = r.collection_id "                                            \
    "  WHERE c.path = ?2 AND r.name = ?3 LIMIT 1"
// Without the body, SQLite need not read it (nor its overflow pages) at all.
constexpr const char* lookup_sql = CALDAV_LOOKUP_SQL("NULL");
constexpr const char* lookup_with_body_sql = CALDAV_LOOKUP_SQL("r.body");
#undef CALDAV_LOOKUP_SQL

}  // namespace

Node Store::lookup(std::string_view path, std::string* body) {
    if (path.empty()) return lookup_collection(path);
    auto row = db_.prepare(body != nullptr ? lookup_with_body_sql : lookup_sql);
    row.bind(1, path).bind(2, parent_path(path)).bind(3, last_segment(path));
    Node node;
    if (row.step()) {
        node = member_from_row(row, "");
        if (body != nullptr && !node.is_collection()) *body = std::string(row.blob(14));
    }
    node.path = std::string(path);
    return node;
}

std::vector<Node> Store::children(const Node& collection, std::string_view after, int limit) {
    auto rows = db_.prepare(
        "SELECT name, 1, id, 0, kind, owner, sync_token, '', '', 0, created, modified, components, '' "
        "  FROM collections WHERE parent_id = ?1 AND name > ?2 "
        "UNION ALL "
        "SELECT name, 0, id, collection_id, 0, '', 0, etag, content_type, size, created, modified, '', uid "
        "  FROM resources WHERE collection_id = ?1 AND name > ?2 "
        "ORDER BY 1 LIMIT ?3");
    rows.bind(1, collection.id).bind(2, after).bind(3, static_cast<std::int64_t>(limit));
    std::vector<Node> result;
    while (rows.step()) result.push_back(member_from_row(rows, collection.path));
    return result;
}

bool Store::for_each_member(const Node& collection, const std::function<bool(Node&)>& visit) {
    std::string after;
    for (;;) {
        std::vector<Node> page = children(collection, after, 256);
        if (page.empty()) return true;
        after = std::string(last_segment(page.back().path));
        for (Node& member : page)
            if (!visit(member)) return false;
    }
}

std::string Store::body(std::int64_t resource_id) {
    auto row = db_.prepare("SELECT body FROM resources WHERE id = ?1");
    row.bind(1, resource_id);
    if (!row.step()) throw Error(ErrorKind::conflict, "resource vanished while being read");
    return std::string(row.blob(0));
}

CollectionKind Store::collection_kind(std::int64_t collection_id) {
    auto row = db_.prepare("SELECT kind FROM collections WHERE id = ?1");
    row.bind(1, collection_id);
    if (!row.step()) throw Error(ErrorKind::conflict, "collection vanished while being read");
    return static_cast<CollectionKind>(row.integer(0));
}

// ---- provisioning ------------------------------------------------------------------

bool Store::is_provisioned(std::string_view user) {
    auto row = db_.prepare("SELECT 1 FROM principals WHERE name = ?1");
    row.bind(1, user);
    return row.step();
}

void Store::ensure_collection(std::string_view path, CollectionKind kind, std::string_view owner,
                              std::string_view display_name) {
    if (lookup_collection(path).exists()) return;
    Node parent = require_parent_collection(path);
    std::int64_t now = now_seconds();
    std::int64_t id = insert_collection(parent, last_segment(path), kind, owner, now);
    record_change(parent.id, last_segment(path), false);
    // Clients list a collection without DAV:displayname as a blank line. A dead property, so that
    // the user renames it with PROPPATCH like any other (RFC 4918 §15.2).
    if (!display_name.empty()) properties::set(db_, {true, id}, "DAV:", "displayname", display_name_xml(display_name));
}

void Store::provision(std::string_view user) {
    if (user.empty() || user.find('/') != std::string_view::npos || user == "." || user == "..")
        throw Error(ErrorKind::conflict, "user name cannot name a principal: " + std::string(user));
    Transaction transaction(db_);
    auto principal = db_.prepare("INSERT OR IGNORE INTO principals (name, created) VALUES (?1, ?2)");
    principal.bind(1, user).bind(2, now_seconds()).run();
    std::string name(user);
    ensure_collection("principals/" + name, CollectionKind::principal, user, user);
    ensure_collection("calendars/" + name, CollectionKind::calendar_home, user);
    ensure_collection("calendars/" + name + "/default", CollectionKind::calendar, user, default_calendar_name);
    auto components =
        db_.prepare("UPDATE collections SET components = 'VEVENT,VTODO' WHERE path = ?1 AND components = ''");
    components.bind(1, "calendars/" + name + "/default").run();
    ensure_collection("addressbooks/" + name, CollectionKind::addressbook_home, user);
    ensure_collection("addressbooks/" + name + "/default", CollectionKind::addressbook, user, default_addressbook_name);
    transaction.commit();
}

// ---- writing -----------------------------------------------------------------------

Node Store::require_parent_collection(std::string_view path) {
    if (path.empty()) throw Error(ErrorKind::conflict, "the root has no parent");
    Node parent = lookup_collection(parent_path(path));
    if (!parent.exists()) throw Error(ErrorKind::conflict, "parent collection does not exist");
    return parent;
}

std::int64_t Store::insert_collection(const Node& parent, std::string_view name, CollectionKind kind,
                                      std::string_view owner, std::int64_t now) {
    auto insert = db_.prepare(
        "INSERT INTO collections (parent_id, path, name, owner, kind, created, modified) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)");
    insert.bind(1, parent.id).bind(2, join_path(parent.path, name)).bind(3, name).bind(4, owner);
    insert.bind(5, static_cast<std::int64_t>(kind)).bind(6, now).run();
    return db_.last_insert_id();
}

void Store::touch(std::int64_t collection_id, std::int64_t now) {
    auto update = db_.prepare("UPDATE collections SET modified = ?2 WHERE id = ?1");
    update.bind(1, collection_id).bind(2, now).run();
}

// RFC 6578: every change to a member takes the collection's next sync token, and each token handed
// out is remembered with a salt (see sync_history in the schema).
std::int64_t Store::next_change_token(std::int64_t collection_id) {
    auto bump = db_.prepare(
        "UPDATE collections SET sync_token = sync_token + 1, modified = ?2 WHERE id = ?1 RETURNING sync_token");
    bump.bind(1, collection_id).bind(2, now_seconds());
    if (!bump.step()) throw Error(ErrorKind::conflict, "collection vanished during a write");
    std::int64_t token = bump.integer(0);
    bump.run();
    auto history =
        db_.prepare("INSERT OR REPLACE INTO sync_history (collection_id, token, salt) VALUES (?1, ?2, random())");
    history.bind(1, collection_id).bind(2, token).run();
    return token;
}

// A name that exists again is no longer reported as deleted.
void Store::forget_deletion(std::int64_t collection_id, std::string_view name) {
    auto forget = db_.prepare("DELETE FROM tombstones WHERE collection_id = ?1 AND name = ?2");
    forget.bind(1, collection_id).bind(2, name).run();
}

// The change of the member `name` (a resource or a collection; `deleted`: gone) in the member's own
// row, or for a deleted one in tombstones. put() writes its token with the row instead.
void Store::record_change(std::int64_t collection_id, std::string_view name, bool deleted) {
    std::int64_t token = next_change_token(collection_id);
    if (deleted) {
        auto tombstone = db_.prepare(
            "INSERT INTO tombstones (collection_id, name, token) VALUES (?1, ?2, ?3) "
            "ON CONFLICT (collection_id, name) DO UPDATE SET token = excluded.token");
        tombstone.bind(1, collection_id).bind(2, name).bind(3, token).run();
        return;
    }
    auto resource = db_.prepare("UPDATE resources SET change_token = ?3 WHERE collection_id = ?1 AND name = ?2");
    resource.bind(1, collection_id).bind(2, name).bind(3, token).run();
    if (db_.changes() == 0) {
        auto collection = db_.prepare("UPDATE collections SET change_token = ?3 WHERE parent_id = ?1 AND name = ?2");
        collection.bind(1, collection_id).bind(2, name).bind(3, token).run();
    }
    forget_deletion(collection_id, name);
}

void Store::check_uid(std::int64_t collection_id, std::string_view uid, std::string_view name) {
    if (uid.empty()) return;
    auto other = db_.prepare("SELECT name FROM resources WHERE collection_id = ?1 AND uid = ?2 AND name <> ?3 LIMIT 1");
    other.bind(1, collection_id).bind(2, uid).bind(3, name);
    if (!other.step()) return;
    auto path = db_.prepare("SELECT path FROM collections WHERE id = ?1");
    path.bind(1, collection_id);
    std::string parent = path.step() ? path.text(0) : std::string();
    throw Error(ErrorKind::uid_conflict, "another resource has the same UID", join_path(parent, other.text(0)));
}

void Store::write_index(std::int64_t resource_id, std::int64_t collection_id, const ResourceIndex& index, bool fresh) {
    // The occurrence rows repeat the name and ETag (schema version 5): read them back here.
    auto fields = db_.prepare(
        "UPDATE resources SET uid = ?2, component = ?3, indexed_until = ?4 WHERE id = ?1 RETURNING name, etag");
    fields.bind(1, resource_id);
    bind_index_fields(fields, 2, &index);
    if (!fields.step()) throw Error(ErrorKind::conflict, "no such resource to index");
    const std::string name = fields.text(0), etag = fields.text(1);
    fields.run();
    write_index_rows(resource_id, collection_id, name, etag, index, fresh);
}

void Store::write_index_rows(std::int64_t resource_id, std::int64_t collection_id, std::string_view name,
                             std::string_view etag, const ResourceIndex& index, bool fresh) {
    if (!fresh) {  // a row inserted in this transaction has no index rows yet
        auto clear = db_.prepare("DELETE FROM instances WHERE resource_id = ?1");
        clear.bind(1, resource_id).run();
        auto clear_fields = db_.prepare("DELETE FROM card_index WHERE resource_id = ?1");
        clear_fields.bind(1, resource_id).run();
    }
    auto field =
        db_.prepare("INSERT INTO card_index (resource_id, collection_id, property, folded) VALUES (?1, ?2, ?3, ?4)");
    for (const auto& [property, folded] : index.card_fields) {
        field.bind(1, resource_id).bind(2, collection_id).bind(3, property).bind(4, folded).run();
        field.reset();
    }
    auto insert = db_.prepare(
        "INSERT OR IGNORE INTO instances (resource_id, collection_id, start, end, name, etag, component) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    insert.bind(1, resource_id).bind(2, collection_id).bind(5, name).bind(6, etag).bind(7, index.component);
    for (const Occurrence& occurrence : index.occurrences) {
        insert.bind(3, occurrence.start).bind(4, occurrence.end).run();
        insert.reset();
    }
}

std::vector<IndexedMember> Store::overlapping(const Node& collection, std::int64_t from, std::int64_t to) {
    // RFC 4791 §9.9: an occurrence overlaps when it starts before the end and ends after the
    // start; a zero-length one when it lies in [from, to). One that overlaps and lasts at most four
    // hours starts after from - 4 hours, at most a day after from - 1 day, at most a week after
    // from - 1 week: each length class is read from its own index (schema versions 4 to 6) over the
    // window plus its longest length, and only the rare ones over a week from the beginning of time. The first branch,
    // series indexed only up to before `to`, comes first in UNION ALL's order, so that a member it names is kept as not
    // complete when its rows come again from the others. One statement: one snapshot.
    auto rows = db_.prepare(
        "SELECT id, name, etag, coalesce(component, ''), 0 FROM resources "
        "  WHERE collection_id = ?1 AND indexed_until IS NOT NULL AND indexed_until < ?3 "
        "UNION ALL SELECT resource_id, name, etag, component, 1 FROM instances "
        "  WHERE collection_id = ?1 AND start >= ?2 - 14400 AND start < ?3 "
        "    AND (end > ?2 OR (end = start AND start >= ?2)) "
        "UNION ALL SELECT resource_id, name, etag, component, 1 FROM instances "
        "  WHERE collection_id = ?1 AND end - start > 14400 AND start >= ?2 - 86400 AND start < ?3 AND end > ?2 "
        "UNION ALL SELECT resource_id, name, etag, component, 1 FROM instances "
        "  WHERE collection_id = ?1 AND end - start > 86400 AND start >= ?2 - 604800 AND start < ?3 AND end > ?2 "
        "UNION ALL SELECT resource_id, name, etag, component, 1 FROM instances "
        "  WHERE collection_id = ?1 AND end - start > 604800 AND start < ?3 AND end > ?2");
    rows.bind(1, collection.id).bind(2, from).bind(3, to);
    std::vector<IndexedMember> result;
    std::unordered_set<std::int64_t> seen;  // a series has several rows; classes overlap
    while (rows.step()) {
        std::int64_t id = rows.integer(0);
        if (seen.insert(id).second)
            result.push_back({id, rows.text(1), rows.text(2), rows.text(3), rows.integer(4) != 0});
    }
    return result;
}

std::vector<Node> Store::cards_matching(const Node& collection, std::string_view property, std::string_view folded,
                                        std::string_view match_type) {
    auto rows = db_.prepare(
        "SELECT r.name, 0, r.id, r.collection_id, 0, '', 0, r.etag, r.content_type, r.size, r.created, r.modified, "
        "       '', r.uid FROM resources r WHERE r.id IN ("
        "  SELECT resource_id FROM card_index WHERE collection_id = ?1 AND property = ?2 AND CASE ?4 "
        "    WHEN 'equals' THEN folded = ?3 "
        "    WHEN 'starts-with' THEN substr(folded, 1, length(?3)) = ?3 "
        "    WHEN 'ends-with' THEN length(folded) >= length(?3) AND substr(folded, -length(?3)) = ?3 "
        "    ELSE instr(folded, ?3) > 0 END) "
        "ORDER BY r.name");
    rows.bind(1, collection.id).bind(2, property).bind(3, folded).bind(4, match_type);
    std::vector<Node> result;
    while (rows.step()) result.push_back(member_from_row(rows, collection.path));
    return result;
}

std::vector<Change> Store::changes_since(const Node& collection, std::int64_t token, int limit) {
    // Three runs, each read in token order from its own index and merged by SQLite: resources,
    // member collections, deleted names. A resource comes whole (columns as member_from_row reads
    // them): an initial sync of 10,000 members would otherwise look each one up again.
    auto rows = db_.prepare(
        "SELECT name, 0, id, collection_id, 0, '', 0, etag, content_type, size, created, modified, '', uid, "
        "       change_token AS token, 0, 1 "
        "FROM resources WHERE collection_id = ?1 AND change_token > ?2 "
        "UNION ALL "
        "SELECT name, 0, 0, parent_id, 0, '', 0, '', '', 0, 0, 0, '', '', change_token, 0, 0 "
        "FROM collections WHERE parent_id = ?1 AND change_token > ?2 "
        "UNION ALL "
        "SELECT name, 0, 0, collection_id, 0, '', 0, '', '', 0, 0, 0, '', '', token, 1, 0 "
        "FROM tombstones WHERE collection_id = ?1 AND token > ?2 "
        "ORDER BY token LIMIT ?3");
    rows.bind(1, collection.id).bind(2, token).bind(3, static_cast<std::int64_t>(limit));
    std::vector<Change> result;
    while (rows.step()) {
        Change change{rows.text(0), rows.integer(14), rows.integer(15) != 0, Node()};
        if (!change.deleted && rows.integer(16) != 0) change.member = member_from_row(rows, collection.path);
        result.push_back(std::move(change));
    }
    return result;
}

std::optional<std::int64_t> Store::sync_salt(const Node& collection, std::int64_t token) {
    auto row = db_.prepare("SELECT salt FROM sync_history WHERE collection_id = ?1 AND token = ?2");
    row.bind(1, collection.id).bind(2, token);
    if (!row.step()) return std::nullopt;
    return row.integer(0);
}

namespace {

// RFC 4791 §5.3.2.1 and RFC 6352 §6.3.2.1 (no-uid-conflict): an object is replaced only by one of
// its own UID (a client that meant another object would silently lose this one). Resources without
// a UID (plain files) are not objects of either kind.
void check_replaced_uid(const Node& existing, std::string_view uid) {
    if (!existing.exists() || existing.is_collection() || existing.uid.empty() || uid.empty()) return;
    if (existing.uid != uid) throw Error(ErrorKind::uid_conflict, "the resource has another UID", existing.path);
}

void check_condition(const WriteCondition& condition, const Node& existing) {
    bool exists = existing.exists();
    bool ok = true;
    if (condition.must_not_exist && exists) ok = false;
    if (condition.must_exist && !exists) ok = false;
    if (!condition.if_match.empty()) {
        ok = ok && exists;
        bool any = false;
        for (const std::string& etag : condition.if_match) any = any || etag == existing.etag;
        ok = ok && any;
    }
    if (!ok) throw Error(ErrorKind::precondition, "the resource changed since the client last saw it");
}

}  // namespace

PutResult Store::put(std::string_view path, std::string_view content_type, std::string_view bytes,
                     const ResourceIndex* index, const WriteCondition* condition) {
    Transaction transaction(db_);
    Node parent = require_parent_collection(path);
    std::string_view name = last_segment(path);
    if (lookup_collection(path).exists()) throw Error(ErrorKind::conflict, "a collection has that name");
    if (index != nullptr) check_uid(parent.id, index->uid, name);
    std::string etag = dav::strong_etag(bytes);
    std::int64_t now = now_seconds();
    Node existing = lookup_resource(path);
    if (condition != nullptr) check_condition(*condition, existing);
    if (index != nullptr) check_replaced_uid(existing, index->uid);
    std::int64_t quota = condition != nullptr ? condition->quota_bytes : 0;
    std::int64_t used_before = quota > 0 ? used_bytes(parent.owner) : 0;
    // The index columns go into the row's one write: an UPDATE after the INSERT rewrote the row
    // (body included) and moved its UID index entry a second time.
    // So is the change's sync token (RFC 6578).
    std::int64_t token = next_change_token(parent.id);
    std::int64_t id = existing.id;
    if (existing.exists()) {
        auto update = db_.prepare(
            "UPDATE resources SET etag = ?2, content_type = ?3, body = ?4, size = ?5, modified = ?6, uid = ?7, "
            "component = ?8, indexed_until = ?9, change_token = ?10 WHERE id = ?1");
        update.bind(1, existing.id).bind(2, etag).bind(3, content_type).bind_blob(4, bytes);
        update.bind(5, static_cast<std::int64_t>(bytes.size())).bind(6, now);
        bind_index_fields(update, 7, index);
        update.bind(10, token).run();
    } else {
        auto insert = db_.prepare(
            "INSERT INTO resources (collection_id, name, etag, content_type, body, size, created, modified, uid, "
            "component, indexed_until, change_token) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9, ?10, ?11)");
        insert.bind(1, parent.id).bind(2, name).bind(3, etag).bind(4, content_type).bind_blob(5, bytes);
        insert.bind(6, static_cast<std::int64_t>(bytes.size())).bind(7, now);
        bind_index_fields(insert, 8, index);
        insert.bind(11, token).run();
        id = db_.last_insert_id();
        forget_deletion(parent.id, name);
    }
    if (index != nullptr) write_index_rows(id, parent.id, name, etag, *index, !existing.exists());
    check_quota(parent.owner, used_before, quota);
    transaction.commit();
    Node stored = existing;
    stored.type = Node::Type::resource;
    stored.path = std::string(path);
    stored.id = id;
    stored.collection_id = parent.id;
    stored.etag = etag;
    stored.content_type = std::string(content_type);
    stored.size = static_cast<std::int64_t>(bytes.size());
    stored.uid = index != nullptr ? index->uid : std::string();
    if (!existing.exists()) stored.created = now;
    stored.modified = now;
    return {!existing.exists(), etag, std::move(stored)};
}

void Store::reindex(const Node& resource, const ResourceIndex& index) {
    write_index(resource.id, resource.collection_id, index, false);
}

void Store::make_collection(std::string_view path, CollectionKind kind, std::string_view components) {
    Transaction transaction(db_);
    Node parent = require_parent_collection(path);
    if (lookup(path).exists()) throw Error(ErrorKind::conflict, "the name is taken");
    std::int64_t id = insert_collection(parent, last_segment(path), kind, parent.owner, now_seconds());
    auto set_components = db_.prepare("UPDATE collections SET components = ?2 WHERE id = ?1");
    set_components.bind(1, id).bind(2, components).run();
    record_change(parent.id, last_segment(path), false);
    transaction.commit();
}

void Store::remove_node(const Node& node) {
    if (node.is_collection()) {
        Node parent = require_parent_collection(node.path);
        // Foreign keys cascade to member collections, resources, properties and change logs.
        auto erase = db_.prepare("DELETE FROM collections WHERE id = ?1");
        erase.bind(1, node.id).run();
        record_change(parent.id, last_segment(node.path), true);
    } else {
        auto erase = db_.prepare("DELETE FROM resources WHERE id = ?1");
        erase.bind(1, node.id).run();
        record_change(node.collection_id, last_segment(node.path), true);
    }
    locks::remove_at_or_below(db_, node.path);
}

void Store::remove(std::string_view path) {
    Transaction transaction(db_);
    Node node = lookup(path);
    if (!node.exists()) throw Error(ErrorKind::conflict, "nothing to remove");
    remove_node(node);
    transaction.commit();
}

void Store::copy_resource(std::int64_t resource_id, std::int64_t collection_id, std::string_view name,
                          const ResourceIndex* index) {
    if (index != nullptr) {
        check_uid(collection_id, index->uid, name);
    } else {
        auto uid = db_.prepare("SELECT uid FROM resources WHERE id = ?1");
        uid.bind(1, resource_id);
        if (uid.step() && !uid.is_null(0)) check_uid(collection_id, uid.text(0), name);
    }
    auto copy = db_.prepare(
        "INSERT INTO resources (collection_id, name, uid, component, indexed_until, etag, content_type, body, size, "
        "created, modified) "
        "SELECT ?2, ?3, uid, component, indexed_until, etag, content_type, body, size, ?4, ?4 FROM resources "
        "WHERE id = ?1");
    copy.bind(1, resource_id).bind(2, collection_id).bind(3, name).bind(4, now_seconds()).run();
    std::int64_t new_id = db_.last_insert_id();
    auto properties = db_.prepare(
        "INSERT INTO resource_properties (resource_id, namespace, name, xml) "
        "SELECT ?2, namespace, name, xml FROM resource_properties WHERE resource_id = ?1");
    properties.bind(1, resource_id).bind(2, new_id).run();
    record_change(collection_id, name, false);
    if (index != nullptr) {
        write_index(new_id, collection_id, *index, true);
        return;
    }
    auto instances = db_.prepare(
        "INSERT INTO instances (resource_id, collection_id, start, end, name, etag, component) "
        "SELECT ?2, ?3, start, end, ?4, etag, component FROM instances WHERE resource_id = ?1");
    instances.bind(1, resource_id).bind(2, new_id).bind(3, collection_id).bind(4, name).run();
    auto fields = db_.prepare(
        "INSERT INTO card_index (resource_id, collection_id, property, folded) "
        "SELECT ?2, ?3, property, folded FROM card_index WHERE resource_id = ?1");
    fields.bind(1, resource_id).bind(2, new_id).bind(3, collection_id).run();
}

void Store::copy_node(const Node& source, const Node& destination_parent, std::string_view name, bool deep,
                      const ResourceIndex* index) {
    if (!source.is_collection()) {
        copy_resource(source.id, destination_parent.id, name, index);
        return;
    }
    std::int64_t new_id = insert_collection(destination_parent, name, kind_for_copy(source.kind),
                                            destination_parent.owner, now_seconds());
    record_change(destination_parent.id, name, false);
    auto properties = db_.prepare(
        "INSERT INTO collection_properties (collection_id, namespace, name, xml) "
        "SELECT ?2, namespace, name, xml FROM collection_properties WHERE collection_id = ?1");
    properties.bind(1, source.id).bind(2, new_id).run();
    if (!deep) return;
    Node copy = lookup_collection(join_path(destination_parent.path, name));
    for_each_member(source, [&](Node& member) {
        copy_node(member, copy, last_segment(member.path), true, nullptr);
        return true;
    });
}

// COPY and MOVE onto an existing destination (RFC 4918 §9.8.4, §9.9.3): refused without
// Overwrite, or when an object would be replaced by one of another UID; else it is removed first.
void Store::clear_destination(std::string_view destination, const Node& from, bool replace,
                              const ResourceIndex* index) {
    Node existing = lookup(destination);
    if (!existing.exists()) return;
    if (!replace) throw Error(ErrorKind::conflict, "the destination exists");
    if (!from.is_collection()) check_replaced_uid(existing, index != nullptr ? index->uid : from.uid);
    remove_node(existing);
}

void Store::copy(std::string_view source, std::string_view destination, bool deep, bool replace,
                 std::int64_t quota_bytes, const ResourceIndex* index) {
    Transaction transaction(db_);
    Node from = lookup(source);
    if (!from.exists()) throw Error(ErrorKind::conflict, "nothing to copy");
    if (from.is_collection() && dav::is_proper_ancestor(source, destination))
        throw Error(ErrorKind::conflict, "cannot copy a collection into itself");
    clear_destination(destination, from, replace, index);
    Node parent = require_parent_collection(destination);
    std::int64_t used_before = quota_bytes > 0 ? used_bytes(parent.owner) : 0;
    copy_node(from, parent, last_segment(destination), deep, index);
    check_quota(parent.owner, used_before, quota_bytes);
    transaction.commit();
}

std::int64_t Store::used_bytes(std::string_view owner) {
    auto select = db_.prepare("SELECT bytes FROM usage WHERE owner = ?1");
    select.bind(1, owner);
    return select.step() ? select.integer(0) : 0;
}

// After the write, inside its transaction: a write that grows the owner's usage past the quota
// fails (and rolls back); one that shrinks it is allowed even while over quota.
void Store::check_quota(std::string_view owner, std::int64_t used_before, std::int64_t quota_bytes) {
    if (quota_bytes <= 0 || owner.empty()) return;
    std::int64_t used = used_bytes(owner);
    if (used > quota_bytes && used > used_before)
        throw Error(ErrorKind::quota, "the quota of " + std::string(owner) + " (" + std::to_string(quota_bytes) +
                                          " bytes) would be exceeded");
}

void Store::move(std::string_view source, std::string_view destination, bool replace, const ResourceIndex* index) {
    Transaction transaction(db_);
    Node from = lookup(source);
    if (!from.exists()) throw Error(ErrorKind::conflict, "nothing to move");
    if (from.is_collection() && dav::is_proper_ancestor(source, destination))
        throw Error(ErrorKind::conflict, "cannot move a collection into itself");
    clear_destination(destination, from, replace, index);
    Node parent = require_parent_collection(destination);
    std::string_view name = last_segment(destination);
    if (from.is_collection()) {
        Node old_parent = require_parent_collection(source);
        auto rename =
            db_.prepare("UPDATE collections SET parent_id = ?2, name = ?3, path = ?4, owner = ?5 WHERE id = ?1");
        rename.bind(1, from.id).bind(2, parent.id).bind(3, name).bind(4, destination).bind(5, parent.owner).run();
        // Every descendant's path starts with "source/": the range [source/, source0) holds exactly those.
        auto descendants = db_.prepare(
            "UPDATE collections SET path = ?2 || substr(path, length(?1) + 1), owner = ?3 "
            "WHERE path > ?1 || '/' AND path < ?1 || '0'");
        descendants.bind(1, source).bind(2, destination).bind(3, parent.owner).run();
        record_change(old_parent.id, last_segment(source), true);
    } else {
        if (parent.id != from.collection_id) check_uid(parent.id, index != nullptr ? index->uid : from.uid, name);
        auto rename = db_.prepare("UPDATE resources SET collection_id = ?2, name = ?3 WHERE id = ?1");
        rename.bind(1, from.id).bind(2, parent.id).bind(3, name).run();
        if (index != nullptr) {
            write_index(from.id, parent.id, *index, false);
        } else {
            auto instances = db_.prepare("UPDATE instances SET collection_id = ?2, name = ?3 WHERE resource_id = ?1");
            instances.bind(1, from.id).bind(2, parent.id).bind(3, name).run();
            auto fields = db_.prepare("UPDATE card_index SET collection_id = ?2 WHERE resource_id = ?1");
            fields.bind(1, from.id).bind(2, parent.id).run();
        }
        record_change(from.collection_id, last_segment(source), true);
    }
    record_change(parent.id, name, false);
    locks::remove_at_or_below(db_, source);
    transaction.commit();
}

}  // namespace caldav::store
