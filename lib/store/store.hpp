// The store: the WebDAV tree of collections and resources in SQLite. The only place with SQL
// (with properties.cpp and locks.cpp). Every write is one transaction that also bumps the
// collection's sync token and logs the change.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"

namespace caldav::store {

enum class CollectionKind : int {
    plain = 0,
    calendar = 1,
    addressbook = 2,
    principal = 3,
    calendar_home = 4,
    addressbook_home = 5,
    structural = 6,
};

// What a path names: nothing, a collection, or a resource (a member with a body).
struct Node {
    enum class Type { missing, collection, resource };
    Type type = Type::missing;
    std::string path;                             // relative, canonical
    std::int64_t id = 0;                          // the collection's id or the resource's id
    std::int64_t collection_id = 0;               // the collection itself, or the resource's parent
    CollectionKind kind = CollectionKind::plain;  // for collections
    std::string owner;                            // for collections
    std::int64_t sync_token = 0;                  // for collections
    std::string components;                       // for calendars: supported component types, "VEVENT,VTODO"
    std::string etag;                             // for resources
    std::string content_type;                     // for resources
    std::string uid;                              // for calendar objects and vCards
    std::int64_t size = 0;                        // for resources
    std::int64_t created = 0;                     // seconds since the epoch
    std::int64_t modified = 0;

    bool exists() const { return type != Type::missing; }
    bool is_collection() const { return type == Type::collection; }
};

// What the index keeps of a calendar object or vCard, computed by lib/ical or lib/vcard.
struct Occurrence {
    std::int64_t start;
    std::int64_t end;
};

struct ResourceIndex {
    std::string uid;        // unique within the collection (RFC 4791 §5.3.2, RFC 6352 §6.3.2)
    std::string component;  // VEVENT, VTODO, ... (empty for vCards)
    std::vector<Occurrence> occurrences;
    std::optional<std::int64_t> indexed_until;  // set when the series continues past the indexed horizon
    std::vector<std::pair<std::string, std::string>> card_fields;  // vCards: (property, case-folded value)
};

// One entry of a collection's change log (RFC 6578).
struct Change {
    std::string name;
    std::int64_t token;
    bool deleted;
    Node member;  // the resource now at that name, read in the same query (missing: deleted, or a collection)
};

// The client's If-Match / If-None-Match, checked again inside the write transaction: mod_dav checks
// them before the body is read, and two writers racing on one ETag must not both win.
struct WriteCondition {
    std::vector<std::string> if_match;  // strong ETags, quoted; empty = no If-Match (or "*")
    bool must_exist = false;            // If-Match: *
    bool must_not_exist = false;        // If-None-Match: *
    std::int64_t quota_bytes = 0;       // the owner's quota: the write may not grow their usage past it; 0 none
};

// A member the instances index selected for a time range [from, to), as its index rows name it:
// enough for an answer that asks only for DAV:getetag; Store::lookup gives the rest.
struct IndexedMember {
    std::int64_t id = 0;
    std::string name;  // within the collection
    std::string etag;
    std::string component;  // its calendar component type (one per object, RFC 4791 §4.1)
    // Every occurrence that could overlap the range is in the index (the series was indexed past
    // `to`): the index alone then decides whether `component` overlaps (RFC 4791 §9.9).
    bool complete = false;
};

struct PutResult {
    bool created;
    std::string etag;
    Node stored;  // the resource as written: what a lookup of its path now gives
};

class Store {
public:
    explicit Store(const std::string& database_path);

    // A Store (connection and prepared statements) is used by one thread at a time; StorePool
    // (store/pool.hpp) lends them to requests.
    Database& database() { return db_; }

    // What `path` names; with `body`, also a resource's bytes, read in the same statement (GET).
    Node lookup(std::string_view path, std::string* body = nullptr);

    // Members of a collection in name order, after `after`, at most `limit` of them: callers page
    // through big collections without holding a statement or a read transaction open.
    std::vector<Node> children(const Node& collection, std::string_view after, int limit);
    // Visits every member in name order through children(), a page at a time; stops early (and
    // returns false) when `visit` returns false.
    bool for_each_member(const Node& collection, const std::function<bool(Node&)>& visit);

    // The kinds of the existing collections from the root down to the parent of `path`, in that order
    // (what dav::collection_location judges a new collection by).
    std::vector<CollectionKind> ancestor_kinds(std::string_view path);
    // For the collection at `path` and each collection below it, in path order: the kinds from the
    // one at `path` down to that collection (dav::tree_location). Empty when `path` is no collection.
    std::vector<std::vector<CollectionKind>> tree_kinds(std::string_view path);

