// The text-match collations (RFC 4790 §9.3 i;octet, §9.2 i;ascii-casemap, RFC 5051 i;unicode-casemap)
// and match types, one module for calendar-query (RFC 4791 §9.7.5) and addressbook-query (RFC 6352 §10.5.4).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace caldav::query {

// RFC 6352 §10.5.4 match-type; RFC 4791 §9.7.5 text-match is always a substring test (contains).
enum class MatchType { equals, contains, starts_with, ends_with };

// "equals", "contains", "starts-with", "ends-with"; std::nullopt for anything else.
std::optional<MatchType> parse_match_type(std::string_view name);

// The three collations the server supports. Names are case-sensitive (RFC 4790 §3.1 lists them in
// lower case and a client echoes the registered name); others are answered 403 supported-collation
// (RFC 4791 §7.5.1, RFC 6352 §8.3).
bool supported_collation(std::string_view collation);

// RFC 5051 §2 "titlecased canonicalized UTF-8": each code point mapped to its simple titlecase
// (UnicodeData.txt, so ß stays ß: its "Ss" is SpecialCasing's, which RFC 5051 does not use), then
// replaced by its full decomposition of any type (Ａ becomes A, é becomes E U+0301). Code point by
// code point, so the form of a substring is a substring of the form (the card index relies on it).
// Two departures, both allowed or harmless: an ill-formed UTF-8 byte becomes U+DC80+byte (a lone
// surrogate, which well-formed text never yields), so it matches only the same byte and the rest of
// the value still compares without case, where §2 (1)(b) would compare the whole value as octets;
// and Hangul syllables decompose into jamo (NFKD does; UnicodeData.txt lists no mapping), alike on
// both sides of every comparison.
std::string unicode_casemap(std::string_view text);

// What `collation` compares: i;octet the bytes, i;ascii-casemap the bytes with a-z as A-Z,
// i;unicode-casemap unicode_casemap(). An unsupported collation compares as i;octet.
std::string comparison_form(std::string_view text, std::string_view collation);

// RFC 4790 §4.2 equality and §4.2.2 substring under `collation`, then negate-condition
// (RFC 4791 §9.7.5, RFC 6352 §10.5.4): true when `value` passes a text-match of `text`.
bool text_matches(std::string_view value, std::string_view text, std::string_view collation, MatchType type,
                  bool negate = false);

}  // namespace caldav::query
