// Strong entity tags derived from the stored bytes, so they change exactly when the bytes change.
#pragma once

#include <string>
#include <string_view>

namespace caldav::dav {

// A quoted strong ETag (RFC 9110 §8.8.3) for `bytes`.
std::string strong_etag(std::string_view bytes);

}  // namespace caldav::dav
