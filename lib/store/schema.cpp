// Forward-only migrations: migrations[i] takes user_version i to i+1.
#include "store/schema.hpp"

#include <string>

#include "store/database.hpp"
#include "vcard/vcard.hpp"

namespace caldav::store {

namespace {

// Version 1: the WebDAV tree (collections and resources), dead properties, locks,
// principals and the change log that sync tokens and ctags read.
const char* const version_1 = R"sql(
CREATE TABLE principals (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,
    created INTEGER NOT NULL
);
-- path is relative to the DAV root without slashes at either end ('' is the root).
-- kind: 0 plain, 1 calendar, 2 address book, 3 principal, 4 calendar home, 5 address-book home,
--       6 structural (root, principals/, calendars/, addressbooks/).
CREATE TABLE collections (
    id         INTEGER PRIMARY KEY,
    parent_id  INTEGER REFERENCES collections(id) ON DELETE CASCADE,
    path       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    owner      TEXT,
    kind       INTEGER NOT NULL,
    components TEXT NOT NULL DEFAULT '',   -- calendars: supported component types, e.g. 'VEVENT,VTODO'
    sync_token INTEGER NOT NULL DEFAULT 0,
    created    INTEGER NOT NULL,
    modified   INTEGER NOT NULL
);
CREATE INDEX collections_by_parent ON collections(parent_id, name);
CREATE TABLE resources (
    id            INTEGER PRIMARY KEY,
    collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    uid           TEXT,
    component     TEXT,                    -- calendar objects: VEVENT, VTODO, VJOURNAL or VFREEBUSY
    indexed_until INTEGER,                 -- occurrences at or after this are not in instances (NULL: all are)
    etag          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    body          BLOB NOT NULL,
    size          INTEGER NOT NULL,
    created       INTEGER NOT NULL,
    modified      INTEGER NOT NULL,
    UNIQUE (collection_id, name)
);
-- One row per member name, carrying the token of its latest change: sync-collection reads
-- "token > N" and needs no more history than that.
CREATE TABLE changes (
    collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    token         INTEGER NOT NULL,
    deleted       INTEGER NOT NULL,
    PRIMARY KEY (collection_id, name)
) WITHOUT ROWID;
CREATE INDEX changes_by_token ON changes(collection_id, token);
CREATE INDEX resources_by_uid ON resources(collection_id, uid);
-- Every sync token handed out, with a random salt: a token from a database that was since restored
-- from an older backup names a token whose salt no longer matches, and is refused (RFC 6578 §3.2).
CREATE TABLE sync_history (
    collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    token         INTEGER NOT NULL,
    salt          INTEGER NOT NULL,
    PRIMARY KEY (collection_id, token)
) WITHOUT ROWID;
-- The time-range index (RFC 4791 §9.9): one row per occurrence, UTC seconds, [start, end).
CREATE TABLE instances (
    resource_id   INTEGER NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    collection_id INTEGER NOT NULL,
    start         INTEGER NOT NULL,
    end           INTEGER NOT NULL
);
CREATE INDEX instances_by_time ON instances(collection_id, start, end);
CREATE INDEX instances_by_resource ON instances(resource_id);
-- The vCard properties addressbook-query filters on most (FN, N, EMAIL, TEL, NICKNAME, ORG), case-folded
-- (i;unicode-casemap), so a query parses only the cards whose values can match.
CREATE TABLE card_index (
    resource_id   INTEGER NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    collection_id INTEGER NOT NULL,
    property      TEXT NOT NULL,
    folded        TEXT NOT NULL
);
CREATE INDEX card_index_by_property ON card_index(collection_id, property);
CREATE INDEX card_index_by_resource ON card_index(resource_id);
CREATE TABLE collection_properties (
    collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    namespace     TEXT NOT NULL,
    name          TEXT NOT NULL,
    xml           TEXT NOT NULL,
    PRIMARY KEY (collection_id, namespace, name)
) WITHOUT ROWID;
CREATE TABLE resource_properties (
    resource_id INTEGER NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    namespace   TEXT NOT NULL,
    name        TEXT NOT NULL,
    xml         TEXT NOT NULL,
    PRIMARY KEY (resource_id, namespace, name)
) WITHOUT ROWID;
-- Locks are keyed by path, not id: a lock may be taken on an unmapped URL (RFC 4918 §7.3).
CREATE TABLE locks (
    token     TEXT PRIMARY KEY,
    path      TEXT NOT NULL,
    exclusive INTEGER NOT NULL,
    infinite  INTEGER NOT NULL,
    expires   INTEGER NOT NULL,
    owner_xml TEXT NOT NULL,
    auth_user TEXT NOT NULL
);
CREATE INDEX locks_by_path ON locks(path);
-- The structural collections every installation has.
INSERT INTO collections (id, parent_id, path, name, owner, kind, created, modified)
VALUES (1, NULL, '', '', NULL, 6, strftime('%s','now'), strftime('%s','now')),
       (2, 1, 'principals', 'principals', NULL, 6, strftime('%s','now'), strftime('%s','now')),
       (3, 1, 'calendars', 'calendars', NULL, 6, strftime('%s','now'), strftime('%s','now')),
       (4, 1, 'addressbooks', 'addressbooks', NULL, 6, strftime('%s','now'), strftime('%s','now'));
)sql";

// Version 2: bytes stored per owner, kept by triggers so every write path (PUT, COPY, MOVE, DELETE,
// cascades) counts, for the per-user quota (CalDAVQuota, RFC 4331). A resource deleted by the
// cascade of its collection's delete no longer finds its collection: the collection's own BEFORE
// DELETE trigger has already subtracted its members.
const char* const version_2 = R"sql(
CREATE TABLE usage (
    owner TEXT PRIMARY KEY,
    bytes INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO usage (owner, bytes)
SELECT c.owner, SUM(r.size) FROM resources r JOIN collections c ON c.id = r.collection_id
WHERE c.owner IS NOT NULL GROUP BY c.owner;
CREATE TRIGGER usage_after_resource_insert AFTER INSERT ON resources BEGIN
    INSERT INTO usage (owner, bytes)
    SELECT owner, NEW.size FROM collections WHERE id = NEW.collection_id AND owner IS NOT NULL
    ON CONFLICT (owner) DO UPDATE SET bytes = bytes + excluded.bytes;
END;
CREATE TRIGGER usage_after_resource_update AFTER UPDATE OF size, collection_id ON resources BEGIN
    UPDATE usage SET bytes = bytes - OLD.size WHERE owner = (SELECT owner FROM collections WHERE id = OLD.collection_id);
    UPDATE usage SET bytes = bytes + NEW.size WHERE owner = (SELECT owner FROM collections WHERE id = NEW.collection_id);
END;
CREATE TRIGGER usage_after_resource_delete AFTER DELETE ON resources BEGIN
    UPDATE usage SET bytes = bytes - OLD.size WHERE owner = (SELECT owner FROM collections WHERE id = OLD.collection_id);
END;
CREATE TRIGGER usage_before_collection_delete BEFORE DELETE ON collections BEGIN
    UPDATE usage SET bytes = bytes - (SELECT IFNULL(SUM(size), 0) FROM resources WHERE collection_id = OLD.id)
    WHERE owner = OLD.owner;
END;
)sql";

// Version 3: a time-range query reads only occurrences that can overlap its window. Occurrences of
// at most a week are found by start in [from - 1 week, to); the longer ones, few, through their own
// partial index; series indexed only up to a point through another (see Store::overlapping). The
// expressions must match the query's terms exactly for SQLite to use these indexes.
const char* const version_3 = R"sql(
CREATE INDEX instances_longer_than_a_week ON instances(collection_id, start) WHERE end - start > 604800;
CREATE INDEX resources_indexed_until ON resources(collection_id, indexed_until) WHERE indexed_until IS NOT NULL;
)sql";

