// libFuzzer target: the calendar-query filter (RFC 4791 §9.7) evaluated on arbitrary stored bytes, and
// the i;unicode-casemap form (RFC 5051 §2) of those bytes, ill-formed UTF-8 included.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "query/calendar_filter.hpp"

using namespace caldav::query;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    CompFilter event;
    event.name = "VEVENT";
    event.time_range = TimeRange{1893456000, 1896134400};
    PropFilter summary;
    summary.name = "SUMMARY";
    summary.text_match = TextMatch{"meeting", "i;unicode-casemap", false};
    event.prop_filters.push_back(summary);
    CompFilter alarm;
    alarm.name = "VALARM";
    alarm.time_range = TimeRange{1893456000, 1893542400};
    event.comp_filters.push_back(alarm);
    CompFilter todo;
    todo.name = "VTODO";
    PropFilter completed;
    completed.name = "COMPLETED";
    completed.is_not_defined = true;
    todo.prop_filters.push_back(completed);
    CompFilter calendar;
    calendar.name = "VCALENDAR";
    calendar.comp_filters.push_back(event);
    matches(bytes, calendar, "America/New_York");
    CompFilter todos;
    todos.name = "VCALENDAR";
    todos.comp_filters.push_back(todo);
    matches(bytes, todos, "");
    unicode_casemap(bytes);
    text_matches(bytes, bytes.substr(size / 2), "i;unicode-casemap", MatchType::ends_with);
    return 0;
}
