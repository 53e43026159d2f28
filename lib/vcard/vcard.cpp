// vCard 3.0 (RFC 2426) and 4.0 (RFC 6350) content lines: validation for PUT, parsing, the
// addressbook-query filter (RFC 6352 §10.5) and 3.0 <-> 4.0 conversion for address-data (§10.4).
#include "vcard/vcard.hpp"

#include "query/collation.hpp"
#include "text/utf8.hpp"

#include <algorithm>
#include <cstdio>

namespace caldav::vcard {

namespace {

using text::append_utf8;
using text::decode_utf8;

// ---- small text helpers -------------------------------------------------------------

char ascii_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

char ascii_upper(char c) {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = ascii_lower(c);
    return out;
}

std::string upper(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = ascii_upper(c);
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    }
    return true;
}

bool istarts_with(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

// iana-token / x-name (RFC 6350 §3.3), plus '_' which some exporters put in X- names.
bool is_name_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// ---- content lines --------------------------------------------------------------------------

// One logical line: the unfolded text, where it started, and what it says.
struct ContentLine {
    std::string text;
    std::size_t number = 0;  // 1-based physical line
    Property property;
};

// What a bare vCard 2.1-style parameter (`;WORK`, `;QUOTED-PRINTABLE`) stands for.
std::string bare_parameter_name(std::string_view value) {
    for (const char* encoding : {"QUOTED-PRINTABLE", "BASE64", "8BIT", "7BIT", "B"}) {
        if (iequals(value, encoding)) return "ENCODING";
    }
    return "TYPE";
}

// Parses one unfolded content line (RFC 6350 §3.3): [group "."] name *(";" param) ":" value.
bool parse_content_line(std::string_view text, Property& property, std::string& why) {
    std::size_t i = 0;
    auto token = [&] {
        std::size_t start = i;
        while (i < text.size() && is_name_char(text[i])) ++i;
        return text.substr(start, i - start);
    };
    auto unexpected = [&](const std::string& where) {  // names the whole character, even a multi-byte one
        char32_t cp;
        std::size_t length = std::max<std::size_t>(decode_utf8(text, i, cp), 1);
        why = "unexpected '" + std::string(text.substr(i, length)) + "' " + where;
        return false;
    };

    std::string_view name = token();
    if (i < text.size() && text[i] == '.' && !name.empty()) {
        property.group = std::string(name);
        ++i;
        name = token();
    }
    if (name.empty()) {
        if (i >= text.size()) {
            why = "no property name";
            return false;
        }
        return unexpected("where a property name should start");
    }
    property.name = upper(name);

    while (true) {
        if (i >= text.size()) {
            why = "no ':' after " + property.name + " (a content line is NAME[;PARAM=VALUE]:VALUE)";
            return false;
        }
        if (text[i] == ':') break;
        if (text[i] != ';') return unexpected("in the name of property " + property.name);
        ++i;
        std::string_view parameter = token();
        if (parameter.empty()) {
            if (i >= text.size()) {
                why = "a ';' with no parameter after it in property " + property.name;
                return false;
            }
            return unexpected("where a parameter name of property " + property.name + " should start");
        }
        if (i >= text.size() || text[i] != '=') {  // vCard 2.1 style: TEL;WORK;VOICE:
            property.parameters.emplace_back(bare_parameter_name(parameter), std::string(parameter));
            continue;
        }
        std::size_t start = ++i;
        while (true) {
            if (i < text.size() && text[i] == '"') {
                std::size_t close = text.find('"', i + 1);
                if (close == std::string_view::npos) {
                    why =
                        "unterminated quoted value of parameter " + upper(parameter) + " in property " + property.name;
                    return false;
                }
                i = close + 1;
            } else {
                while (i < text.size() && text[i] != ',' && text[i] != ';' && text[i] != ':') {
                    if (text[i] == '"') {
                        why = "a '\"' inside the unquoted value of parameter " + upper(parameter) + " in property " +
                              property.name;
                        return false;
                    }
                    ++i;
                }
            }
            if (i < text.size() && text[i] == ',') {
                ++i;
                continue;
            }
            break;
        }
        if (i < text.size() && text[i] != ';' && text[i] != ':') {
            return unexpected("after the quoted value of parameter " + upper(parameter) + " in property " +
                              property.name);
        }
        property.parameters.emplace_back(upper(parameter), std::string(text.substr(start, i - start)));
    }
    property.value = std::string(text.substr(i + 1));
    return true;
}

// The values of a parameter; TYPE lists are split inside quotes too, as RFC 6350 writes them
// (TYPE="work,voice", §6.4.1), since a TYPE value never holds a comma of its own.
std::vector<std::string> values_of(std::string_view name, std::string_view raw) {
    std::vector<std::string> values = parameter_values(raw);
    if (name != "TYPE") return values;
    std::vector<std::string> split;
    for (const auto& value : values) {
        std::size_t start = 0;
        while (true) {
            std::size_t comma = value.find(',', start);
            split.push_back(value.substr(start, comma - start));
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    return split;
}

bool has_parameter_value(const Property& property, std::string_view name, std::string_view value) {
    for (const auto& [parameter, raw] : property.parameters) {
        if (parameter != name) continue;
        for (const auto& one : values_of(parameter, raw)) {
            if (iequals(one, value)) return true;
        }
    }
    return false;
}

bool is_quoted_printable(const Property& property) {
    return has_parameter_value(property, "ENCODING", "QUOTED-PRINTABLE");
}

// A physical line that continues the one before it (RFC 6350 §3.2).
bool is_fold(std::string_view line) {
    return !line.empty() && (line.front() == ' ' || line.front() == '\t');
}

// Physical lines: LF or CRLF ends, a leading UTF-8 byte-order mark ignored.
std::vector<std::string_view> physical_lines(std::string_view bytes) {
    if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
    std::vector<std::string_view> lines;
    while (!bytes.empty()) {
        std::size_t end = bytes.find('\n');
        std::string_view line = bytes.substr(0, end);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.push_back(line);
        if (end == std::string_view::npos) break;
        bytes.remove_prefix(end + 1);
    }
    return lines;
}

// Unfolds and parses every content line of `bytes`. Quoted-printable values (vCard 2.1 habits kept
// by some 3.0 exporters) also continue after a soft line break, a '=' at the end of the line. Empty
// lines are skipped. A bad line stops the scan with `error` set, or is skipped when `lenient`.
bool scan(std::string_view bytes, bool lenient, std::vector<ContentLine>& out, std::string& error) {
    std::vector<std::string_view> lines = physical_lines(bytes);
    for (std::size_t i = 0; i < lines.size();) {
        ContentLine line;
        line.number = i + 1;
        if (lines[i].empty()) {
            ++i;
            continue;
        }
        if (is_fold(lines[i])) {
            ++i;
            if (lenient) continue;
            error = "line " + std::to_string(line.number) + ": starts with white space but continues no content line";
            return false;
        }
        line.text = std::string(lines[i++]);
        while (true) {
            while (i < lines.size() && is_fold(lines[i])) line.text.append(lines[i++].substr(1));
            if (i < lines.size() && !line.text.empty() && line.text.back() == '=' && !iequals(lines[i], "END:VCARD")) {
                Property header;
                std::string ignored;
                if (parse_content_line(line.text, header, ignored) && is_quoted_printable(header)) {
                    line.text.pop_back();
                    line.text.append(lines[i++]);
                    continue;
                }
            }
            break;
        }
        std::string why;
        for (char c : line.text) {
            auto byte = static_cast<unsigned char>(c);
            if ((byte < 0x20 && c != '\t') || byte == 0x7F) {
                char shown[8];
                std::snprintf(shown, sizeof shown, "0x%02X", byte);
                why = std::string("control character ") + shown;
                break;
            }
        }
        if (why.empty()) parse_content_line(line.text, line.property, why);
        if (!why.empty()) {
            if (lenient) continue;
            error = "line " + std::to_string(line.number) + ": " + why;
            return false;
        }
        out.push_back(std::move(line));
    }
    return true;
}

bool is_begin(const Property& property) {
    return property.name == "BEGIN" && iequals(trim(property.value), "VCARD");
}

bool is_end(const Property& property) {
    return property.name == "END" && iequals(trim(property.value), "VCARD");
}

// The content lines of the first vCard, BEGIN and END included (empty when there is none).
std::vector<ContentLine> first_card(std::string_view bytes) {
    std::vector<ContentLine> lines;
    std::string ignored;
    scan(bytes, true, lines, ignored);
    auto begin = std::find_if(lines.begin(), lines.end(), [](const ContentLine& l) { return is_begin(l.property); });
    if (begin == lines.end()) return {};
    std::vector<ContentLine> card;
    int depth = 0;
    for (auto line = begin; line != lines.end(); ++line) {
        if (is_begin(line->property)) ++depth;
        if (is_end(line->property)) --depth;
        card.push_back(std::move(*line));
        if (depth == 0) break;
    }
    return card;
}

// ---- values ---------------------------------------------------------------------------------

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

// RFC 2045 §6.7 quoted-printable; what is not a valid escape stays as it is.
std::string decode_quoted_printable(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '=' && i + 2 < text.size()) {
            int high = hex_digit(text[i + 1]), low = hex_digit(text[i + 2]);
            if (high >= 0 && low >= 0) {
                out += static_cast<char>(high * 16 + low);
                i += 2;
                continue;
            }
        }
        if (text[i] == '=' && i + 1 == text.size()) break;  // a soft line break left at the end
        out += text[i];
    }
    return out;
}

// RFC 6350 §3.4: \\ \, \; \n \N (and \: which some exporters write) stand for the character.
std::string unescape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) {
            char next = text[i + 1];
            if (next == 'n' || next == 'N') {
                out += '\n';
                ++i;
                continue;
            }
            if (next == '\\' || next == ',' || next == ';' || next == ':') {
                out += next;
                ++i;
                continue;
            }
        }
        out += text[i];
    }
    return out;
}

