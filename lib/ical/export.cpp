// Line-level merging of calendar objects into one VCALENDAR.
#include "ical/export.hpp"

#include "ical/content_lines.hpp"

#include <vector>

namespace caldav::ical {

namespace {

// A content line with its folded continuation lines, exactly as stored (line ends included).
struct Line {
    std::string_view text;
    std::string_view first;  // the first physical line without its line end
};

std::vector<Line> content_lines(std::string_view object) {
    std::vector<Line> lines;
    std::size_t start = 0;
    while (start < object.size()) {
        std::size_t end = object.find('\n', start);
        end = end == std::string_view::npos ? object.size() : end + 1;
        std::string_view physical = object.substr(start, end - start);
        bool continuation = !physical.empty() && (physical[0] == ' ' || physical[0] == '\t');
        if (continuation && !lines.empty()) {
            Line& last = lines.back();
            last.text = std::string_view(last.text.data(), last.text.size() + physical.size());
        } else {
            std::string_view first = physical;
            while (!first.empty() && (first.back() == '\n' || first.back() == '\r')) first.remove_suffix(1);
            lines.push_back({physical, first});
        }
        start = end;
    }
    return lines;
}

std::string with_line_end(std::string_view text) {
    std::string result(text);
    if (result.empty() || result.back() != '\n') result += "\r\n";
    return result;
}

}  // namespace

std::string CalendarExport::begin() const {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//mod_caldav//export//EN\r\n";
}

std::string CalendarExport::end() const {
    return "END:VCALENDAR\r\n";
}

std::string CalendarExport::add(std::string_view object) {
    std::string out;
    std::string component;  // the top-level component being copied
    std::string timezone_id;
    int depth = 0;
    for (const Line& line : content_lines(object)) {
        bool begins = starts_with_insensitive(line.first, "BEGIN:");
        bool ends = starts_with_insensitive(line.first, "END:");
        if (begins) ++depth;
        if (depth >= 2) {
            if (depth == 2 && begins) timezone_id.clear();
            if (depth == 2 && starts_with_insensitive(line.first, "TZID:")) timezone_id = line.first.substr(5);
            component += with_line_end(line.text);
        }
        if (ends) {
            if (depth == 2) {
                bool is_timezone = starts_with_insensitive(line.first, "END:VTIMEZONE");
                // A VTIMEZONE already written (by TZID) is left out; everything else is copied.
                if (!is_timezone || written_timezones_.insert(timezone_id).second) out += component;
                component.clear();
            }
            --depth;
        }
    }
    return out;
}

}  // namespace caldav::ical
