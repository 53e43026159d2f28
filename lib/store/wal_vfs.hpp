// A SQLite VFS over the system's that writes each write-ahead-log frame with one system call.
// SQLite writes a frame as its 24-byte header, then the page: two pwrites, a third of a PUT's.
#pragma once

#include <sqlite3.h>

#include <memory>

namespace caldav::store {

// The name to open databases with; registers the VFS over SQLite's default one on first use.
const char* wal_vfs_name();

// A frame-joining VFS named `name` over `base`, not yet registered (tests put it over a VFS that
// counts the writes). `base` must outlive it.
std::unique_ptr<sqlite3_vfs> make_wal_vfs(const char* name, sqlite3_vfs* base);

}  // namespace caldav::store
