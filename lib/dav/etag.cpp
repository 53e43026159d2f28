// 64-bit FNV-1a over the bytes plus their length: identical bytes give identical tags.
#include "dav/etag.hpp"

#include <cinttypes>
#include <cstdint>
#include <cstdio>

namespace caldav::dav {

std::string strong_etag(std::string_view bytes) {
    std::uint64_t hash = 14695981039346656037ULL;
    for (unsigned char c : bytes) {
        hash ^= c;
        hash *= 1099511628211ULL;
    }
    char text[48];
    std::snprintf(text, sizeof text, "\"%016" PRIx64 "-%zx\"", hash, bytes.size());
    return text;
}

}  // namespace caldav::dav