bool is_valid_utf8(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        char32_t cp;
        std::size_t length = decode_utf8(text, i, cp);
        if (length == 0) return false;
        i += length;
    }
    return true;
}

// ---- matching (RFC 6352 §10.5) --------------------------------------------------------------------

// The text-match test itself, without negate-condition (lib/query/collation). An unknown match-type
// (the XML reader refuses those first) tests as "contains".
bool text_matches(std::string_view value, const TextMatch& match) {
    query::MatchType type = query::parse_match_type(match.match_type).value_or(query::MatchType::contains);
    return query::text_matches(value, match.text, match.collation, type);
}

// RFC 6352 §10.5.2.
bool param_filter_matches(const Property& property, const ParamFilter& filter) {
    std::string name = upper(filter.name);
    bool defined = false;
    bool any = false;
    for (const auto& [parameter, raw] : property.parameters) {
        if (parameter != name) continue;
        defined = true;
        if (!filter.text_match) continue;
        for (const auto& value : values_of(parameter, raw)) any = any || text_matches(value, *filter.text_match);
    }
    if (filter.is_not_defined) return !defined;
    if (!defined) return false;
    if (!filter.text_match) return true;
    return any != filter.text_match->negate;
}

// One property against the tests of a prop-filter (RFC 6352 §10.5.1).
bool property_passes(const Property& property, const PropFilter& filter) {
    if (filter.text_matches.empty() && filter.param_filters.empty()) return true;
    std::string text = text_value(property);
    for (const auto& match : filter.text_matches) {
        bool passed = text_matches(text, match) != match.negate;
        if (passed != filter.all_of) return passed;  // allof: the first failure decides; anyof: the first success
    }
    for (const auto& param : filter.param_filters) {
        bool passed = param_filter_matches(property, param);
        if (passed != filter.all_of) return passed;
    }
    return filter.all_of;
}

