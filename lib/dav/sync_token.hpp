// Sync tokens (RFC 6578 §3.2, and CalendarServer's getctag): a collection's change counter with
// the random salt recorded when it was handed out, so tokens from before a restore are refused.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace caldav::dav {

struct SyncToken {
    std::int64_t token;
    std::int64_t salt;
};

std::string format_sync_token(const SyncToken& token);
std::optional<SyncToken> parse_sync_token(std::string_view text);

}  // namespace caldav::dav
