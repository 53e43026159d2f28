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

// One unfolded content line. A vCard 2.1-style bare parameter (`TEL;WORK;VOICE:`) is recorded as
// TYPE=WORK, TYPE=VOICE, and a bare QUOTED-PRINTABLE/BASE64/8BIT/7BIT as ENCODING=….
struct Property {
    std::string group;  // as sent (compare case-insensitively), empty when none
    std::string name;   // upper-case
    std::vector<std::pair<std::string, std::string>> parameters;  // names upper-case, values as sent
                                                                  // (quotes and commas included)
    std::string value;  // raw (escaped) value; quoted-printable soft line breaks are already joined
};

// The content lines of the first vCard in `bytes`, unfolded, in order (BEGIN/END excluded).
// Lenient: lines that would fail validation are skipped.
std::vector<Property> parse(std::string_view bytes);

// The text a text-match compares (RFC 6352 §10.5.4): the value, quoted-printable decoded when
// ENCODING=QUOTED-PRINTABLE, with the RFC 6350 §3.4 escapes (backslash before \ , ; n N) undone.
// Structured values (N, ADR) stay one text with their `;` separators.
std::string text_value(const Property& property);

// The values of one parameter as sent (`"a,b",c` or `work,home`): split at commas outside quotes,
// quotes removed, RFC 6868 ^n ^^ ^' decoded.
std::vector<std::string> parameter_values(std::string_view raw);

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

// RFC 6352 §10.5. An empty filter matches every card. A prop-filter matches when some property of
// that name (group ignored unless the filter's name has one) passes its test; a negated text-match
// on a property is judged per property, on a parameter over all of that parameter's values.
// Collations other than query::supported_collation() ones compare as i;octet and unknown
// match-types as "contains": refuse them first (CARDDAV:supported-collation, RFC 6352 §8.3).
bool matches(const std::vector<Property>& card, const Filter& filter);

// The i;unicode-casemap comparison form (query::unicode_casemap, RFC 5051 §2) of a text, as the card
// index stores it.
std::string casefold(std::string_view text);

// The properties an addressbook-query most often filters on, with their folded text values, for
// the store's card index: (name, folded value) pairs of FN, N, EMAIL, TEL, NICKNAME and ORG.
std::vector<std::pair<std::string, std::string>> index_fields(const std::vector<Property>& card);
bool is_indexed_property(std::string_view name);

// Converts a stored vCard to another version for address-data (RFC 6352 §10.4) without touching
// what is stored; returns the input unchanged when it already has that version, when `version` is
// neither "3.0" nor "4.0", or when `bytes` holds no vCard with a VERSION. The output is the first
// vCard only, VERSION right after BEGIN, CRLF line ends, folded at 75 octets (never inside a UTF-8
// sequence); lines that need no change keep their unfolded text exactly.
std::string convert(std::string_view bytes, std::string_view version);

}  // namespace caldav::vcard
