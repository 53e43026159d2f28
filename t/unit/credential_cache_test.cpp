// CredentialCache: what a remembered credential grants, for how long, and the bound on its size.
#include <catch2/catch.hpp>

#include "auth/credential_cache.hpp"

using caldav::auth::CredentialCache;
using namespace std::chrono_literals;

TEST_CASE("a remembered digest matches until it expires", "[credential_cache]") {
    CredentialCache cache;
    auto t0 = CredentialCache::Clock::time_point{} + 1000s;
    CHECK_FALSE(cache.matches("alice", "digest-1", t0));
    cache.remember("alice", "digest-1", t0, 300s);
    CHECK(cache.matches("alice", "digest-1", t0));
    CHECK(cache.matches("alice", "digest-1", t0 + 299s));
    CHECK_FALSE(cache.matches("alice", "digest-1", t0 + 300s));
}

TEST_CASE("another password, another user or another digest length never match", "[credential_cache]") {
    CredentialCache cache;
    auto t0 = CredentialCache::Clock::time_point{} + 1000s;
    cache.remember("alice", "digest-1", t0, 300s);
    CHECK_FALSE(cache.matches("alice", "digest-2", t0));
    CHECK_FALSE(cache.matches("alice", "digest-", t0));
    CHECK_FALSE(cache.matches("alice", "digest-11", t0));
    CHECK_FALSE(cache.matches("alice", "", t0));
    CHECK_FALSE(cache.matches("bob", "digest-1", t0));
    CHECK_FALSE(cache.matches("alic", "digest-1", t0));
}

TEST_CASE("remembering again replaces the digest and extends the expiry", "[credential_cache]") {
    CredentialCache cache;
    auto t0 = CredentialCache::Clock::time_point{} + 1000s;
    cache.remember("alice", "old", t0, 300s);
    cache.remember("alice", "new", t0 + 200s, 300s);
    CHECK_FALSE(cache.matches("alice", "old", t0 + 200s));
    CHECK(cache.matches("alice", "new", t0 + 450s));
    CHECK(cache.size() == 1);
}

TEST_CASE("the cache holds at most its capacity, expired entries leaving first", "[credential_cache]") {
    CredentialCache cache(3);
    auto t0 = CredentialCache::Clock::time_point{} + 1000s;
    cache.remember("a", "1", t0, 10s);
    cache.remember("b", "2", t0, 300s);
    cache.remember("c", "3", t0, 300s);
    cache.remember("d", "4", t0 + 20s, 300s);  // "a" has expired: it makes room
    CHECK(cache.size() == 3);
    CHECK(cache.matches("b", "2", t0 + 20s));
    CHECK(cache.matches("d", "4", t0 + 20s));
    cache.remember("e", "5", t0 + 30s, 300s);  // none expired: all go, the new one stays
    CHECK(cache.size() == 1);
    CHECK(cache.matches("e", "5", t0 + 30s));
    CHECK_FALSE(cache.matches("b", "2", t0 + 30s));
}
