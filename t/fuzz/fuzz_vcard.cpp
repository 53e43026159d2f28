// libFuzzer target: vCard validation, parsing, the addressbook-query filter and version conversion.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vcard/vcard.hpp"

using namespace caldav::vcard;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    Validation validation = validate(bytes);
    std::vector<Property> card = parse(bytes);
    Filter filter;
    filter.prop_filters.push_back({"FN", false, false, {{"zoë", "i;unicode-casemap", "contains", false}}, {}});
    filter.prop_filters.push_back({"EMAIL", true, false, {{"x", "i;ascii-casemap", "ends-with", true}},
                                   {{"TYPE", false, TextMatch{"work", "i;octet", "equals", false}}}});
    matches(card, filter);
    index_fields(card);
    if (validation.failed == Precondition::none) {
        convert(bytes, "3.0");
        convert(bytes, "4.0");
    }
    return 0;
}
