// A SQLite VFS over the system's that writes each write-ahead-log frame with one system call.
// SQLite's walWriteOneFrame writes the frame's 24-byte header, then its page, at the next offset
// (and a new log's 32-byte header before its first frame). This VFS holds such small writes to the
// log and writes them with the write that continues them. Anything else done to the file (read,
// sync, size, truncate, close, or a write elsewhere) writes the held bytes first. A frame's page
// always follows its header within walWriteOneFrame, so nothing is held once a frame is written,
// and a commit is published in the wal-index only after its last frame: no reader can see a
// frame whose header is still held. Files other than the log pass straight through.
#include "store/wal_vfs.hpp"

#include <cstring>
#include <mutex>

namespace caldav::store {

namespace {

// The log's header (32 bytes) and a frame's header (24) fit; a page never does.
constexpr int held_capacity = 64;

struct LogFile {
    sqlite3_file base;   // pMethods: ours, or null when the base VFS failed to open the file
    sqlite3_file* real;  // the base VFS's file, in the same allocation after this one
    bool is_log;
    int held_size;
    sqlite3_int64 held_offset;
    unsigned char held[held_capacity];
    unsigned char* joined;  // sqlite3_malloc'd buffer for a held header and the page after it
    sqlite3_int64 joined_capacity;
};

constexpr int real_file_offset = (sizeof(LogFile) + 7) & ~7;

LogFile& log_file(sqlite3_file* file) {
    return *reinterpret_cast<LogFile*>(file);
}

sqlite3_file* real(sqlite3_file* file) {
    return log_file(file).real;
}

const sqlite3_io_methods& real_methods(sqlite3_file* file) {
    return *real(file)->pMethods;
}

int write_through(LogFile& file, const void* data, int size, sqlite3_int64 offset) {
    return file.real->pMethods->xWrite(file.real, data, size, offset);
}

int write_held(LogFile& file) {
    if (file.held_size == 0) return SQLITE_OK;
    int size = file.held_size;
    file.held_size = 0;
    return write_through(file, file.held, size, file.held_offset);
}

int write_held(sqlite3_file* file) {
    return write_held(log_file(file));
}

// The held bytes and `data` after them, in one write. Without memory for the joined copy, two.
int write_joined(LogFile& file, const void* data, int size) {
    sqlite3_int64 total = file.held_size + static_cast<sqlite3_int64>(size);
    if (total > file.joined_capacity) {
        auto* grown = static_cast<unsigned char*>(sqlite3_realloc64(file.joined, total));
        if (grown == nullptr) {
            sqlite3_int64 offset = file.held_offset + file.held_size;
            int rc = write_held(file);
            return rc != SQLITE_OK ? rc : write_through(file, data, size, offset);
        }
        file.joined = grown;
        file.joined_capacity = total;
    }
    std::memcpy(file.joined, file.held, file.held_size);
    std::memcpy(file.joined + file.held_size, data, size);
    file.held_size = 0;
    return write_through(file, file.joined, static_cast<int>(total), file.held_offset);
}

int write(sqlite3_file* handle, const void* data, int size, sqlite3_int64 offset) {
    LogFile& file = log_file(handle);
    if (!file.is_log) return write_through(file, data, size, offset);
    if (file.held_size > 0 && offset != file.held_offset + file.held_size) {
        int rc = write_held(file);
        if (rc != SQLITE_OK) return rc;
    }
    if (file.held_size + size <= held_capacity) {
        if (file.held_size == 0) file.held_offset = offset;
        std::memcpy(file.held + file.held_size, data, size);
        file.held_size += size;
        return SQLITE_OK;
    }
    if (file.held_size == 0) return write_through(file, data, size, offset);
    return write_joined(file, data, size);
}

int close(sqlite3_file* handle) {
    LogFile& file = log_file(handle);
    int held_rc = write_held(file);
    int rc = file.real->pMethods->xClose(file.real);
    sqlite3_free(file.joined);
    file.joined = nullptr;
    return held_rc != SQLITE_OK ? held_rc : rc;
}

// The methods that read or change the file's contents or size write the held bytes first, then
// forward; locking, shared memory and the device's description only forward.
int read(sqlite3_file* file, void* data, int size, sqlite3_int64 offset) {
    int rc = write_held(file);
    return rc != SQLITE_OK ? rc : real_methods(file).xRead(real(file), data, size, offset);
}

int truncate(sqlite3_file* file, sqlite3_int64 size) {
    int rc = write_held(file);
    return rc != SQLITE_OK ? rc : real_methods(file).xTruncate(real(file), size);
}

int sync(sqlite3_file* file, int flags) {
    int rc = write_held(file);
    return rc != SQLITE_OK ? rc : real_methods(file).xSync(real(file), flags);
}

int file_size(sqlite3_file* file, sqlite3_int64* size) {
    int rc = write_held(file);
    return rc != SQLITE_OK ? rc : real_methods(file).xFileSize(real(file), size);
}

int file_control(sqlite3_file* file, int operation, void* argument) {
    int rc = write_held(file);
    return rc != SQLITE_OK ? rc : real_methods(file).xFileControl(real(file), operation, argument);
}

int lock(sqlite3_file* file, int level) {
    return real_methods(file).xLock(real(file), level);
}

int unlock(sqlite3_file* file, int level) {
    return real_methods(file).xUnlock(real(file), level);
}

int check_reserved_lock(sqlite3_file* file, int* result) {
    return real_methods(file).xCheckReservedLock(real(file), result);
}

int sector_size(sqlite3_file* file) {
    return real_methods(file).xSectorSize(real(file));
}

int device_characteristics(sqlite3_file* file) {
    return real_methods(file).xDeviceCharacteristics(real(file));
}

int shm_map(sqlite3_file* file, int region, int size, int extend, void volatile** address) {
    return real_methods(file).xShmMap(real(file), region, size, extend, address);
}

int shm_lock(sqlite3_file* file, int offset, int count, int flags) {
    return real_methods(file).xShmLock(real(file), offset, count, flags);
}

void shm_barrier(sqlite3_file* file) {
    real_methods(file).xShmBarrier(real(file));
}

int shm_unmap(sqlite3_file* file, int delete_flag) {
    return real_methods(file).xShmUnmap(real(file), delete_flag);
}

int fetch(sqlite3_file* file, sqlite3_int64 offset, int size, void** page) {
    int rc = write_held(file);
    return rc != SQLITE_OK ? rc : real_methods(file).xFetch(real(file), offset, size, page);
}

int unfetch(sqlite3_file* file, sqlite3_int64 offset, void* page) {
    return real_methods(file).xUnfetch(real(file), offset, page);
}

// One table per version of the base file's methods: SQLite reads iVersion to know which exist.
const sqlite3_io_methods* methods_like(const sqlite3_io_methods& base) {
    static const sqlite3_io_methods tables[3] = {
        {1, close, read, write, truncate, sync, file_size, lock, unlock, check_reserved_lock, file_control, sector_size,
         device_characteristics, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr},
        {2, close, read, write, truncate, sync, file_size, lock, unlock, check_reserved_lock, file_control, sector_size,
         device_characteristics, shm_map, shm_lock, shm_barrier, shm_unmap, nullptr, nullptr},
        {3, close, read, write, truncate, sync, file_size, lock, unlock, check_reserved_lock, file_control, sector_size,
         device_characteristics, shm_map, shm_lock, shm_barrier, shm_unmap, fetch, unfetch},
    };
    int version = base.iVersion < 1 ? 1 : base.iVersion > 3 ? 3 : base.iVersion;
    return &tables[version - 1];
}

sqlite3_vfs* base_of(sqlite3_vfs* vfs) {
    return static_cast<sqlite3_vfs*>(vfs->pAppData);
}

int open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* handle, int flags, int* out_flags) {
    LogFile& file = log_file(handle);
    file.base.pMethods = nullptr;
    file.real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(handle) + real_file_offset);
    file.is_log = (flags & SQLITE_OPEN_WAL) != 0;
    file.held_size = 0;
    file.held_offset = 0;
    file.joined = nullptr;
    file.joined_capacity = 0;
    sqlite3_vfs* base = base_of(vfs);
    int rc = base->xOpen(base, name, file.real, flags, out_flags);
    if (file.real->pMethods != nullptr) file.base.pMethods = methods_like(*file.real->pMethods);
    return rc;
}

}  // namespace

