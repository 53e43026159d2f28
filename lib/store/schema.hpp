// The database schema, versioned with PRAGMA user_version and upgraded by forward-only migrations.
#pragma once

namespace caldav::store {

class Database;

// The version this build writes; a newer file is refused rather than misread.
constexpr int schema_version = 9;

// Brings the file to schema_version in one transaction (an empty file starts at 0).
void migrate(Database& db);

}  // namespace caldav::store
