// The text-match collations (lib/query/collation): RFC 4790 i;octet and i;ascii-casemap, RFC 5051
// i;unicode-casemap, and the RFC 6352 §10.5.4 match types, shared by calendar- and addressbook-query.
#include <catch2/catch.hpp>

#include "query/collation.hpp"

#include <string>

using namespace caldav::query;

namespace {

bool equal(std::string_view a, std::string_view b, std::string_view collation = "i;unicode-casemap") {
    return text_matches(a, b, collation, MatchType::equals);
}

bool contains(std::string_view value, std::string_view text, std::string_view collation = "i;unicode-casemap") {
    return text_matches(value, text, collation, MatchType::contains);
}

}  // namespace

TEST_CASE("RFC 4791 §7.5.1, RFC 6352 §8.3: the supported collations", "[collation]") {
    CHECK(supported_collation("i;octet"));
    CHECK(supported_collation("i;ascii-casemap"));
    CHECK(supported_collation("i;unicode-casemap"));
    CHECK_FALSE(supported_collation("i;basic"));
    CHECK_FALSE(supported_collation("I;OCTET"));
    CHECK_FALSE(supported_collation(""));
}

TEST_CASE("RFC 6352 §10.5.4: match types", "[collation]") {
    CHECK(parse_match_type("equals") == MatchType::equals);
    CHECK(parse_match_type("contains") == MatchType::contains);
    CHECK(parse_match_type("starts-with") == MatchType::starts_with);
    CHECK(parse_match_type("ends-with") == MatchType::ends_with);
    CHECK_FALSE(parse_match_type("regex"));
    CHECK_FALSE(parse_match_type("Equals"));
    for (const char* collation : {"i;octet", "i;ascii-casemap", "i;unicode-casemap"}) {
        CAPTURE(collation);
        CHECK(text_matches("Johnny Appleseed", "Johnny Appleseed", collation, MatchType::equals));
        CHECK_FALSE(text_matches("Johnny Appleseed", "Johnny", collation, MatchType::equals));
        CHECK(text_matches("Johnny Appleseed", "ny Apple", collation, MatchType::contains));
        CHECK(text_matches("Johnny Appleseed", "Johnny", collation, MatchType::starts_with));
        CHECK_FALSE(text_matches("Johnny Appleseed", "seed", collation, MatchType::starts_with));
        CHECK(text_matches("Johnny Appleseed", "seed", collation, MatchType::ends_with));
        CHECK_FALSE(text_matches("Johnny Appleseed", "Johnny", collation, MatchType::ends_with));
        CHECK_FALSE(text_matches("seed", "Appleseed", collation, MatchType::ends_with));  // longer than the value
        CHECK(text_matches("anything", "", collation, MatchType::contains));  // the empty string is everywhere
        // RFC 4791 §9.7.5, RFC 6352 §10.5.4: negate-condition inverts the result.
        CHECK_FALSE(text_matches("Johnny Appleseed", "Apple", collation, MatchType::contains, true));
        CHECK(text_matches("Johnny Appleseed", "Pear", collation, MatchType::contains, true));
    }
}

TEST_CASE("RFC 4790 §9.3 i;octet and §9.2 i;ascii-casemap", "[collation]") {
    CHECK_FALSE(contains("Team Meeting", "meeting", "i;octet"));
    CHECK(contains("Team Meeting", "Meeting", "i;octet"));
    CHECK(contains("Team Meeting", "MEETING", "i;ascii-casemap"));
    CHECK(equal("Café", "CAFé", "i;ascii-casemap"));
    CHECK_FALSE(equal("Café", "CAFÉ", "i;ascii-casemap"));  // only a-z are mapped
    CHECK(comparison_form("a-z é", "i;ascii-casemap") == "A-Z é");
    CHECK(comparison_form("a\xFF", "i;octet") == "a\xFF");
    CHECK(comparison_form("abc", "i;unknown") == "abc");  // compares as i;octet; callers refuse it first
}

TEST_CASE("RFC 5051 §2: i;unicode-casemap maps to titlecase and decomposes", "[collation]") {
    CHECK(unicode_casemap("Hello") == "HELLO");
    CHECK(equal("ZOË ΔΗΜΗΤΡΊΟΥ", "Zoë Δημητρίου"));
    CHECK(equal("МАКСИМ ПЕТРОВ", "максим петров"));
    CHECK(equal("ŁUKASZ ŻÓŁĆ", "łukasz żółć"));
    CHECK(equal("ՀԱՅԵՐԵՆ", "հայերեն"));      // Armenian
    CHECK(equal("ⰀⰁ", "ⰰⰱ"));                // Glagolitic, beyond any hand-written table
    CHECK_FALSE(equal("Łukasz", "Lukasz"));  // Ł has no decomposition: a stroke is no diacritic
}

TEST_CASE("RFC 5051 §2: ß keeps its own titlecase", "[collation]") {
    // UnicodeData.txt gives ß no titlecase mapping ("Ss" is SpecialCasing.txt's, which RFC 5051 does
    // not use), so ß is not ss; it still compares without case beside the letters around it.
    CHECK_FALSE(equal("Straße", "STRASSE"));
    CHECK_FALSE(contains("Hauptstraße 1", "strasse"));
    CHECK(equal("Straße", "STRAßE"));
    CHECK(contains("HAUPTSTRAßE 1", "straße"));
    CHECK(unicode_casemap("ß") == "ß");
    // ẞ (U+1E9E) is a capital without a titlecase mapping, and ß has none to it: they stay apart.
    CHECK_FALSE(equal("ẞ", "ß"));
}

