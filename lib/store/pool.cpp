// StorePool: connections lent per request, LIFO, the extra ones closed after a while unused.
#include "store/pool.hpp"
#include "store/per_database_file.hpp"

namespace caldav::store {

StorePool::Lease::~Lease() {
    if (store_) pool_->give_back(std::move(store_));
}

StorePool::StorePool(std::string database_path, std::chrono::milliseconds idle_limit, std::size_t keep)
    : path_(std::move(database_path)), idle_limit_(idle_limit), keep_(keep) {}

StorePool& StorePool::for_database(const std::string& database_path) {
    return per_database_file<StorePool>(database_path);
}

StorePool::Lease StorePool::acquire() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!idle_.empty()) {
            std::unique_ptr<Store> store = std::move(idle_.back().store);
            idle_.pop_back();
            return Lease(*this, std::move(store));
        }
    }
    // Opening (and, the first time, migrating) happens outside the lock.
    return Lease(*this, std::make_unique<Store>(path_));
}

std::size_t StorePool::idle_count() {
    std::lock_guard<std::mutex> lock(mutex_);
    return idle_.size();
}

void StorePool::give_back(std::unique_ptr<Store> store) {
    auto now = std::chrono::steady_clock::now();
    std::vector<Idle> expired;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        idle_.push_back({std::move(store), now});
        // Oldest first: the expired ones are a prefix, never reaching into the newest `keep_`.
        auto fresh = idle_.begin();
        auto kept = idle_.size() > keep_ ? idle_.end() - static_cast<std::ptrdiff_t>(keep_) : idle_.begin();
        while (fresh != kept && now - fresh->since > idle_limit_) ++fresh;
        expired.assign(std::make_move_iterator(idle_.begin()), std::make_move_iterator(fresh));
        idle_.erase(idle_.begin(), fresh);
    }
    expired.clear();  // closes them, outside the lock
}

}  // namespace caldav::store
