// Sync tokens are URIs (RFC 6578 §3.2): urn:mod-caldav:sync:TOKEN-SALT.
#include "dav/sync_token.hpp"

#include <cstdlib>

namespace caldav::dav {

namespace {

constexpr std::string_view prefix = "urn:mod-caldav:sync:";

std::optional<std::int64_t> parse_integer(std::string_view text) {
    if (text.empty() || text.size() > 20) return std::nullopt;
    std::string copy(text);
    char* end = nullptr;
    long long value = std::strtoll(copy.c_str(), &end, 10);
    if (end == nullptr || *end != '\0') return std::nullopt;
    return value;
}

}  // namespace

std::string format_sync_token(const SyncToken& token) {
    return std::string(prefix) + std::to_string(token.token) + "-" + std::to_string(token.salt);
}

std::optional<SyncToken> parse_sync_token(std::string_view text) {
    if (text.substr(0, prefix.size()) != prefix) return std::nullopt;
    text.remove_prefix(prefix.size());
    // The salt may be negative, so split at the first dash after the (non-negative) token.
    std::size_t dash = text.find('-', 1);
    if (dash == std::string_view::npos) return std::nullopt;
    auto token = parse_integer(text.substr(0, dash));
    auto salt = parse_integer(text.substr(dash + 1));
    if (!token || !salt || *token < 0) return std::nullopt;
    return SyncToken{*token, *salt};
}

}  // namespace caldav::dav
