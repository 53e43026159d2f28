// The owner-only access policy. Every refusal names its reason for the fail2ban-readable log line.
#include "dav/access.hpp"

#include <vector>

#include "dav/path.hpp"

namespace caldav::dav {

Place classify(std::string_view path) {
    std::vector<std::string_view> parts = segments(path);
    if (parts.empty()) return {Area::root, {}};
    struct Tree {
        std::string_view top;
        Area root, home, inside;
    };
    static const Tree trees[] = {
        {"principals", Area::principals_root, Area::principal, Area::inside_principal},
        {"calendars", Area::calendars_root, Area::calendar_home, Area::inside_calendar_home},
        {"addressbooks", Area::addressbooks_root, Area::addressbook_home, Area::inside_addressbook_home},
    };
    for (const Tree& tree : trees) {
        if (parts[0] != tree.top) continue;
        if (parts.size() == 1) return {tree.root, {}};
        return {parts.size() == 2 ? tree.home : tree.inside, std::string(parts[1])};
    }
    return {Area::unknown, {}};
}

Decision decide(std::string_view user, const Place& place, Operation operation) {
    if (user.empty()) return {false, "not authenticated"};
    switch (place.area) {
        case Area::root:
        case Area::principals_root:
        case Area::calendars_root:
        case Area::addressbooks_root:
            // Everybody may look (discovery starts here); listings are filtered to the user's own.
            if (operation == Operation::read) return {true, ""};
            return {false, "read-only server collection"};
        case Area::unknown:
            if (operation == Operation::read) return {true, ""};
            return {false, "outside the calendar and address-book trees"};
        default:
            break;
    }
    if (place.owner != user) return {false, "another user's space"};
    switch (place.area) {
        case Area::principal:
        case Area::calendar_home:
        case Area::addressbook_home:
            // Homes and principals are created by provisioning and never deleted or replaced by a client.
            if (operation == Operation::write) return {false, "principal and homes cannot be replaced or removed"};
            return {true, ""};
        case Area::inside_principal:
            if (operation == Operation::read) return {true, ""};
            return {false, "a principal holds no members"};
        default:
            return {true, ""};
    }
}

bool is_shared(Area area) {
    return area == Area::root || area == Area::principals_root || area == Area::calendars_root ||
           area == Area::addressbooks_root;
}

bool listable(std::string_view user, std::string_view path) {
    return decide(user, classify(path), Operation::read).allowed;
}

}  // namespace caldav::dav