bool has_name(const Property& property, std::string_view filter_name) {
    std::size_t dot = filter_name.find('.');
    if (dot == std::string_view::npos) return iequals(property.name, filter_name);
    return iequals(property.group, filter_name.substr(0, dot)) && iequals(property.name, filter_name.substr(dot + 1));
}

bool prop_filter_matches(const std::vector<Property>& card, const PropFilter& filter) {
    bool defined = false;
    for (const auto& property : card) {
        if (!has_name(property, filter.name)) continue;
        defined = true;
        if (filter.is_not_defined) break;
        if (property_passes(property, filter)) return true;
    }
    return filter.is_not_defined && !defined;
}

// ---- conversion (RFC 6352 §10.4) ------------------------------------------------------------------

std::string serialize(const Property& property) {
    std::string out;
    if (!property.group.empty()) out += property.group + ".";
    out += property.name;
    for (const auto& [name, value] : property.parameters) out += ";" + name + "=" + value;
    out += ":" + property.value;
    return out;
}

// Appends `line` with CRLF, folded at 75 octets (RFC 6350 §3.2) but never inside a UTF-8 sequence.
void append_folded_line(std::string_view line, std::string& out) {
    std::size_t limit = 75;
    while (line.size() > limit) {
        std::size_t cut = limit;
        while (cut > 1 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
        out.append(line.substr(0, cut));
        out += "\r\n ";
        line.remove_prefix(cut);
        limit = 74;  // the leading space counts
    }
    out.append(line);
    out += "\r\n";
}

void remove_parameter(Property& property, std::string_view name) {
    auto& parameters = property.parameters;
    parameters.erase(
        std::remove_if(parameters.begin(), parameters.end(), [&](const auto& p) { return p.first == name; }),
        parameters.end());
}

const std::string* find_parameter(const Property& property, std::string_view name) {
    for (const auto& [parameter, value] : property.parameters) {
        if (parameter == name) return &value;
    }
    return nullptr;
}

// Splits a raw parameter value at commas outside quotes, keeping each piece as sent.
std::vector<std::string> raw_pieces(std::string_view raw) {
    std::vector<std::string> pieces(1);
    bool quoted = false;
    for (char c : raw) {
        if (c == '"') quoted = !quoted;
        if (c == ',' && !quoted) {
            pieces.emplace_back();
        } else {
            pieces.back() += c;
        }
    }
    return pieces;
}

std::string join(const std::vector<std::string>& pieces) {
    std::string out;
    for (const auto& piece : pieces) out += (out.empty() ? "" : ",") + piece;
    return out;
}

bool is_binary_property(const Property& property) {
    return property.name == "PHOTO" || property.name == "LOGO" || property.name == "SOUND" || property.name == "KEY";
}

// The media type of an inline v3 value from its TYPE parameter, or from its first bytes.
std::string media_type(const Property& property) {
    const std::string* type = find_parameter(property, "TYPE");
    std::vector<std::string> values = type ? parameter_values(*type) : std::vector<std::string>{};
    std::string subtype = values.empty() ? std::string() : lower(values.front());
    if (subtype.find('/') != std::string::npos) return subtype;
    if (property.name == "KEY") {
        if (subtype == "pgp") return "application/pgp-keys";
        if (subtype == "x509") return "application/pkix-cert";
        return subtype.empty() ? "application/octet-stream" : "application/" + subtype;
    }
    if (property.name == "SOUND") return subtype.empty() ? "application/octet-stream" : "audio/" + subtype;
    if (!subtype.empty()) return "image/" + subtype;
    const std::string& data = property.value;
    if (data.rfind("/9j/", 0) == 0) return "image/jpeg";
    if (data.rfind("iVBORw0KGgo", 0) == 0) return "image/png";
    if (data.rfind("R0lGOD", 0) == 0) return "image/gif";
    return "application/octet-stream";
}

// The v3 TYPE value for a media type: image/jpeg -> JPEG, application/pgp-keys -> PGP.
std::string v3_type(std::string_view media) {
    if (iequals(media, "application/pgp-keys")) return "PGP";
    if (iequals(media, "application/pkix-cert") || iequals(media, "application/x-x509-ca-cert")) return "X509";
    std::size_t slash = media.find('/');
    return upper(slash == std::string_view::npos ? media : media.substr(slash + 1));
}

std::string latin1_to_utf8(std::string_view text) {
    std::string out;
    for (char c : text) append_utf8(static_cast<unsigned char>(c), out);
    return out;
}

// 3.0 -> 4.0 for one property; false when it stays as it is.
bool to_v4(Property& property) {
    bool changed = false;
    if (property.name == "VERSION") {
        property.value = "4.0";
        return true;
    }
    if (property.name == "X-ADDRESSBOOKSERVER-KIND") property.name = "KIND", changed = true;
    if (property.name == "X-ADDRESSBOOKSERVER-MEMBER") property.name = "MEMBER", changed = true;

    if (is_binary_property(property) &&
        (has_parameter_value(property, "ENCODING", "b") || has_parameter_value(property, "ENCODING", "BASE64"))) {
        property.value = "data:" + media_type(property) + ";base64," + property.value;
        remove_parameter(property, "ENCODING");
        remove_parameter(property, "TYPE");
        changed = true;
    } else if (is_quoted_printable(property)) {  // 4.0 has no ENCODING=QUOTED-PRINTABLE
        const std::string* charset = find_parameter(property, "CHARSET");
        std::string name = charset ? lower(parameter_values(*charset).front()) : std::string();
        std::string text = decode_quoted_printable(property.value);
        if (name == "iso-8859-1" || name == "latin1" || name == "windows-1252") text = latin1_to_utf8(text);
        bool known = name.empty() || name == "utf-8" || name == "utf8" || name == "us-ascii" || name == "iso-8859-1" ||
                     name == "latin1" || name == "windows-1252";
        bool controls = std::any_of(text.begin(), text.end(), [](char c) {
            auto byte = static_cast<unsigned char>(c);
            return (byte < 0x20 && c != '\t' && c != '\r' && c != '\n') || byte == 0x7F;
        });
        if (known && !controls && is_valid_utf8(text)) {
            std::string value;
            for (std::size_t i = 0; i < text.size(); ++i) {
                if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
                if (text[i] == '\r' || text[i] == '\n') {
                    value += "\\n";
                } else {
                    value += text[i];
                }
            }
            property.value = value;
            remove_parameter(property, "ENCODING");
            remove_parameter(property, "CHARSET");
            changed = true;
        }
    }

    bool preferred = false;
    for (auto parameter = property.parameters.begin(); parameter != property.parameters.end();) {
        if (parameter->first != "TYPE") {
            ++parameter;
            continue;
        }
        std::vector<std::string> values = values_of("TYPE", parameter->second), kept;
        for (const auto& value : values) {
            if (iequals(value, "pref")) {
                preferred = true;
            } else {
                kept.push_back(value.find_first_of(",;:") == std::string::npos ? value : '"' + value + '"');
            }
        }
        if (kept.size() == values.size()) {
            ++parameter;
        } else if (kept.empty()) {
            parameter = property.parameters.erase(parameter);
        } else {
            parameter->second = join(kept);
            ++parameter;
        }
    }
    if (preferred && !find_parameter(property, "PREF")) property.parameters.emplace_back("PREF", "1");
    return changed || preferred;
}

// 4.0 -> 3.0 for one property; false when it stays as it is.
bool to_v3(Property& property) {
    bool changed = false;
    if (property.name == "VERSION") {
        property.value = "3.0";
        return true;
    }
    if (property.name == "KIND") property.name = "X-ADDRESSBOOKSERVER-KIND", changed = true;
    if (property.name == "MEMBER") property.name = "X-ADDRESSBOOKSERVER-MEMBER", changed = true;

    if (is_binary_property(property)) {
        std::string_view value = property.value;
        std::size_t comma = value.find(',');
        std::size_t base64 = value.find(";base64,");
        if (istarts_with(value, "data:") && base64 != std::string_view::npos && base64 + 7 == comma) {
            std::string_view media = value.substr(5, base64 - 5);
            media = media.substr(0, media.find(';'));
            property.parameters.emplace_back("ENCODING", "b");
            if (!media.empty()) property.parameters.emplace_back("TYPE", v3_type(media));
            remove_parameter(property, "MEDIATYPE");
            property.value = std::string(value.substr(comma + 1));
            changed = true;
        } else if (!find_parameter(property, "VALUE")) {
            property.parameters.emplace_back("VALUE", "uri");  // 3.0's default for these is binary
            changed = true;
        }
    }

    const std::string* pref = find_parameter(property, "PREF");
    if (pref && trim(*pref) == "1") {
        remove_parameter(property, "PREF");
        auto type = std::find_if(property.parameters.begin(), property.parameters.end(),
                                 [](const auto& p) { return p.first == "TYPE"; });
        if (type != property.parameters.end() && type->second.size() > 1 && type->second.front() == '"' &&
            type->second.back() == '"') {
            type->second.insert(type->second.size() - 1, ",pref");  // TYPE="cell,voice" -> TYPE="cell,voice,pref"
        } else if (type != property.parameters.end()) {
            type->second += ",pref";
        } else {
            property.parameters.emplace_back("TYPE", "pref");
        }
        changed = true;
    }
    return changed;
}

}  // namespace