TEST_CASE("RFC 5051 §2: İ (U+0130) decomposes to I and a combining dot", "[collation]") {
    CHECK(unicode_casemap("İ") == "I\u0307");
    CHECK(equal("İstanbul", "i\u0307stanbul"));
    CHECK(equal("İSTANBUL", "i\u0307stanbul"));
    CHECK_FALSE(equal("İstanbul", "istanbul"));  // the dot stays
    CHECK(text_matches("İstanbul", "i", "i;unicode-casemap", MatchType::starts_with));
    // Dotless ı (U+0131) has I as its titlecase: without a locale it meets i.
    CHECK(equal("ı", "I"));
    CHECK(equal("ı", "i"));
}

TEST_CASE("RFC 5051 §2: Greek sigma in all three forms", "[collation]") {
    CHECK(equal("ς", "σ"));
    CHECK(equal("σ", "Σ"));
    CHECK(equal("ΣΊΣΥΦΟΣ", "σίσυφος"));  // final ς against Σ
    CHECK(text_matches("Σίσυφος", "ΟΣ", "i;unicode-casemap", MatchType::ends_with));
    CHECK(contains("ΟΔΥΣΣΕΥΣ", "σς"));
}

TEST_CASE("RFC 5051 §2: compatibility decomposition (full-width letters, ligatures)", "[collation]") {
    CHECK(equal("Ａ", "A"));
    CHECK(equal("Ａ", "a"));
    CHECK(equal("ａｂｃ", "ABC"));
    CHECK(equal("ＳＴＲＡßＥ", "straße"));
    CHECK(contains("Ｍｅｅｔｉｎｇ ｒｏｏｍ", "meeting"));
    // U+FB01 ﬁ has no titlecase and decomposes to f i, which (as in the RFC's U+01C4 example below)
    // are not titlecased again: ﬁ meets only ﬁ, neither "fi" (which becomes FI) nor "FI".
    CHECK(unicode_casemap("ﬁ") == "fi");
    CHECK(equal("ﬁsh", "ﬁSH"));
    CHECK_FALSE(equal("ﬁsh", "FISH"));
    CHECK_FALSE(equal("ﬁsh", "fish"));
    CHECK(equal("①", "1"));  // U+2460 CIRCLED DIGIT ONE
    // RFC 5051 §2's own example: U+01C4 has the titlecase U+01C5, which decomposes to U+0044 U+017E
    // and on to U+0044 U+007A U+030C; what a decomposition yields is not titlecased again.
    CHECK(unicode_casemap("\u01C4") ==
          "D"
          "z\u030C");
    CHECK(equal("Ǆ", "ǆ"));
    CHECK(equal("ǅ", "Ǆ"));
    CHECK_FALSE(equal("Ǆ", "DŽ"));
}

TEST_CASE("RFC 5051 §2: precomposed and combining accents meet", "[collation]") {
    CHECK(unicode_casemap("é") == "E\u0301");
    CHECK(equal("é", "e\u0301"));
    CHECK(equal("É", "e\u0301"));
    CHECK(equal("Café", "CAFE\u0301"));
    CHECK_FALSE(equal("Café", "Cafe"));                                                // the accent stays
    CHECK(text_matches("Café", "cafe", "i;unicode-casemap", MatchType::starts_with));  // a base letter is a prefix
    CHECK(equal("ǖ", "U\u0308\u0304"));                                                // decomposed all the way down
}

TEST_CASE("RFC 5051 §2: the form of a substring is a substring of the form", "[collation]") {
    // The card index (lib/store) narrows addressbook-query by it under all three collations.
    const std::string parts[] = {"Straße", "İ", "ς", "Ｍｅｅｔ", "ǅ", "e\u0301", "\xFF", "abc", "ﬁ"};
    for (const std::string& a : parts) {
        for (const std::string& b : parts) {
            CAPTURE(a, b);
            CHECK(unicode_casemap(a + b) == unicode_casemap(a) + unicode_casemap(b));
        }
    }
}

TEST_CASE("RFC 5051 §2 (1)(b): ill-formed UTF-8 compares byte for byte, never crashes", "[collation]") {
    // Each ill-formed byte becomes U+DC80+byte: well-formed text never yields a surrogate, so it
    // matches only the same byte, and the well-formed rest still compares without case.
    CHECK(unicode_casemap("caf\xE9") == "CAF\xED\xB3\xA9");
    CHECK(contains("caf\xE9 au lait", "AU LAIT"));
    CHECK(contains("caf\xE9", "caf\xE9"));
    CHECK_FALSE(contains("caf\xE9", "café"));                 // Latin-1 é is not UTF-8 é
    CHECK_FALSE(equal("\xC0\xAF", "/"));                      // overlong
    CHECK_FALSE(equal("\xED\xA0\x80", "\xED\xB2\x80"));       // a surrogate sent raw stays three escaped bytes
    CHECK(unicode_casemap("\xF4\x90\x80\x80").size() == 12);  // past U+10FFFF: four escaped bytes
    for (const char* broken : {"\xC3", "abc\xE2\x82", "\xF0\x9F\x98", "\x80\x80", "\xFE\xFF", "x\xC3(y"}) {
        CAPTURE(broken);
        CHECK(equal(broken, broken));
        CHECK(contains(std::string("prefix ") + broken + " suffix", broken));
        CHECK_FALSE(unicode_casemap(broken).empty());
    }
    CHECK(unicode_casemap("").empty());
}
