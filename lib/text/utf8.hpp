// UTF-8 (RFC 3629) one code point at a time, for the places that fold or escape text: the
// collations and vCard's text values.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace caldav::text {

// Appends code point `cp` as UTF-8.
void append_utf8(char32_t cp, std::string& out);

// The length of the well-formed UTF-8 sequence at `text[at]` (its code point in `cp`), or 0 when
// it is not one: overlong forms, surrogates and code points past U+10FFFF are not (RFC 3629 §3).
std::size_t decode_utf8(std::string_view text, std::size_t at, char32_t& cp);

}  // namespace caldav::text