    // The stored bytes of a resource, exactly as they were PUT.
    std::string body(std::int64_t resource_id);
    CollectionKind collection_kind(std::int64_t collection_id);

    // The display names provisioning gives the default collections (a principal gets its user name).
    static constexpr std::string_view default_calendar_name = "Calendar";
    static constexpr std::string_view default_addressbook_name = "Contacts";
    // Creates the user's principal, homes and default calendar and address book where missing.
    void provision(std::string_view user);
    bool is_provisioned(std::string_view user);

    // Creates or replaces the resource at `path`; its parent must be an existing collection. With an
    // index, refuses (uid_conflict) a UID another member has, and replaces the resource's occurrences.
    PutResult put(std::string_view path, std::string_view content_type, std::string_view bytes,
                  const ResourceIndex* index = nullptr, const WriteCondition* condition = nullptr);
    void make_collection(std::string_view path, CollectionKind kind, std::string_view components = {});
    // Replaces a stored resource's index rows (its body is unchanged, e.g. its calendar's time zone changed).
    void reindex(const Node& resource, const ResourceIndex& index);

    // Members whose occurrences overlap [from, to) (RFC 4791 §9.9 via the instances index), plus
    // those whose series was indexed only up to before `to` (not `complete`: the caller expands them).
    std::vector<IndexedMember> overlapping(const Node& collection, std::int64_t from, std::int64_t to);

    // Cards with an indexed `property` whose folded value matches `folded` by `match_type` (equals,
    // contains, starts-with, ends-with): a superset of the cards a text-match on it can select.
    std::vector<Node> cards_matching(const Node& collection, std::string_view property, std::string_view folded,
                                     std::string_view match_type);

    // The change log since `token` in token order, at most `limit` entries (RFC 6578 §3.3).
    std::vector<Change> changes_since(const Node& collection, std::int64_t token, int limit);
    // The salt that was handed out with `token`, if the collection ever had that token.
    std::optional<std::int64_t> sync_salt(const Node& collection, std::int64_t token);
    // Bytes of resource bodies stored in `owner`'s collections (RFC 4331 quota-used-bytes).
    std::int64_t used_bytes(std::string_view owner);
    // Removes a resource or a whole collection tree, with its properties and locks.
    void remove(std::string_view path);
    // Copies (recursively when `deep`) or moves `source` to `destination`, replacing what is there
    // when `replace`; one transaction either way. A resource keeps its index rows, or gets `index`
    // when given (computed for its new collection: another calendar's time zone).
    void copy(std::string_view source, std::string_view destination, bool deep, bool replace,
              std::int64_t quota_bytes = 0, const ResourceIndex* index = nullptr);
    void move(std::string_view source, std::string_view destination, bool replace,
              const ResourceIndex* index = nullptr);

private:
    Node lookup_collection(std::string_view path);
    Node lookup_resource(std::string_view path);
    Node require_parent_collection(std::string_view path);
    void ensure_collection(std::string_view path, CollectionKind kind, std::string_view owner,
                           std::string_view display_name = {});
    std::int64_t insert_collection(const Node& parent, std::string_view name, CollectionKind kind,
                                   std::string_view owner, std::int64_t now);
    void remove_node(const Node& node);
    void clear_destination(std::string_view destination, const Node& from, bool replace, const ResourceIndex* index);
    void copy_node(const Node& source, const Node& destination_parent, std::string_view name, bool deep,
                   const ResourceIndex* index);
    void copy_resource(std::int64_t resource_id, std::int64_t collection_id, std::string_view name,
                       const ResourceIndex* index);
    std::int64_t next_change_token(std::int64_t collection_id);
    void forget_deletion(std::int64_t collection_id, std::string_view name);
    void record_change(std::int64_t collection_id, std::string_view name, bool deleted);
    // Replaces the resource's index rows; `fresh`: the resource was inserted in this transaction.
    void write_index(std::int64_t resource_id, std::int64_t collection_id, const ResourceIndex& index, bool fresh);
    // The occurrence and card rows alone, for a row whose index columns are already written.
    void write_index_rows(std::int64_t resource_id, std::int64_t collection_id, std::string_view name,
                          std::string_view etag, const ResourceIndex& index, bool fresh);
    void check_uid(std::int64_t collection_id, std::string_view uid, std::string_view name);
    void touch(std::int64_t collection_id, std::int64_t now);
    void check_quota(std::string_view owner, std::int64_t used_before, std::int64_t quota_bytes);

    Database db_;
};

std::int64_t now_seconds();

}  // namespace caldav::store