std::string casefold(std::string_view text) {
    return query::unicode_casemap(text);
}

bool is_indexed_property(std::string_view name) {
    return name == "FN" || name == "N" || name == "EMAIL" || name == "TEL" || name == "NICKNAME" || name == "ORG";
}

std::vector<std::pair<std::string, std::string>> index_fields(const std::vector<Property>& card) {
    std::vector<std::pair<std::string, std::string>> fields;
    for (const Property& property : card)
        if (is_indexed_property(property.name)) fields.emplace_back(property.name, casefold(text_value(property)));
    return fields;
}

const char* precondition_name(Precondition precondition) {
    switch (precondition) {
        case Precondition::supported_address_data:
            return "supported-address-data";
        case Precondition::valid_address_data:
            return "valid-address-data";
        case Precondition::none:
            break;
    }
    return "";
}

Validation validate(std::string_view bytes) {
    Validation result;
    auto fail = [&](std::string message) {
        result.failed = Precondition::valid_address_data;
        result.message = std::move(message);
        result.card = Card();
        return result;
    };
    auto at = [](std::size_t number) { return "line " + std::to_string(number) + ": "; };

    if (trim(bytes).empty()) return fail("the body is empty; a vCard starts with BEGIN:VCARD");
    std::size_t number = 1;
    for (std::size_t i = 0; i < bytes.size();) {
        char32_t cp;
        std::size_t length = decode_utf8(bytes, i, cp);
        if (length == 0) return fail(at(number) + "not UTF-8 (RFC 6350 §3.1)");
        if (cp == '\n') ++number;
        i += length;
    }

    std::vector<ContentLine> lines;
    std::string error;
    if (!scan(bytes, false, lines, error)) return fail(error);

    enum class State { before, inside, after } state = State::before;
    std::size_t begin_line = 0, version_line = 0, fn_line = 0, uid_line = 0;
    for (const auto& line : lines) {
        const Property& property = line.property;
        switch (state) {
            case State::before:
                if (!is_begin(property)) return fail(at(line.number) + "expected BEGIN:VCARD, found " + property.name);
                state = State::inside;
                begin_line = line.number;
                continue;
            case State::after:
                if (is_begin(property)) {
                    return fail(at(line.number) +
                                "a second vCard; an address object resource holds exactly one (RFC 6352 §5.1)");
                }
                return fail(at(line.number) + property.name + " after END:VCARD");
            case State::inside:
                break;
        }
        if (property.name == "BEGIN") {
            return fail(at(line.number) + "BEGIN:" + property.value + " inside the vCard begun on line " +
                        std::to_string(begin_line));
        }
        if (property.name == "END") {
            if (!is_end(property)) return fail(at(line.number) + "END:" + property.value + " where END:VCARD belongs");
            state = State::after;
            continue;
        }
        if (property.name == "VERSION") {
            if (version_line) {
                return fail(at(line.number) + "a second VERSION (the first is on line " + std::to_string(version_line) +
                            ")");
            }
            version_line = line.number;
            std::string_view version = trim(property.value);
            if (version == "2.1") {
                return fail(at(line.number) +
                            "VERSION:2.1: vCard 2.1 is not supported; CardDAV takes vCard 3.0 (RFC 2426) or 4.0 "
                            "(RFC 6350)");
            }
            if (version != "3.0" && version != "4.0") {
                return fail(at(line.number) + "VERSION:" + property.value + " is neither 3.0 nor 4.0");
            }
            result.card.version = std::string(version);
        } else if (property.name == "FN") {
            if (!fn_line) fn_line = line.number;
        } else if (property.name == "UID") {
            if (uid_line) {
                return fail(at(line.number) + "a second UID (the first is on line " + std::to_string(uid_line) + ")");
            }
            uid_line = line.number;
            if (trim(property.value).empty()) return fail(at(line.number) + "the UID is empty");
            result.card.uid = property.value;
        }
    }
    if (state == State::before) return fail("no BEGIN:VCARD");
    if (state == State::inside) return fail("no END:VCARD for the BEGIN:VCARD on line " + std::to_string(begin_line));
    if (!version_line) return fail("no VERSION in the vCard begun on line " + std::to_string(begin_line));
    if (!fn_line) {
        return fail("no FN in the vCard begun on line " + std::to_string(begin_line) +
                    " (FN is required: RFC 6350 §6.2.1, RFC 2426 §3.1.1)");
    }
    if (!uid_line) {
        return fail("no UID in the vCard begun on line " + std::to_string(begin_line) +
                    ": the UID is missing, and CardDAV needs one to keep address objects apart (RFC 6352 §6.3.2.3)");
    }
    return result;
}

