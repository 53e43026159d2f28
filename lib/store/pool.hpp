// The Stores (SQLite connections) of one process, shared by its threads: a request leases one for
// its duration, so a process holds as many connections as it serves requests at once, not one per
// thread it has ever run (each warm connection costs ~0.8 MB: page cache, statements, schema).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace caldav::store {

class StorePool {
public:
    // A Store lent to one user at a time; given back to its pool when destroyed.
    class Lease {
    public:
        Lease(StorePool& pool, std::unique_ptr<Store> store) : pool_(&pool), store_(std::move(store)) {}
        Lease(Lease&&) noexcept = default;
        Lease& operator=(Lease&&) = delete;
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        ~Lease();

        Store& operator*() const { return *store_; }

    private:
        StorePool* pool_;
        std::unique_ptr<Store> store_;
    };

    // The most recently used connection is lent first, so a steady load keeps reusing the same
    // few. Beyond the `keep` most recently used, a connection idle for longer than `idle_limit` is
    // closed: a burst of 25 concurrent requests leaves 25 connections (~0.6 MB each) for a moment,
    // not for the life of the process; opening one again costs ~0.5 ms, reusing one ~0.02 ms.
    explicit StorePool(std::string database_path,
                       std::chrono::milliseconds idle_limit = std::chrono::milliseconds(2000), std::size_t keep = 2);
    StorePool(const StorePool&) = delete;
    StorePool& operator=(const StorePool&) = delete;

    // The process-wide pool of a database file.
    static StorePool& for_database(const std::string& database_path);

    // An idle Store, or a new connection when none is idle (throws store::Error if it cannot open).
    Lease acquire();
    // How many connections are idle now (for tests).
    std::size_t idle_count();

private:
    struct Idle {
        std::unique_ptr<Store> store;
        std::chrono::steady_clock::time_point since;
    };

    void give_back(std::unique_ptr<Store> store);

    const std::string path_;
    const std::chrono::milliseconds idle_limit_;
    const std::size_t keep_;
    std::mutex mutex_;
    std::vector<Idle> idle_;  // oldest first; lent from the back
};

}  // namespace caldav::store
