// CredentialCache: a process's memory of credentials another authenticator has verified, so that a
// deliberately slow password hash (bcrypt) runs once per user and timeout, not on every request.
// Keys and digests are opaque to it: the caller digests the password with a secret of its own.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace caldav::auth {

class CredentialCache {
public:
    using Clock = std::chrono::steady_clock;

    explicit CredentialCache(std::size_t capacity = 4096) : capacity_(capacity) {}

    // True when `digest` is what was remembered for `key` and it has not expired at `now`.
    bool matches(std::string_view key, std::string_view digest, Clock::time_point now) const;
    // Remembers `digest` for `key` until now + ttl, replacing what was there.
    void remember(std::string_view key, std::string_view digest, Clock::time_point now, Clock::duration ttl);
    std::size_t size() const;

private:
    struct Entry {
        std::string digest;
        Clock::time_point expires;
    };
    void make_room(Clock::time_point now);

    std::size_t capacity_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
};

}  // namespace caldav::auth
