// CredentialCache: remembered digests with an expiry, compared in constant time, bounded in number.
#include "auth/credential_cache.hpp"

namespace caldav::auth {

namespace {

// Compares without stopping at the first difference: how long a check takes says nothing about
// how much of a guessed password was right.
bool same_bytes(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    unsigned char difference = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        difference |= static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i]);
    return difference == 0;
}

}  // namespace

bool CredentialCache::matches(std::string_view key, std::string_view digest, Clock::time_point now) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = entries_.find(std::string(key));
    if (found == entries_.end() || found->second.expires <= now) return false;
    return same_bytes(found->second.digest, digest);
}

void CredentialCache::remember(std::string_view key, std::string_view digest, Clock::time_point now,
                               Clock::duration ttl) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = entries_.find(std::string(key));
    if (found == entries_.end()) {
        make_room(now);
        found = entries_.emplace(std::string(key), Entry{}).first;
    }
    found->second = Entry{std::string(digest), now + ttl};
}

std::size_t CredentialCache::size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return entries_.size();
}

// Expired entries go first; if all are live (more users than the capacity within one timeout),
// everything goes: those users then pay one more slow check each, and memory stays bounded.
void CredentialCache::make_room(Clock::time_point now) {
    if (entries_.size() < capacity_) return;
    for (auto it = entries_.begin(); it != entries_.end();) {
        if (it->second.expires <= now)
            it = entries_.erase(it);
        else
            ++it;
    }
    if (entries_.size() >= capacity_) entries_.clear();
}

}  // namespace caldav::auth
