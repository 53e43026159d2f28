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

// The server's own collections (/, principals/, calendars/, addressbooks/): every user reads them,
// and their members are filtered per user. What they answer must not move with what another user
// does, so their validators (ETag, Last-Modified) do not follow their members: a new user's home
// would otherwise show in everybody's view of calendars/ as a changed ETag.
bool is_shared(Area area);

// Whether the resource at `path` may appear in a listing answered to `user`: a PROPFIND walk's
// members, every <D:response> of a REPORT (sync-collection, multiget, queries, expand-property,
// principal searches). Exactly when a request for it would be allowed to read it, so that no
// listing shows what a direct request would refuse. The one filter every listing passes through.
bool listable(std::string_view user, std::string_view path);

}  // namespace caldav::dav
