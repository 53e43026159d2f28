// Dead-property rows; collections and resources have a table each so deletes cascade by foreign key.
#include "store/properties.hpp"

#include "store/database.hpp"

namespace caldav::store::properties {

std::optional<std::string> get(Database& db, PropertyOwner owner, std::string_view ns, std::string_view name) {
    auto row = owner.is_collection ? db.prepare(
                                         "SELECT xml FROM collection_properties "
                                         "WHERE collection_id = ?1 AND namespace = ?2 AND name = ?3")
                                   : db.prepare(
                                         "SELECT xml FROM resource_properties "
                                         "WHERE resource_id = ?1 AND namespace = ?2 AND name = ?3");
    row.bind(1, owner.id).bind(2, ns).bind(3, name);
    if (!row.step()) return std::nullopt;
    return row.text(0);
}

std::vector<PropertyName> names(Database& db, PropertyOwner owner) {
    auto rows = owner.is_collection
                    ? db.prepare("SELECT namespace, name FROM collection_properties WHERE collection_id = ?1")
                    : db.prepare("SELECT namespace, name FROM resource_properties WHERE resource_id = ?1");
    rows.bind(1, owner.id);
    std::vector<PropertyName> result;
    while (rows.step()) result.push_back({rows.text(0), rows.text(1)});
    return result;
}

void set(Database& db, PropertyOwner owner, std::string_view ns, std::string_view name, std::string_view xml) {
    auto upsert = owner.is_collection
                      ? db.prepare(
                            "INSERT OR REPLACE INTO collection_properties (collection_id, namespace, name, xml) "
                            "VALUES (?1, ?2, ?3, ?4)")
                      : db.prepare(
                            "INSERT OR REPLACE INTO resource_properties (resource_id, namespace, name, xml) "
                            "VALUES (?1, ?2, ?3, ?4)");
    upsert.bind(1, owner.id).bind(2, ns).bind(3, name).bind(4, xml).run();
}

void remove(Database& db, PropertyOwner owner, std::string_view ns, std::string_view name) {
    auto erase = owner.is_collection ? db.prepare(
                                           "DELETE FROM collection_properties "
                                           "WHERE collection_id = ?1 AND namespace = ?2 AND name = ?3")
                                     : db.prepare(
                                           "DELETE FROM resource_properties "
                                           "WHERE resource_id = ?1 AND namespace = ?2 AND name = ?3");
    erase.bind(1, owner.id).bind(2, ns).bind(3, name).run();
}

}  // namespace caldav::store::properties
