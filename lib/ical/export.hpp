// A whole calendar as one text/calendar stream (GET on a calendar collection): the members'
// components inside one VCALENDAR, each VTIMEZONE once. Works on lines, so every member's
// components come out byte for byte as stored.
#pragma once

#include <set>
#include <string>
#include <string_view>

namespace caldav::ical {

class CalendarExport {
public:
    std::string begin() const;
    // The components of one stored calendar object, without its VCALENDAR wrapper and properties,
    // and without VTIMEZONEs already written.
    std::string add(std::string_view object);
    std::string end() const;

private:
    std::set<std::string> written_timezones_;
};

}  // namespace caldav::ical
