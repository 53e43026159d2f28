// Who may do what where: the URL layout's areas and the owner-only policy (until sharing exists).
#pragma once

#include <string>
#include <string_view>

namespace caldav::dav {

enum class Area {
    root,                     // /
    principals_root,          // /principals/
    principal,                // /principals/USER/
    inside_principal,         // /principals/USER/anything
    calendars_root,           // /calendars/
    calendar_home,            // /calendars/USER/
    inside_calendar_home,     // /calendars/USER/anything
    addressbooks_root,        // /addressbooks/
    addressbook_home,         // /addressbooks/USER/
    inside_addressbook_home,  // /addressbooks/USER/anything
    unknown,                  // any other top-level name
};

struct Place {
    Area area;
    std::string owner;  // the USER segment, empty where the area has none
};

Place classify(std::string_view path);

enum class Operation {
    read,    // GET, HEAD, PROPFIND, REPORT, OPTIONS, the source of COPY
    modify,  // PROPPATCH, LOCK, UNLOCK: changes the resource's properties or locks, not its existence
    write,   // PUT, DELETE, MKCOL, MKCALENDAR, the source of MOVE and the destination of COPY/MOVE
};

struct Decision {
    bool allowed;
    const char* reason;  // why not, for the denial log line; empty when allowed
};

Decision decide(std::string_view user, const Place& place, Operation operation);

}  // namespace caldav::dav
