// One object of a kind per database file for the whole process: the writers' mutex, the group
// commit queue, the connection pool. Created on first use and kept until the process ends.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>

namespace caldav::store {

// T is built from the file's path when it has such a constructor, else default-constructed.
template <typename T>
T& per_database_file(const std::string& path) {
    static std::mutex registry_guard;
    static std::map<std::string, std::unique_ptr<T>> registry;
    std::lock_guard<std::mutex> lock(registry_guard);
    std::unique_ptr<T>& entry = registry[path];
    if (!entry) {
        if constexpr (std::is_constructible_v<T, const std::string&>)
            entry = std::make_unique<T>(path);
        else
            entry = std::make_unique<T>();
    }
    return *entry;
}

}  // namespace caldav::store