// Version 4: the time-range indexes carry the resource id, so a query reads them alone and never the
// instances table; occurrences of more than a day get their own index, so the common ones (at
// most a day) are read from one day before the window instead of a week. At 100k events a
// one-week query spent a third of its time reading instance rows.
const char* const version_4 = R"sql(
DROP INDEX instances_by_time;
CREATE INDEX instances_by_time ON instances(collection_id, start, end, resource_id);
CREATE INDEX instances_longer_than_a_day ON instances(collection_id, start, end, resource_id)
    WHERE end - start > 86400;
DROP INDEX instances_longer_than_a_week;
CREATE INDEX instances_longer_than_a_week ON instances(collection_id, start, end, resource_id)
    WHERE end - start > 604800;
)sql";

// Version 5: an occurrence row carries its object's name, ETag and component type, and the table is
// ordered by (calendar, start): a one-week query reads its answer from a few adjacent pages instead
// of one resources row (with its body) per member. At 100k events the 1,648 members of a week cost
// 1,800 page reads, now 45. The partial indexes hold the same columns so they answer alone too.
// put() and move() keep name and etag in step with resources. Two occurrences of one object at the
// same time are one row: the primary key says so, and the query needs no more.
const char* const version_5 = R"sql(
CREATE TABLE instances_by_start (
    collection_id INTEGER NOT NULL,
    start         INTEGER NOT NULL,
    end           INTEGER NOT NULL,
    resource_id   INTEGER NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    etag          TEXT NOT NULL,
    component     TEXT NOT NULL,
    PRIMARY KEY (collection_id, start, end, resource_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO instances_by_start (collection_id, start, end, resource_id, name, etag, component)
SELECT i.collection_id, i.start, i.end, i.resource_id, r.name, r.etag, coalesce(r.component, '')
FROM instances i JOIN resources r ON r.id = i.resource_id;
DROP TABLE instances;
ALTER TABLE instances_by_start RENAME TO instances;
CREATE INDEX instances_by_resource ON instances(resource_id);
CREATE INDEX instances_longer_than_a_day ON instances(collection_id, start, end, resource_id, name, etag, component)
    WHERE end - start > 86400;
CREATE INDEX instances_longer_than_a_week ON instances(collection_id, start, end, resource_id, name, etag, component)
    WHERE end - start > 604800;
)sql";

// Version 6: occurrences of more than four hours get their own index as well, so the common ones (at
// most four hours) are read from four hours before the window instead of a day. At 100k events a
// query whose answer is 54 events read the day before its window too, some 240 rows.
const char* const version_6 = R"sql(
CREATE INDEX instances_longer_than_four_hours ON instances(collection_id, start, end, resource_id, name, etag, component)
    WHERE end - start > 14400;
)sql";