std::vector<Property> parse(std::string_view bytes) {
    std::vector<ContentLine> card = first_card(bytes);
    std::size_t end = card.size();
    if (end > 1 && is_end(card.back().property)) --end;  // a card without END runs to the last line
    std::vector<Property> properties;
    for (std::size_t i = 1; i < end; ++i) properties.push_back(std::move(card[i].property));
    return properties;
}

std::string text_value(const Property& property) {
    if (is_quoted_printable(property)) return unescape(decode_quoted_printable(property.value));
    return unescape(property.value);
}

std::vector<std::string> parameter_values(std::string_view raw) {
    std::vector<std::string> values;
    for (const auto& piece : raw_pieces(raw)) {
        std::string_view text = piece;
        if (text.size() >= 2 && text.front() == '"' && text.back() == '"') text = text.substr(1, text.size() - 2);
        std::string value;
        for (std::size_t i = 0; i < text.size(); ++i) {  // RFC 6868
            if (text[i] == '^' && i + 1 < text.size()) {
                char next = text[i + 1];
                if (next == 'n' || next == 'N' || next == '^' || next == '\'') {
                    value += next == '^' ? '^' : next == '\'' ? '"' : '\n';
                    ++i;
                    continue;
                }
            }
            value += text[i];
        }
        values.push_back(std::move(value));
    }
    return values;
}

