// Filters no valid object can be judged by: which shapes calendar-query refuses with 403
// CALDAV:valid-filter (RFC 4791 §7.8, §9.7) and addressbook-query with CARDDAV:supported-filter
// (RFC 6352 §8.6, §10.5), decided on the parsed filter before any object is read.
#pragma once

#include <optional>
#include <string>

#include "query/calendar_filter.hpp"
#include "vcard/vcard.hpp"

namespace caldav::query {

// std::nullopt when `filter` (the top comp-filter of a calendar-query) is valid; otherwise why not,
// in one sentence naming the element and the RFC section (for the DAV:error body and the log).
// The table of refused shapes is in filter_validity.cpp.
std::optional<std::string> invalid_calendar_filter(const CompFilter& filter);

// std::nullopt when every prop-filter and param-filter of `filter` names something a vCard can
// hold; otherwise why not. RFC 6352 §8.6 CARDDAV:supported-filter: the server queries every
// property and parameter name, so only a name that is not one (RFC 6350 §3.3 syntax) is refused.
std::optional<std::string> unsupported_addressbook_filter(const vcard::Filter& filter);

}  // namespace caldav::query
