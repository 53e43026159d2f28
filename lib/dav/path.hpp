// Paths below the DAV root: relative, decoded, '/'-separated, no slash at either end ('' is the root).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace caldav::dav {

// Splits a decoded request path (relative to the root, slashes anywhere) into a canonical
// relative path. Empty segments collapse; "." and ".." and control characters are refused
// (std::nullopt), so that no spelling of a path reaches another place than it names.
std::optional<std::string> canonical_path(std::string_view decoded);

std::vector<std::string_view> segments(std::string_view path);
std::string parent_path(std::string_view path);
std::string_view last_segment(std::string_view path);
std::string join_path(std::string_view parent, std::string_view name);

// True when `ancestor` is a proper ancestor of `path` ('' is the ancestor of everything else).
bool is_proper_ancestor(std::string_view ancestor, std::string_view path);

// The longest name a segment may have: longer names are refused with 414/400 by the adapter.
constexpr std::size_t max_segment_length = 255;

}  // namespace caldav::dav
