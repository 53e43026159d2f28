// Canonical relative paths: the one spelling every store key and ACL decision uses.
#include "dav/path.hpp"

namespace caldav::dav {

std::optional<std::string> canonical_path(std::string_view decoded) {
    std::string result;
    for (std::string_view segment : segments(decoded)) {
        if (segment == "." || segment == ".." || segment.size() > max_segment_length) return std::nullopt;
        for (unsigned char c : segment) {
            if (c < 0x20 || c == 0x7f) return std::nullopt;
        }
        if (!result.empty()) result += '/';
        result += segment;
    }
    return result;
}

std::vector<std::string_view> segments(std::string_view path) {
    std::vector<std::string_view> result;
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        if (end > start) result.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    return result;
}

std::string parent_path(std::string_view path) {
    std::size_t slash = path.rfind('/');
    return slash == std::string_view::npos ? std::string() : std::string(path.substr(0, slash));
}

std::string_view last_segment(std::string_view path) {
    std::size_t slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string join_path(std::string_view parent, std::string_view name) {
    if (parent.empty()) return std::string(name);
    std::string result(parent);
    result += '/';
    result += name;
    return result;
}

bool is_proper_ancestor(std::string_view ancestor, std::string_view path) {
    if (ancestor.empty()) return !path.empty();
    return path.size() > ancestor.size() && path.compare(0, ancestor.size(), ancestor) == 0 &&
           path[ancestor.size()] == '/';
}

}  // namespace caldav::dav
