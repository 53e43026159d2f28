// What a PUT, COPY or MOVE into a calendar or address book must satisfy (RFC 4791 §5.3.2, RFC 6352 §6.3.2),
// answered as the precondition element in a DAV:error body, and the index built from the body.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "request.hpp"

namespace caldav::module {

struct CheckedObject {
    std::string content_type;                   // what to store it as
    std::optional<store::ResourceIndex> index;  // for members of calendars and address books
};

// Checks `bytes` of media `type` (nullptr: none given), PUT at `path` into `collection`. Returns
// the error to answer with, or nullptr.
dav_error* check_object(request_rec* r, const Context& context, const store::Node& collection, std::string_view path,
                        std::string_view bytes, const char* type, CheckedObject& checked);

// RFC 4791 §5.3.1, RFC 6352 §5.2 (dav::collection_location): the 403 with calendar- or
// addressbook-collection-location-ok when a collection of `kind` may not be created at `path`, else nullptr.
dav_error* location_error(request_rec* r, store::Store& store, const std::string& path, store::CollectionKind kind);

// RFC 4791 §5.3.2, RFC 6352 §6.3.2: what a COPY or MOVE brings to `destination` (a path) must be what
// a PUT could store there, and a collection (with every calendar or address book in it) only where
// one of its kind may be created (dav::tree_location). A resource
// arriving in a calendar or address book gets `checked.index` computed for it (its time zone,
// components); elsewhere `checked.index` stays empty and the resource keeps its rows.
dav_error* check_arrival(request_rec* r, const Context& context, const store::Node& source,
                         const std::string& destination, CheckedObject& checked);

// The calendar's own time zone (RFC 4791 §5.2.2), used for floating and all-day times: the
// iCalendar text of its calendar-timezone property (ical::expand resolves it by its VTIMEZONE's
// definition, whatever the TZID), or empty (UTC).
std::string calendar_timezone(store::Store& store, const store::Node& calendar);

// Recomputes the occurrences of every object in `calendar` under its current calendar-timezone
// (floating and all-day times move with it). Runs inside the caller's transaction.
void reindex_calendar(request_rec* r, store::Store& store, const store::Node& calendar);

// RFC 4791 §5.2.2: a CALDAV:calendar-timezone being set (PROPPATCH, MKCALENDAR, extended MKCOL) must
// be a VCALENDAR with exactly one valid VTIMEZONE (ical::validate_calendar_timezone). The 403 with
// CALDAV:valid-calendar-data when `property` is that property and its value is not, else nullptr.
dav_error* calendar_timezone_error(apr_pool_t* pool, const char* ns, const char* name, const apr_xml_elem* property);

// The no-uid-conflict error (RFC 4791 §5.3.2.1, RFC 6352 §6.3.2.1) naming the resource that has the UID.
dav_error* uid_conflict_error(request_rec* r, const Context& context, const std::string& existing_path);

}  // namespace caldav::module
