// RFC 4790 and RFC 5051 collations for text-match. i;unicode-casemap needs the Unicode Character
// Database (titlecase mappings and decompositions, some 6,000 entries that change with each Unicode
// version): ICU has it, and libical already links it, so it is asked rather than copied into a table.
#include "query/collation.hpp"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/utf16.h>

#include "text/utf8.hpp"

namespace caldav::query {

using text::append_utf8;
using text::decode_utf8;

namespace {

const UNormalizer2* nfkd() {
    static const UNormalizer2* const instance = [] {
        UErrorCode status = U_ZERO_ERROR;
        const UNormalizer2* normalizer = unorm2_getNFKDInstance(&status);
        return U_SUCCESS(status) ? normalizer : nullptr;
    }();
    return instance;
}

// RFC 5051 §2 (2) for one code point: (a) its simple titlecase, (b) that one's decomposition of any
// type, recursively (ICU's full NFKD decomposition of a single code point). What the decomposition
// yields is not titlecased again: the RFC's own example maps U+01C4 to U+0044 U+007A U+030C.
void append_casemapped(UChar32 cp, std::string& out) {
    if (cp < 0x80) {
        out += static_cast<char>(cp >= 'a' && cp <= 'z' ? cp - 32 : cp);
        return;
    }
    UChar32 title = u_totitle(cp);
    UChar decomposition[64];
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2* normalizer = nfkd();
    int32_t length =
        normalizer == nullptr ? -1 : unorm2_getDecomposition(normalizer, title, decomposition, 64, &status);
    if (length < 0 || U_FAILURE(status)) {  // none (or none that fits: the longest is 18 code units)
        append_utf8(static_cast<char32_t>(title), out);
        return;
    }
    for (int32_t i = 0; i < length;) {
        UChar32 part = 0;
        U16_NEXT(decomposition, i, length, part);
        append_utf8(static_cast<char32_t>(part), out);
    }
}

std::string ascii_casemap(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    return out;
}

}  // namespace

std::optional<MatchType> parse_match_type(std::string_view name) {
    if (name == "equals") return MatchType::equals;
    if (name == "contains") return MatchType::contains;
    if (name == "starts-with") return MatchType::starts_with;
    if (name == "ends-with") return MatchType::ends_with;
    return std::nullopt;
}

bool supported_collation(std::string_view collation) {
    return collation == "i;octet" || collation == "i;ascii-casemap" || collation == "i;unicode-casemap";
}

std::string unicode_casemap(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        char32_t cp = 0;
        std::size_t length = decode_utf8(text, i, cp);
        if (length == 0) {  // ill-formed: the byte, escaped so that it matches only itself
            append_utf8(0xDC00 + static_cast<unsigned char>(text[i]), out);
            ++i;
            continue;
        }
        append_casemapped(static_cast<UChar32>(cp), out);
        i += length;
    }
    return out;
}

std::string comparison_form(std::string_view text, std::string_view collation) {
    if (collation == "i;unicode-casemap") return unicode_casemap(text);
    if (collation == "i;ascii-casemap") return ascii_casemap(text);
    return std::string(text);
}

bool text_matches(std::string_view value, std::string_view text, std::string_view collation, MatchType type,
                  bool negate) {
    std::string haystack = comparison_form(value, collation);
    std::string needle = comparison_form(text, collation);
    bool found = false;
    switch (type) {
        case MatchType::equals:
            found = haystack == needle;
            break;
        case MatchType::starts_with:
            found = haystack.compare(0, needle.size(), needle) == 0;
            break;
        case MatchType::ends_with:
            found = haystack.size() >= needle.size() &&
                    haystack.compare(haystack.size() - needle.size(), needle.size(), needle) == 0;
            break;
        case MatchType::contains:
            found = haystack.find(needle) != std::string::npos;
            break;
    }
    return found != negate;
}

}  // namespace caldav::query
