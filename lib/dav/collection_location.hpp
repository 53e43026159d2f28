// Where a collection of each kind may be: RFC 4791 §4.2 and §5.3.1 (calendar collections are never
// nested in one another at any depth: CALDAV:calendar-collection-location-ok) and RFC 6352 §5.2
// (likewise address books: CARDDAV:addressbook-collection-location-ok). One decision that every way
// a calendar or address book can arrive somewhere asks: MKCALENDAR, extended MKCOL (RFC 5689), COPY
// and MOVE (of the collection itself or of a tree holding one).
#pragma once

#include <vector>

#include "store/store.hpp"

namespace caldav::dav {

// The precondition a placement violates, named after the calendar or address book that would be
// nested (or, for a plain collection, after where it would go).
enum class LocationRefusal {
    none,
    calendar,                   // CALDAV:calendar-collection-location-ok
    addressbook,                // CARDDAV:addressbook-collection-location-ok
    collection_in_calendar,     // a plain collection in a calendar (the same precondition element)
    collection_in_addressbook,  // a plain collection in an address book (likewise)
};

// May a collection of `kind` be created under `ancestors`: the kinds of every existing collection
// from the root down to its new parent, in that order (the last is the parent)?
//  - a calendar never below a calendar or an address book, nor in an address-book home; an address
//    book the same with the roles swapped (RFC 4791 §4.2 b, RFC 6352 §5.2);
//  - nothing of these kinds directly in a calendar, an address book, a principal or a server
//    collection (the homes hold them);
//  - no plain collection in a calendar or an address book either. RFC 4791 §4.2 a would allow one,
//    but no client makes them, CalendarServer and SabreDAV refuse them, and a folder inside a
//    calendar confuses the clients that list it. Since only homes and plain collections hold
//    collections, nothing is then inside a calendar or address book at any depth.
LocationRefusal collection_location(const std::vector<store::CollectionKind>& ancestors, store::CollectionKind kind);

// The same for a tree arriving by COPY or MOVE under `ancestors`: `tree` holds, for the tree's root
// and each collection inside it, the kinds from the tree's root down to that collection. The root and every
// calendar and address book in it must be allowed where they would land (plain collections inside
// keep the parent they have); the first refusal is returned.
LocationRefusal tree_location(const std::vector<store::CollectionKind>& ancestors,
                              const std::vector<std::vector<store::CollectionKind>>& tree);

}  // namespace caldav::dav
