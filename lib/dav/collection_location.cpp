// Where calendars and address books may be (RFC 4791 §4.2, §5.3.1; RFC 6352 §5.2).
#include "dav/collection_location.hpp"

#include <algorithm>

namespace caldav::dav {

namespace {

using store::CollectionKind;

bool any_of_kinds(const std::vector<CollectionKind>& kinds, CollectionKind a, CollectionKind b, CollectionKind c) {
    return std::any_of(kinds.begin(), kinds.end(), [&](CollectionKind k) { return k == a || k == b || k == c; });
}

// Only homes and plain collections hold collections made by clients.
bool holds_collections(CollectionKind parent) {
    return parent == CollectionKind::calendar_home || parent == CollectionKind::addressbook_home ||
           parent == CollectionKind::plain;
}

}  // namespace

LocationRefusal collection_location(const std::vector<CollectionKind>& ancestors, CollectionKind kind) {
    switch (kind) {
        case CollectionKind::calendar:
            // RFC 4791 §4.2 b: at any depth.
            if (any_of_kinds(ancestors, CollectionKind::calendar, CollectionKind::addressbook,
                             CollectionKind::addressbook_home))
                return LocationRefusal::calendar;
            break;
        case CollectionKind::addressbook:
            // RFC 6352 §5.2: at any depth.
            if (any_of_kinds(ancestors, CollectionKind::addressbook, CollectionKind::calendar,
                             CollectionKind::calendar_home))
                return LocationRefusal::addressbook;
            break;
        default:
            break;
    }
    if (!ancestors.empty() && holds_collections(ancestors.back())) return LocationRefusal::none;
    if (kind == CollectionKind::addressbook) return LocationRefusal::addressbook;
    if (kind == CollectionKind::calendar) return LocationRefusal::calendar;
    CollectionKind parent = ancestors.empty() ? CollectionKind::structural : ancestors.back();
    if (parent == CollectionKind::addressbook) return LocationRefusal::collection_in_addressbook;
    if (parent == CollectionKind::calendar) return LocationRefusal::collection_in_calendar;
    return LocationRefusal::calendar;
}

LocationRefusal tree_location(const std::vector<CollectionKind>& ancestors,
                              const std::vector<std::vector<CollectionKind>>& tree) {
    for (const std::vector<CollectionKind>& chain : tree) {
        if (chain.empty()) continue;
        // A plain collection inside the tree stays in the parent it has (where MKCOL could make
        // it); only the tree's root, and calendars and address books at any depth, land anew.
        if (chain.size() > 1 && chain.back() == CollectionKind::plain) continue;
        std::vector<CollectionKind> above = ancestors;
        above.insert(above.end(), chain.begin(), chain.end() - 1);
        LocationRefusal refusal = collection_location(above, chain.back());
        if (refusal != LocationRefusal::none) return refusal;
    }
    return LocationRefusal::none;
}

}  // namespace caldav::dav