bool matches(const std::vector<Property>& card, const Filter& filter) {
    for (const auto& prop_filter : filter.prop_filters) {
        bool passed = prop_filter_matches(card, prop_filter);
        if (filter.all_of && !passed) return false;
        if (!filter.all_of && passed) return true;
    }
    return filter.all_of || filter.prop_filters.empty();
}

std::string convert(std::string_view bytes, std::string_view version) {
    if (version != "3.0" && version != "4.0") return std::string(bytes);
    std::vector<ContentLine> card = first_card(bytes);
    auto version_line =
        std::find_if(card.begin(), card.end(), [](const ContentLine& l) { return l.property.name == "VERSION"; });
    if (card.size() < 2 || version_line == card.end() || trim(version_line->property.value) == version) {
        return std::string(bytes);
    }
    bool to_4 = version == "4.0";
    std::string out;
    std::string version_text;
    std::vector<std::string> texts;
    for (std::size_t i = 0; i < card.size(); ++i) {
        ContentLine& line = card[i];
        bool edge = i == 0 || (i + 1 == card.size() && is_end(line.property));
        std::string text = line.text;
        if (!edge && (to_4 ? to_v4(line.property) : to_v3(line.property))) text = serialize(line.property);
        if (line.property.name == "VERSION" && !edge) {
            version_text = text;
        } else {
            texts.push_back(std::move(text));
        }
    }
    texts.insert(texts.begin() + 1, version_text);
    if (!is_end(card.back().property)) texts.push_back("END:VCARD");
    for (const auto& text : texts) append_folded_line(text, out);
    return out;
}

}  // namespace caldav::vcard
