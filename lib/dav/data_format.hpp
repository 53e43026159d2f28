// The media types and versions the server stores and answers in (RFC 4791 §5.2.4 and §9.6, RFC 6352
// §6.2.2 and §10.4): what supported-calendar-data and supported-address-data advertise, and what a
// REPORT's calendar-data or address-data element may ask for.
#pragma once

#include <string_view>

namespace caldav::dav {

// RFC 4791 §9.6: calendar-data's content-type (default text/calendar) and version (default 2.0).
// Only iCalendar 2.0 is stored, and nothing converts it to another format.
bool supported_calendar_data(std::string_view content_type, std::string_view version);

// RFC 6352 §10.4: address-data's content-type (default text/vcard) and version (default 3.0). Cards
// are stored as sent in 3.0 or 4.0 and converted between the two on request.
bool supported_address_data(std::string_view content_type, std::string_view version);

}  // namespace caldav::dav