std::unique_ptr<sqlite3_vfs> make_wal_vfs(const char* name, sqlite3_vfs* base) {
    auto vfs = std::make_unique<sqlite3_vfs>(*base);
    vfs->szOsFile = real_file_offset + base->szOsFile;
    vfs->zName = name;
    vfs->pNext = nullptr;
    vfs->pAppData = base;
    vfs->xOpen = open;
    vfs->xDelete = [](sqlite3_vfs* v, const char* path, int sync_directory) {
        return base_of(v)->xDelete(base_of(v), path, sync_directory);
    };
    vfs->xAccess = [](sqlite3_vfs* v, const char* path, int flags, int* result) {
        return base_of(v)->xAccess(base_of(v), path, flags, result);
    };
    vfs->xFullPathname = [](sqlite3_vfs* v, const char* path, int size, char* out) {
        return base_of(v)->xFullPathname(base_of(v), path, size, out);
    };
    vfs->xRandomness = [](sqlite3_vfs* v, int size, char* out) {
        return base_of(v)->xRandomness(base_of(v), size, out);
    };
    vfs->xSleep = [](sqlite3_vfs* v, int microseconds) { return base_of(v)->xSleep(base_of(v), microseconds); };
    vfs->xCurrentTime = [](sqlite3_vfs* v, double* now) { return base_of(v)->xCurrentTime(base_of(v), now); };
    vfs->xGetLastError = [](sqlite3_vfs* v, int size, char* out) {
        return base_of(v)->xGetLastError(base_of(v), size, out);
    };
    vfs->xDlOpen = [](sqlite3_vfs* v, const char* path) { return base_of(v)->xDlOpen(base_of(v), path); };
    vfs->xDlError = [](sqlite3_vfs* v, int size, char* out) { base_of(v)->xDlError(base_of(v), size, out); };
    vfs->xDlSym = [](sqlite3_vfs* v, void* library, const char* symbol) {
        return base_of(v)->xDlSym(base_of(v), library, symbol);
    };
    vfs->xDlClose = [](sqlite3_vfs* v, void* library) { base_of(v)->xDlClose(base_of(v), library); };
    if (base->iVersion >= 2 && base->xCurrentTimeInt64 != nullptr)
        vfs->xCurrentTimeInt64 = [](sqlite3_vfs* v, sqlite3_int64* now) {
            return base_of(v)->xCurrentTimeInt64(base_of(v), now);
        };
    // Version 3 adds only the system-call overrides of SQLite's own tests.
    if (vfs->iVersion > 2) vfs->iVersion = 2;
    return vfs;
}

const char* wal_vfs_name() {
    static const char* const name = "caldav-wal";
    static std::once_flag registered;
    std::call_once(registered, [] {
        static std::unique_ptr<sqlite3_vfs> vfs = make_wal_vfs(name, sqlite3_vfs_find(nullptr));
        sqlite3_vfs_register(vfs.get(), 0);
    });
    return name;
}

}  // namespace caldav::store