// Version 7: a member's latest sync token lives in its own row (resources.change_token,
// collections.change_token), and a deleted name's in tombstones. The change log had one row per name
// in name order: names are random UUIDs, so every PUT wrote a leaf of it at random, which with
// its second index was a tenth of a PUT's instructions (callgrind, 600 PUTs: 569M, 510M without
// it); the token in the row is written with the row. A name that exists again loses its tombstone.
const char* const version_7 = R"sql(
ALTER TABLE resources ADD COLUMN change_token INTEGER NOT NULL DEFAULT 0;
ALTER TABLE collections ADD COLUMN change_token INTEGER NOT NULL DEFAULT 0;
CREATE TABLE tombstones (
    collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    token         INTEGER NOT NULL,
    PRIMARY KEY (collection_id, name)
) WITHOUT ROWID;
UPDATE resources SET change_token = coalesce(
    (SELECT token FROM changes c WHERE c.collection_id = resources.collection_id AND c.name = resources.name),
    (SELECT sync_token FROM collections WHERE id = resources.collection_id));
UPDATE collections SET change_token = coalesce(
    (SELECT token FROM changes c WHERE c.collection_id = collections.parent_id AND c.name = collections.name),
    (SELECT sync_token FROM collections p WHERE p.id = collections.parent_id), 0);
