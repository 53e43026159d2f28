// vCard objects (RFC 6350 and vCard 3.0, RFC 2426): content-line validation for PUT (RFC 6352
// §6.3.2), the values the server indexes, and the addressbook-query filter (RFC 6352 §10.5).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace caldav::vcard {

enum class Precondition {
    none,
    supported_address_data,  // not text/vcard 3.0/4.0 (the caller checks Content-Type)
    valid_address_data,      // not a well-formed single vCard with VERSION, FN and UID
};

const char* precondition_name(Precondition precondition);

struct Card {
    std::string uid;
    std::string version;  // "3.0" or "4.0"
};

struct Validation {
    Precondition failed = Precondition::none;
    std::string message;
    Card card;
};

// Checks content lines (folding, groups, parameters, quoted values), BEGIN/END nesting, exactly one
// vCard, VERSION 3.0 or 4.0, FN and UID present. Never rewrites the bytes.
Validation validate(std::string_view bytes);

// One unfolded content line.
struct Property {
    std::string group;
    std::string name;  // upper-case
    std::vector<std::pair<std::string, std::string>> parameters;  // names upper-case, values as sent
    std::string value;  // raw (escaped) value
};

// The content lines of the first vCard in `bytes`, unfolded, in order (BEGIN/END excluded).
std::vector<Property> parse(std::string_view bytes);

// RFC 6352 §10.5 filter values.
struct TextMatch {
    std::string text;
    std::string collation = "i;unicode-casemap";  // or "i;ascii-casemap", "i;octet"
    std::string match_type = "contains";          // "equals", "contains", "starts-with", "ends-with"
    bool negate = false;
};

struct ParamFilter {
    std::string name;
    bool is_not_defined = false;
    std::optional<TextMatch> text_match;
};

struct PropFilter {
    std::string name;
    bool all_of = false;  // test="allof"; default anyof
    bool is_not_defined = false;
    std::vector<TextMatch> text_matches;
    std::vector<ParamFilter> param_filters;
};

struct Filter {
    bool all_of = false;  // test="allof"; default anyof
    std::vector<PropFilter> prop_filters;
};

bool matches(const std::vector<Property>& card, const Filter& filter);
bool supported_collation(std::string_view collation);

// Converts a stored vCard to another version for address-data (RFC 6352 §10.4) without touching
// what is stored; returns the input unchanged when it already has that version.
std::string convert(std::string_view bytes, std::string_view version);

}  // namespace caldav::vcard
