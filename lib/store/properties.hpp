// Dead properties (RFC 4918 §4.1) of collections and resources: each stored as the complete XML
// element the client sent, with its namespace declarations, so it is served back unchanged.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace caldav::store {

class Database;

struct PropertyOwner {
    bool is_collection;
    std::int64_t id;
};

struct PropertyName {
    std::string ns;  // namespace URI; empty for no namespace
    std::string name;
};

namespace properties {

std::optional<std::string> get(Database& db, PropertyOwner owner, std::string_view ns, std::string_view name);
std::vector<PropertyName> names(Database& db, PropertyOwner owner);
void set(Database& db, PropertyOwner owner, std::string_view ns, std::string_view name, std::string_view xml);
void remove(Database& db, PropertyOwner owner, std::string_view ns, std::string_view name);

}  // namespace properties
}  // namespace caldav::store