-- A name logged as changed where nothing is now was reported gone by sync: it stays so.
INSERT INTO tombstones (collection_id, name, token)
SELECT c.collection_id, c.name, c.token FROM changes c
WHERE NOT EXISTS (SELECT 1 FROM resources r WHERE r.collection_id = c.collection_id AND r.name = c.name)
  AND NOT EXISTS (SELECT 1 FROM collections m WHERE m.parent_id = c.collection_id AND m.name = c.name);
DROP TABLE changes;
CREATE INDEX resources_by_change ON resources(collection_id, change_token);
CREATE INDEX collections_by_change ON collections(parent_id, change_token);
CREATE INDEX tombstones_by_token ON tombstones(collection_id, token);
)sql";

// Provisioning names the principal (its user name), the default calendar and address book
// (Store::default_calendar_name, default_addressbook_name, as they were when this was written):
// the users provisioned before get the same names, unless they named them already.
const char* const version_8 = R"sql(
INSERT OR IGNORE INTO collection_properties (collection_id, namespace, name, xml)
SELECT c.id, 'DAV:', 'displayname', '<ns0:displayname xmlns:ns0="DAV:">' || CASE
         WHEN c.kind = 3 THEN replace(replace(replace(c.name, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')
         WHEN c.kind = 1 THEN 'Calendar'
         ELSE 'Contacts' END || '</ns0:displayname>'
FROM collections c JOIN collections p ON p.id = c.parent_id
WHERE c.kind = 3
   OR (c.kind = 1 AND c.name = 'default' AND p.kind = 4)
   OR (c.kind = 2 AND c.name = 'default' AND p.kind = 5);
)sql";

// Version 9: i;unicode-casemap is RFC 5051's titlecase-then-decompose (lib/query/collation) for
// calendars and address books alike, no longer a case folding of the vCard code's own (issue 17).
// The card index holds values in that form and narrows addressbook-query, so it must agree with the
// comparison: rebuild_card_index() computes it again from every stored card.
const char* const version_9 = R"sql(
DELETE FROM card_index;
)sql";

const char* const migrations[] = {version_1, version_2, version_3, version_4, version_5,
                                  version_6, version_7, version_8, version_9};
static_assert(sizeof(migrations) / sizeof(migrations[0]) == schema_version);

// The card index of every vCard in an address book (collections.kind 2), as a PUT writes it.
void rebuild_card_index(Database& db) {
    auto cards = db.prepare(
        "SELECT r.id, r.collection_id, r.body FROM resources r JOIN collections c ON c.id = r.collection_id "
        "WHERE c.kind = 2");
    auto insert =
        db.prepare("INSERT INTO card_index (resource_id, collection_id, property, folded) VALUES (?1, ?2, ?3, ?4)");
    while (cards.step()) {
        for (const auto& [property, folded] : vcard::index_fields(vcard::parse(cards.blob(2)))) {
            insert.bind(1, cards.integer(0)).bind(2, cards.integer(1)).bind(3, property).bind(4, folded).run();
            insert.reset();
        }
    }
}

int user_version(Database& db) {
    auto statement = db.prepare("PRAGMA user_version");
    return statement.step() ? static_cast<int>(statement.integer(0)) : 0;
}

}  // namespace

void migrate(Database& db) {
    if (user_version(db) == schema_version) return;
    Transaction transaction(db);
    // Read again inside the write lock: another process may have migrated meanwhile.
    int version = user_version(db);
    if (version > schema_version) {
        throw Error(ErrorKind::corrupt, "database " + db.path() + ": schema version " + std::to_string(version) +
                                            " is newer than this module's " + std::to_string(schema_version));
    }
    for (; version < schema_version; ++version) {
        db.exec(migrations[version]);
        if (version + 1 == 9) rebuild_card_index(db);
    }
    db.exec(("PRAGMA user_version=" + std::to_string(schema_version)).c_str());
    transaction.commit();
}

}  // namespace caldav::store
