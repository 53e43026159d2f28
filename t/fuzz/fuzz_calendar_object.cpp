// libFuzzer target: PUT validation of calendar objects and everything the server then does with a
// body it accepted (indexing, expand, limit-recurrence-set, partial retrieval, export, free-busy).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ical/calendar_data.hpp"
#include "ical/calendar_object.hpp"
#include "ical/export.hpp"
#include "ical/freebusy.hpp"
#include "ical/instances.hpp"

using namespace caldav::ical;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    Validation validation = validate_calendar_object(bytes, {});
    if (validation.failed != Precondition::none) return 0;
    constexpr std::int64_t from = 1893456000, to = 1924992000;  // 2030 .. 2031
    // PUT indexes from the tree validation parsed; a query expands the stored bytes: the same answer.
    const ExpansionLimits limits{from - 400LL * 86400 * 365, to, 2000};
    Expansion from_bytes = expand(bytes, "Europe/Berlin", limits);
    Expansion from_tree = expand(validation.object, "Europe/Berlin", limits);
    bool same = from_bytes.instances.size() == from_tree.instances.size() &&
                from_bytes.open_ended == from_tree.open_ended && from_bytes.truncated == from_tree.truncated;
    for (std::size_t i = 0; same && i < from_bytes.instances.size(); ++i)
        same = from_bytes.instances[i].start == from_tree.instances[i].start &&
               from_bytes.instances[i].end == from_tree.instances[i].end;
    if (!same) std::abort();
    expand_object(bytes, from, to, "");
    limit_recurrence_set(bytes, from, to, "");
    limit_freebusy_set(bytes, from, to);
    select_parts(bytes, ComponentSelection{"VCALENDAR", false, {"VERSION"}, false, {{"VEVENT", false, {"UID"}}}});
    busy_periods(bytes, from, to, "");
    CalendarExport exporter;
    exporter.add(bytes);
    return 0;
}
