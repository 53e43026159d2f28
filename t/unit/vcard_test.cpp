// vCard content lines, validation (RFC 6352 §5.1, §6.3.2), the addressbook-query filter (§10.5)
// and 3.0 <-> 4.0 conversion (§10.4), on cards written the way real clients and exporters write them.
#include <catch2/catch.hpp>

#include <string>

#include "vcard/vcard.hpp"

using namespace caldav::vcard;

namespace {

// Apple Contacts (macOS/iOS) export: itemN groups with X-ABLabel, type= lower-case, repeated type
// parameters, X-AB* and X-SOCIALPROFILE, an inline JPEG folded with a space.
const char* const apple =
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "PRODID:-//Apple Inc.//macOS 14.4//EN\r\n"
    "N:Appleseed;Johnny;;;\r\n"
    "FN:Johnny Appleseed\r\n"
    "ORG:Apple Inc.;\r\n"
    "item1.EMAIL;type=INTERNET;type=pref:johnny@example.com\r\n"
    "item1.X-ABLabel:_$!<Other>!$_\r\n"
    "TEL;type=CELL;type=VOICE;type=pref:+1 (408) 555-0100\r\n"
    "item2.ADR;type=HOME;type=pref:;;1 Infinite Loop;Cupertino;CA;95014;United States\r\n"
    "item2.X-ABADR:us\r\n"
    "X-SOCIALPROFILE;type=twitter:http://twitter.com/johnny\r\n"
    "IMPP;X-SERVICE-TYPE=Skype;type=HOME;type=pref:skype:johnny\r\n"
    "NOTE:Line one\\nLine two\\, with a comma\r\n"
    "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHR\r\n"
    " ofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAAB\r\n"
    " AAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==\r\n"
    "X-ABShowAs:COMPANY\r\n"
    "UID:4D8E5E4A-7F2C-4C5B-9B1E-3A6A1F0C2D11\r\n"
    "X-ABUID:4D8E5E4A-7F2C-4C5B-9B1E-3A6A1F0C2D11:ABPerson\r\n"
    "END:VCARD\r\n";

const char* const apple_photo =
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHR"
    "ofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAAB"
    "AAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==";

// Apple group card: vCard 3.0 has no KIND, so the Apple server extension names carry it.
const char* const apple_group =
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "PRODID:-//Apple Inc.//AddressBook 6.1//EN\r\n"
    "N:Friends\r\n"
    "FN:Friends\r\n"
    "X-ADDRESSBOOKSERVER-KIND:group\r\n"
    "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:4D8E5E4A-7F2C-4C5B-9B1E-3A6A1F0C2D11\r\n"
    "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:b6f0a1c2-0000-4000-8000-000000000002\r\n"
    "UID:7A1C1E3B-GROUP-0001\r\n"
    "END:VCARD\r\n";

// Google Contacts export: bare LF line ends, TYPE=INTERNET, itemN.X-ABLabel, a CATEGORIES list.
const char* const google =
    "BEGIN:VCARD\n"
    "VERSION:3.0\n"
    "FN:Zoë Δημητρίου\n"
    "N:Δημητρίου;Zoë;;;\n"
    "EMAIL;TYPE=INTERNET;TYPE=HOME:zoe@example.org\n"
    "EMAIL;TYPE=INTERNET;TYPE=WORK:z.dimitriou@example.net\n"
    "TEL;TYPE=CELL:+30 69 1234 5678\n"
    "item1.URL:https\\://example.org/zoe\n"
    "item1.X-ABLabel:PROFILE\n"
    "BDAY:1988-04-12\n"
    "CATEGORIES:myContacts,Friends\n"
    "UID:c2a1b1d0e9f8a7b6\n"
    "END:VCARD\n";

// Outlook-style export: says VERSION:3.0 but keeps vCard 2.1 habits: bare parameters, CHARSET,
// QUOTED-PRINTABLE values with '=' soft line breaks that are not folds, and a blank line.
const char* const outlook =
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "N;CHARSET=utf-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen\r\n"
    "FN;CHARSET=utf-8;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen M=C3=BCller\r\n"
    "ORG:Contoso Ltd.\r\n"
    "TEL;WORK;VOICE:+49 30 1234567\r\n"
    "EMAIL;PREF;INTERNET:juergen.mueller@contoso.example\r\n"
    "NOTE;ENCODING=QUOTED-PRINTABLE:Erste Zeile=0D=0AZweite Zeile mit einem sehr langen Text, der =\r\n"
    "umgebrochen wurde=0D=0ADritte\r\n"
    "ADR;WORK;QUOTED-PRINTABLE:;;Stra=C3=9Fe 1;Berlin;;10115;Deutschland\r\n"
    "X-MS-OL-DEFAULT-POSTAL-ADDRESS:2\r\n"
    "X-MS-CARDPICTURE;TYPE=JPEG;ENCODING=BASE64:\r\n"
    " /9j/4AAQSkZJRgABAQAAAQABAAD\r\n"
    "\r\n"
    "UID:outlook-0000000000000001\r\n"
    "REV:20240101T120000Z\r\n"
    "END:VCARD\r\n";

// Nextcloud (SabreDAV) 3.0: PRODID, a quoted parameter value holding ':;,' and REV.
const char* const nextcloud =
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "PRODID:-//Sabre//Sabre VObject 4.5.4//EN\r\n"
    "UID:nc-6f1e2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b\r\n"
    "FN:Ada Lovelace\r\n"
    "N:Lovelace;Ada;;Countess;\r\n"
    "ADR;TYPE=HOME;LABEL=\"12 St James's Square\\nLondon: SW1Y; UK, Europe\":;;12 St James's Square;Londo\r\n"
    " n;;SW1Y 4LE;United Kingdom\r\n"
    "EMAIL;TYPE=HOME:ada@example.com\r\n"
    "X-NEXTCLOUD-FAVORITE:1\r\n"
    "CATEGORIES:Mathematics,Engines\r\n"
    "REV;VALUE=DATE-AND-OR-TIME:20240315T101010Z\r\n"
    "END:VCARD\r\n";

// DAVx5 (ez-vcard) 4.0 individual with a data: URI photo, PREF and lower-case TYPE lists.
const char* const davx5 =
    "BEGIN:VCARD\r\n"
    "VERSION:4.0\r\n"
    "PRODID:ez-vcard 0.11.3\r\n"
    "UID:urn:uuid:b6f0a1c2-0000-4000-8000-000000000002\r\n"
    "FN:Максим Петров\r\n"
    "N:Петров;Максим;;;\r\n"
    "TEL;TYPE=cell;PREF=1:+7 495 123-45-67\r\n"
    "EMAIL;TYPE=\"home,internet\":maksim@example.ru\r\n"
    "PHOTO:data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk\r\n"
    " +M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==\r\n"
    "X-DAVDROID-NICKNAME:Макс\r\n"
    "END:VCARD\r\n";

// DAVx5 4.0 group (KIND/MEMBER, the "VCard4 with groups as KIND" method).
const char* const davx5_group =
    "BEGIN:VCARD\r\n"
    "VERSION:4.0\r\n"
    "UID:urn:uuid:group-0000-4000-8000-000000000003\r\n"
    "FN:Chess club\r\n"
    "KIND:group\r\n"
    "MEMBER:urn:uuid:b6f0a1c2-0000-4000-8000-000000000002\r\n"
    "MEMBER:urn:uuid:4D8E5E4A-7F2C-4C5B-9B1E-3A6A1F0C2D11\r\n"
    "END:VCARD\r\n";

std::string with(std::string text, const std::string& from, const std::string& to) {
    auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

const Property* find(const std::vector<Property>& card, const std::string& name) {
    for (const auto& p : card) {
        if (p.name == name) return &p;
    }
    return nullptr;
}

TextMatch text(std::string value, std::string match_type = "contains", std::string collation = "i;unicode-casemap",
               bool negate = false) {
    TextMatch m;
    m.text = std::move(value);
    m.match_type = std::move(match_type);
    m.collation = std::move(collation);
    m.negate = negate;
    return m;
}

PropFilter prop(std::string name, std::vector<TextMatch> matches = {}) {
    PropFilter f;
    f.name = std::move(name);
    f.text_matches = std::move(matches);
    return f;
}

bool query(const char* card, Filter filter) {
    return matches(parse(card), filter);
}

bool query(const char* card, PropFilter one) {
    Filter filter;
    filter.prop_filters.push_back(std::move(one));
    return query(card, filter);
}

void require_invalid(const std::string& card, const std::string& says) {
    Validation v = validate(card);
    INFO(card);
    CHECK(v.failed == Precondition::valid_address_data);
    CHECK_THAT(v.message, Catch::Contains(says));
    CHECK(v.card.uid.empty());
}

}  // namespace

TEST_CASE("precondition names are the RFC 6352 element names", "[vcard]") {
    CHECK(std::string(precondition_name(Precondition::supported_address_data)) == "supported-address-data");
    CHECK(std::string(precondition_name(Precondition::valid_address_data)) == "valid-address-data");
    CHECK(std::string(precondition_name(Precondition::none)).empty());
}

TEST_CASE("RFC 6352 §6.3.2: vendors' cards validate with their UID and version", "[vcard]") {
    struct Case {
        const char* name;
        const char* card;
        const char* uid;
        const char* version;
    };
    const Case cases[] = {
        {"Apple Contacts", apple, "4D8E5E4A-7F2C-4C5B-9B1E-3A6A1F0C2D11", "3.0"},
        {"Apple group", apple_group, "7A1C1E3B-GROUP-0001", "3.0"},
        {"Google (LF)", google, "c2a1b1d0e9f8a7b6", "3.0"},
        {"Outlook quoted-printable", outlook, "outlook-0000000000000001", "3.0"},
        {"Nextcloud", nextcloud, "nc-6f1e2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b", "3.0"},
        {"DAVx5 4.0", davx5, "urn:uuid:b6f0a1c2-0000-4000-8000-000000000002", "4.0"},
        {"DAVx5 group", davx5_group, "urn:uuid:group-0000-4000-8000-000000000003", "4.0"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        Validation v = validate(c.card);
        CHECK(v.message == "");
        CHECK(v.failed == Precondition::none);
        CHECK(v.card.uid == c.uid);
        CHECK(v.card.version == c.version);
    }
}

TEST_CASE("RFC 6350 §3.2: folds with space or tab, lower-case BEGIN/END, a byte-order mark, no final newline",
          "[vcard]") {
    std::string card =
        "\xEF\xBB\xBF"
        "begin:vcard\r\nversion:4.0\r\nfn:Lo\r\n\tng Name\r\nuid:u\r\n 1\r\nend:VCard";
    Validation v = validate(card);
    CHECK(v.message == "");
    CHECK(v.card.uid == "u1");
    auto properties = parse(card);
    REQUIRE(properties.size() == 3);
    CHECK(properties[1].name == "FN");
    CHECK(properties[1].value == "Long Name");
}

TEST_CASE("RFC 6350 §3.3: groups, parameters, quoted values with ':;,', multiple values", "[vcard]") {
    auto card = parse(nextcloud);
    const Property* adr = find(card, "ADR");
    REQUIRE(adr);
    REQUIRE(adr->parameters.size() == 2);
    CHECK(adr->parameters[0] == std::pair<std::string, std::string>("TYPE", "HOME"));
    CHECK(adr->parameters[1].first == "LABEL");
    CHECK(adr->parameters[1].second == "\"12 St James's Square\\nLondon: SW1Y; UK, Europe\"");
    CHECK(parameter_values(adr->parameters[1].second) ==
          std::vector<std::string>{"12 St James's Square\\nLondon: SW1Y; UK, Europe"});
    CHECK(adr->value == ";;12 St James's Square;London;;SW1Y 4LE;United Kingdom");

    auto apple_card = parse(apple);
    CHECK(apple_card.front().name == "VERSION");  // BEGIN excluded
    CHECK(apple_card.back().name == "X-ABUID");   // END excluded
    const Property* email = find(apple_card, "EMAIL");
    REQUIRE(email);
    CHECK(email->group == "item1");
    CHECK(email->parameters.size() == 2);
    CHECK(email->parameters[1] == std::pair<std::string, std::string>("TYPE", "pref"));
    const Property* photo = find(apple_card, "PHOTO");
    REQUIRE(photo);
    CHECK(photo->value == apple_photo);  // three physical lines, folds removed

    CHECK(parameter_values("work,\"a,b\",home") == std::vector<std::string>{"work", "a,b", "home"});
    CHECK(parameter_values("\"^'quoted^' ^^ and^nnewline\"") ==
          std::vector<std::string>{"\"quoted\" ^ and\nnewline"});  // RFC 6868

    auto d = parse(davx5);
    const Property* e = find(d, "EMAIL");
    REQUIRE(e);
    CHECK(parameter_values(e->parameters[0].second) == std::vector<std::string>{"home,internet"});
}

TEST_CASE("vCard 2.1 habits in a 3.0 card: bare parameters and quoted-printable soft line breaks", "[vcard]") {
    auto card = parse(outlook);
    const Property* tel = find(card, "TEL");
    REQUIRE(tel);
    CHECK(tel->parameters == std::vector<std::pair<std::string, std::string>>{{"TYPE", "WORK"}, {"TYPE", "VOICE"}});
    const Property* note = find(card, "NOTE");
    REQUIRE(note);
    CHECK(text_value(*note) ==
          "Erste Zeile\r\nZweite Zeile mit einem sehr langen Text, der umgebrochen wurde\r\nDritte");
    const Property* adr = find(card, "ADR");
    REQUIRE(adr);
    CHECK(adr->parameters[1] == std::pair<std::string, std::string>("ENCODING", "QUOTED-PRINTABLE"));
    CHECK(text_value(*adr) == ";;Straße 1;Berlin;;10115;Deutschland");
    CHECK(text_value(*find(card, "FN")) == "Jürgen Müller");
    CHECK(find(card, "UID")->value == "outlook-0000000000000001");  // the soft break did not swallow it
}

TEST_CASE("RFC 6350 §3.4: text values are unescaped for comparison, raw values are kept", "[vcard]") {
    auto card = parse(apple);
    const Property* note = find(card, "NOTE");
    REQUIRE(note);
    CHECK(note->value == "Line one\\nLine two\\, with a comma");
    CHECK(text_value(*note) == "Line one\nLine two, with a comma");
    CHECK(text_value(*find(parse(google), "URL")) == "https://example.org/zoe");
}

TEST_CASE("RFC 6352 §5.1, §6.3.2: invalid cards fail with valid-address-data and say where", "[vcard]") {
    const std::string good = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nUID:a\r\nEND:VCARD\r\n";
    REQUIRE(validate(good).failed == Precondition::none);

    require_invalid("", "empty");
    require_invalid("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nUID:a\r\n", "no END:VCARD for the BEGIN:VCARD on line 1");
    require_invalid(good + good, "line 6: a second vCard");
    require_invalid(with(good, "FN:A\r\n", ""), "no FN");
    require_invalid(with(good, "UID:a\r\n", ""), "UID is missing");
    require_invalid(with(good, "UID:a\r\n", "UID:\r\n"), "line 4: the UID is empty");
    require_invalid(with(good, "VERSION:3.0", "VERSION:2.1"), "line 2: VERSION:2.1: vCard 2.1 is not supported");
    require_invalid(with(good, "VERSION:3.0\r\n", ""), "no VERSION");
    require_invalid(with(good, "VERSION:3.0", "VERSION:5.0"), "neither 3.0 nor 4.0");
    require_invalid(with(good, "FN:A\r\n", "FN:A\r\nNOTE without a colon\r\n"), "line 4: unexpected ' '");
    require_invalid(with(good, "FN:A\r\n", "FN:A\r\nTEL\r\n"), "line 4: no ':' after TEL");
    require_invalid(with(good, "FN:A\r\n", "FN:A\r\nADR;LABEL=\"unterminated;x:y\r\n"),
                    "line 4: unterminated quoted value of parameter LABEL");
    require_invalid(with(good, "FN:A\r\n", "FN:A\r\nEMAIL;TYPE=a\"b:x@y\r\n"), "line 4: a '\"' inside the unquoted");
    require_invalid(with(good, "FN:A\r\n", "FN:A\r\nUID:b\r\n"), "line 5: a second UID (the first is on line 4)");
    require_invalid(with(good, "FN:A\r\n", "FN:A\r\nBEGIN:VCARD\r\n"), "line 4: BEGIN:VCARD inside the vCard");
    require_invalid(with(good, "END:VCARD", "END:VCALENDAR"), "END:VCALENDAR where END:VCARD belongs");
    require_invalid("VERSION:3.0\r\n" + good, "line 1: expected BEGIN:VCARD, found VERSION");
    require_invalid(good + "NOTE:stray\r\n", "line 6: NOTE after END:VCARD");
    require_invalid(" folded\r\n" + good, "line 1: starts with white space");
    require_invalid(with(good, "FN:A", "FN:A\x01"), "line 3: control character 0x01");
    require_invalid(with(good, "FN:A", "FN:\xC3("), "line 3: not UTF-8");
    require_invalid(with(good, "FN:A", "FN:\xE9t\xE9"), "line 3: not UTF-8");  // Latin-1
    require_invalid(with(good, "FN:A\r\n", "FN:A\r\n;X=1:v\r\n"), "where a property name should start");
    require_invalid(with(good, "FN:A\r\n", "FN:A\r\nX-Ä:v\r\n"), "unexpected 'Ä'");
}

TEST_CASE("validation never needs to rewrite: inline photos, URIs, X- properties of every vendor", "[vcard]") {
    const std::string card =
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:X\r\nUID:x\r\n"
        "PHOTO;VALUE=uri:https://example.com/p.jpg\r\n"
        "LOGO;ENCODING=BASE64;TYPE=PNG:iVBORw0KGgo=\r\n"
        "X-EVOLUTION-FILE-AS:X\r\n"
        "X-KADDRESSBOOK-BlogFeed:https://example.com/feed\r\n"
        "X-GOOGLE-TALK;TYPE=HOME:x@gmail.com\r\n"
        "X-THUNDERBIRD-ETAG:\"abc\"\r\n"
        "X-EMPTY:\r\n"
        "END:VCARD\r\n";
    CHECK(validate(card).failed == Precondition::none);
}

// ---- RFC 6352 §10.5 -------------------------------------------------------------------------

TEST_CASE("RFC 6352 §10.5: an empty filter matches every card", "[vcard]") {
    CHECK(query(apple, Filter()));
    Filter all;
    all.all_of = true;
    CHECK(query(apple, all));
}

TEST_CASE("RFC 6352 §10.5.1: prop-filter without tests matches when the property exists", "[vcard]") {
    CHECK(query(apple, prop("EMAIL")));
    CHECK(query(apple, prop("email")));  // names are case-insensitive
    CHECK(query(apple, prop("X-ABLabel")));
    CHECK_FALSE(query(google, prop("PHOTO")));
    CHECK(query(apple, prop("item2.ADR")));  // a grouped filter name looks at the group too
    CHECK_FALSE(query(apple, prop("item1.ADR")));
}

TEST_CASE("RFC 6352 §10.5.1: is-not-defined", "[vcard]") {
    PropFilter no_photo = prop("PHOTO");
    no_photo.is_not_defined = true;
    CHECK(query(google, no_photo));
    CHECK_FALSE(query(apple, no_photo));
}

TEST_CASE("RFC 6352 §10.5.4: match types equals, contains, starts-with, ends-with", "[vcard]") {
    CHECK(query(apple, prop("FN", {text("Johnny Appleseed", "equals")})));
    CHECK_FALSE(query(apple, prop("FN", {text("Johnny", "equals")})));
    CHECK(query(apple, prop("FN", {text("ny apple", "contains")})));
    CHECK(query(apple, prop("FN", {text("john", "starts-with")})));
    CHECK_FALSE(query(apple, prop("FN", {text("seed", "starts-with")})));
    CHECK(query(apple, prop("FN", {text("SEED", "ends-with")})));
    CHECK_FALSE(query(apple, prop("FN", {text("john", "ends-with")})));
    CHECK(query(apple, prop("FN", {text("", "contains")})));
    // Any EMAIL of the card may match.
    CHECK(query(google, prop("EMAIL", {text("example.net", "ends-with")})));
    // Structured values are compared as their whole text.
    CHECK(query(apple, prop("N", {text("Appleseed;Johnny", "starts-with")})));
    // Escapes are undone before comparing.
    CHECK(query(apple, prop("NOTE", {text("two, with", "contains")})));
    CHECK(query(apple, prop("NOTE", {text("one\nline", "contains")})));
    CHECK(query(google, prop("URL", {text("https://example.org/", "starts-with")})));
    // Quoted-printable values are decoded.
    CHECK(query(outlook, prop("FN", {text("jürgen müller", "equals")})));
}

TEST_CASE("RFC 6352 §10.5.4: negate-condition", "[vcard]") {
    CHECK_FALSE(query(apple, prop("FN", {text("johnny", "contains", "i;unicode-casemap", true)})));
    CHECK(query(apple, prop("FN", {text("zoe", "contains", "i;unicode-casemap", true)})));
    // Judged per property: Google's card has an EMAIL that is not at example.org.
    CHECK(query(google, prop("EMAIL", {text("example.org", "ends-with", "i;unicode-casemap", true)})));
    CHECK_FALSE(query(apple, prop("EMAIL", {text("example.com", "ends-with", "i;unicode-casemap", true)})));
    // A negated test on a missing property does not match: the prop-filter needs the property.
    CHECK_FALSE(query(google, prop("NICKNAME", {text("x", "contains", "i;unicode-casemap", true)})));
}

TEST_CASE("RFC 6352 §10.5.4, RFC 4790 §9.3, RFC 5051: collations", "[vcard]") {
    // i;octet is exact.
    CHECK(query(apple, prop("FN", {text("Johnny", "starts-with", "i;octet")})));
    CHECK_FALSE(query(apple, prop("FN", {text("johnny", "starts-with", "i;octet")})));
    // i;ascii-casemap folds ASCII only.
    CHECK(query(apple, prop("FN", {text("JOHNNY", "starts-with", "i;ascii-casemap")})));
    CHECK_FALSE(query(google, prop("FN", {text("ZOË", "starts-with", "i;ascii-casemap")})));
    CHECK(query(google, prop("FN", {text("ZOë", "starts-with", "i;ascii-casemap")})));
    // i;unicode-casemap (the default, lib/query/collation) maps case in every script.
    CHECK(query(google, prop("FN", {text("ZOË ΔΗΜΗΤΡΊΟΥ", "equals")})));
    CHECK(query(davx5, prop("FN", {text("МАКСИМ", "starts-with")})));
    CHECK(query(davx5, prop("FN", {text("петров", "ends-with")})));
    // RFC 5051 §2 takes titlecase from UnicodeData.txt, where ß has none: ß is not ss.
    CHECK_FALSE(query(outlook, prop("ADR", {text("STRASSE 1", "contains")})));
    CHECK(query(outlook, prop("ADR", {text("STRAßE 1", "contains")})));
    const char* const extended =
        "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:e\r\nFN:Łukasz Żółć Ščuka Őrs Ÿves Ђорђе Σίσυφος\r\nEND:VCARD\r\n";
    CHECK(query(extended, prop("FN", {text("łukasz żółć ščuka őrs ÿves ђорђе σίσυφοσ", "equals")})));
    CHECK(query(extended, prop("FN", {text("ΣΊΣΥΦΟΣ", "ends-with")})));         // final sigma
    CHECK_FALSE(query(extended, prop("FN", {text("lukasz", "starts-with")})));  // no accent folding
}

TEST_CASE("RFC 6352 §10.5.1: prop-filter test anyof/allof over text-matches and param-filters", "[vcard]") {
    PropFilter any = prop("FN", {text("nobody"), text("Johnny")});
    CHECK(query(apple, any));
    PropFilter all = any;
    all.all_of = true;
    CHECK_FALSE(query(apple, all));
    all.text_matches = {text("Johnny"), text("Appleseed")};
    CHECK(query(apple, all));

    // allof applies to one property at a time: no single EMAIL is both home and at example.net.
    PropFilter email = prop("EMAIL", {text("example.net", "ends-with")});
    email.all_of = true;
    ParamFilter home;
    home.name = "TYPE";
    home.text_match = text("HOME", "equals");
    email.param_filters.push_back(home);
    CHECK_FALSE(query(google, email));
    email.text_matches = {text("example.org", "ends-with")};
    CHECK(query(google, email));
}

TEST_CASE("RFC 6352 §10.5.2: param-filter", "[vcard]") {
    ParamFilter pref;
    pref.name = "type";
    pref.text_match = text("pref", "equals");
    PropFilter tel = prop("TEL");
    tel.param_filters.push_back(pref);
    CHECK(query(apple, tel));
    CHECK_FALSE(query(google, tel));

    ParamFilter defined;
    defined.name = "X-SERVICE-TYPE";
    PropFilter impp = prop("IMPP");
    impp.param_filters.push_back(defined);
    CHECK(query(apple, impp));

    ParamFilter not_defined;
    not_defined.name = "LABEL";
    not_defined.is_not_defined = true;
    PropFilter adr = prop("ADR");
    adr.param_filters.push_back(not_defined);
    CHECK_FALSE(query(nextcloud, adr));
    CHECK(query(apple, adr));

    // Multiple values in one parameter (quoted list) and RFC 6350 lower-case values.
    ParamFilter internet;
    internet.name = "TYPE";
    internet.text_match = text("INTERNET", "equals");
    PropFilter email = prop("EMAIL");
    email.param_filters.push_back(internet);
    CHECK(query(davx5, email));
    // Negated over all the parameter's values: home,internet holds "internet".
    email.param_filters[0].text_match->negate = true;
    CHECK_FALSE(query(davx5, email));
    // A quoted value with ':;,' is one value.
    ParamFilter label;
    label.name = "LABEL";
    label.text_match = text("London: SW1Y; UK, Europe", "contains");
    PropFilter labelled = prop("ADR");
    labelled.param_filters.push_back(label);
    CHECK(query(nextcloud, labelled));
    // 2.1-style bare parameters count as TYPE.
    ParamFilter work;
    work.name = "TYPE";
    work.text_match = text("work", "equals");
    PropFilter outlook_tel = prop("TEL");
    outlook_tel.param_filters.push_back(work);
    CHECK(query(outlook, outlook_tel));
}

TEST_CASE("RFC 6352 §10.5: filter test anyof/allof over prop-filters", "[vcard]") {
    Filter filter;
    filter.prop_filters.push_back(prop("FN", {text("johnny")}));
    filter.prop_filters.push_back(prop("EMAIL", {text("nowhere.example")}));
    CHECK(query(apple, filter));
    filter.all_of = true;
    CHECK_FALSE(query(apple, filter));
    filter.prop_filters[1] = prop("EMAIL", {text("johnny@")});
    CHECK(query(apple, filter));
    CHECK_FALSE(query(google, filter));
}

TEST_CASE("RFC 6352 §10.5: group cards are found by KIND or the Apple extension", "[vcard]") {
    CHECK(query(davx5_group, prop("KIND", {text("group", "equals")})));
    CHECK(query(apple_group, prop("X-ADDRESSBOOKSERVER-KIND", {text("group", "equals")})));
    CHECK(query(apple_group, prop("X-ADDRESSBOOKSERVER-MEMBER", {text("b6f0a1c2", "contains")})));
    CHECK_FALSE(query(apple, prop("X-ADDRESSBOOKSERVER-KIND")));
}

// ---- RFC 6352 §10.4 -------------------------------------------------------------------------

namespace {

// Every physical line ends in CRLF and is at most 75 octets, and no fold splits a UTF-8 sequence.
void check_folding(const std::string& out) {
    std::size_t start = 0;
    while (start < out.size()) {
        std::size_t end = out.find("\r\n", start);
        REQUIRE(end != std::string::npos);
        CHECK(end - start <= 75);
        if (end + 2 < out.size() && out[end + 2] == ' ') {
            CHECK((static_cast<unsigned char>(out[end + 3]) & 0xC0) != 0x80);
        }
        start = end + 2;
    }
    CHECK(out.find('\n') == out.find("\r\n") + 1);
}

}  // namespace

TEST_CASE("RFC 6352 §10.4: conversion to the same or an unknown version returns the bytes", "[vcard]") {
    CHECK(convert(google, "3.0") == google);
    CHECK(convert(davx5, "4.0") == davx5);
    CHECK(convert(apple, "2.1") == apple);
    CHECK(convert("not a card", "4.0") == "not a card");
}

TEST_CASE("RFC 6352 §10.4: 3.0 -> 4.0 rewrites VERSION, photos, pref, Apple groups, quoted-printable", "[vcard]") {
    std::string v4 = convert(apple, "4.0");
    check_folding(v4);
    Validation v = validate(v4);
    CHECK(v.message == "");
    CHECK(v.card.version == "4.0");
    CHECK(v.card.uid == "4D8E5E4A-7F2C-4C5B-9B1E-3A6A1F0C2D11");
    CHECK(v4.rfind("BEGIN:VCARD\r\nVERSION:4.0\r\n", 0) == 0);

    auto card = parse(v4);
    const Property* photo = find(card, "PHOTO");
    REQUIRE(photo);
    CHECK(photo->parameters.empty());
    CHECK(photo->value.rfind("data:image/jpeg;base64,/9j/4AAQ", 0) == 0);
    CHECK(photo->value == std::string("data:image/jpeg;base64,") + apple_photo);
    const Property* email = find(card, "EMAIL");
    REQUIRE(email);
    CHECK(email->group == "item1");
    CHECK(email->parameters == std::vector<std::pair<std::string, std::string>>{{"TYPE", "INTERNET"}, {"PREF", "1"}});
    // Unknown properties pass through as they were.
    CHECK(v4.find("item1.X-ABLabel:_$!<Other>!$_\r\n") != std::string::npos);
    CHECK(v4.find("X-ABUID:4D8E5E4A-7F2C-4C5B-9B1E-3A6A1F0C2D11:ABPerson\r\n") != std::string::npos);
    CHECK(v4.find("NOTE:Line one\\nLine two\\, with a comma\r\n") != std::string::npos);

    std::string group = convert(apple_group, "4.0");
    CHECK(group.find("\r\nKIND:group\r\n") != std::string::npos);
    CHECK(group.find("\r\nMEMBER:urn:uuid:b6f0a1c2-0000-4000-8000-000000000002\r\n") != std::string::npos);
    CHECK(group.find("X-ADDRESSBOOKSERVER") == std::string::npos);

    std::string qp = convert(outlook, "4.0");
    CHECK(validate(qp).failed == Precondition::none);
    check_folding(qp);
    auto converted = parse(qp);
    CHECK(find(converted, "FN")->value == "Jürgen Müller");
    CHECK(find(converted, "FN")->parameters.empty());
    CHECK(find(converted, "NOTE")->value ==
          "Erste Zeile\\nZweite Zeile mit einem sehr langen Text, der umgebrochen wurde\\nDritte");
    CHECK(text_value(*find(converted, "ADR")) == ";;Straße 1;Berlin;;10115;Deutschland");
    CHECK(qp.find("QUOTED-PRINTABLE") == std::string::npos);

    // What would not be valid 4.0 text once decoded stays encoded.
    const char* const control =
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:q\r\nFN:Q\r\nNOTE;ENCODING=QUOTED-PRINTABLE:a=01b\r\nEND:VCARD\r\n";
    CHECK(convert(control, "4.0").find("NOTE;ENCODING=QUOTED-PRINTABLE:a=01b\r\n") != std::string::npos);
}

TEST_CASE("RFC 6352 §10.4: 4.0 -> 3.0 rewrites data: URIs, PREF=1, KIND and MEMBER", "[vcard]") {
    std::string v3 = convert(davx5, "3.0");
    check_folding(v3);
    CHECK(validate(v3).card.version == "3.0");
    auto card = parse(v3);
    const Property* photo = find(card, "PHOTO");
    REQUIRE(photo);
    CHECK(photo->parameters == std::vector<std::pair<std::string, std::string>>{{"ENCODING", "b"}, {"TYPE", "PNG"}});
    CHECK(photo->value.rfind("iVBORw0KGgo", 0) == 0);
    const Property* tel = find(card, "TEL");
    REQUIRE(tel);
    CHECK(tel->parameters == std::vector<std::pair<std::string, std::string>>{{"TYPE", "cell,pref"}});
    CHECK(v3.find("EMAIL;TYPE=\"home,internet\":maksim@example.ru\r\n") != std::string::npos);
    CHECK(v3.find("X-DAVDROID-NICKNAME:Макс\r\n") != std::string::npos);

    std::string group = convert(davx5_group, "3.0");
    CHECK(group.find("\r\nX-ADDRESSBOOKSERVER-KIND:group\r\n") != std::string::npos);
    CHECK(group.find("\r\nX-ADDRESSBOOKSERVER-MEMBER:urn:uuid:4D8E5E4A") != std::string::npos);

    const char* const uri_photo =
        "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:p\r\nFN:P\r\nPHOTO:https://example.com/p.jpg\r\nEND:VCARD\r\n";
    CHECK(convert(uri_photo, "3.0").find("PHOTO;VALUE=uri:https://example.com/p.jpg\r\n") != std::string::npos);
}

TEST_CASE("RFC 6352 §10.4: round trips 3 -> 4 -> 3 and 4 -> 3 -> 4 keep every property", "[vcard]") {
    for (const char* original : {apple, apple_group, google, nextcloud}) {
        std::string back = convert(convert(original, "4.0"), "3.0");
        INFO(original);
        INFO(back);
        CHECK(validate(back).failed == Precondition::none);
        auto before = parse(original), after = parse(back);
        REQUIRE(before.size() == after.size());
        for (std::size_t i = 0; i < before.size(); ++i) {
            CHECK(before[i].group == after[i].group);
            CHECK(before[i].name == after[i].name);
            CHECK(text_value(before[i]) == text_value(after[i]));
        }
    }
    // Parameters come back too (with 3.0's pref in TYPE, where Apple wrote it as its own parameter).
    auto apple_back = parse(convert(convert(apple, "4.0"), "3.0"));
    CHECK(find(apple_back, "PHOTO")->parameters ==
          std::vector<std::pair<std::string, std::string>>{{"ENCODING", "b"}, {"TYPE", "JPEG"}});
    CHECK(find(apple_back, "TEL")->parameters ==
          std::vector<std::pair<std::string, std::string>>{{"TYPE", "CELL,pref"}, {"TYPE", "VOICE"}});
    CHECK(find(apple_back, "IMPP")->parameters[0] == std::pair<std::string, std::string>("X-SERVICE-TYPE", "Skype"));

    for (const char* original : {davx5, davx5_group}) {
        std::string back = convert(convert(original, "3.0"), "4.0");
        auto before = parse(original), after = parse(back);
        REQUIRE(before.size() == after.size());
        for (std::size_t i = 0; i < before.size(); ++i) {
            CHECK(before[i].name == after[i].name);
            CHECK(before[i].value == after[i].value);
        }
    }
    CHECK(find(parse(convert(convert(davx5, "3.0"), "4.0")), "TEL")->parameters ==
          std::vector<std::pair<std::string, std::string>>{{"TYPE", "cell"}, {"PREF", "1"}});
}

TEST_CASE("RFC 6350 §5.6, §6.4.1: quoted TYPE lists carry pref both ways", "[vcard]") {
    const char* const v3 =
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:t\r\nFN:T\r\nTEL;TYPE=\"home,pref\":1\r\nEMAIL;TYPE=pref:a@b\r\nEND:"
        "VCARD\r\n";
    auto v4 = parse(convert(v3, "4.0"));
    CHECK(find(v4, "TEL")->parameters ==
          std::vector<std::pair<std::string, std::string>>{{"TYPE", "home"}, {"PREF", "1"}});
    CHECK(find(v4, "EMAIL")->parameters == std::vector<std::pair<std::string, std::string>>{{"PREF", "1"}});

    const char* const quoted =
        "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:t\r\nFN:T\r\nTEL;TYPE=\"cell,voice\";PREF=1:1\r\n"
        "EMAIL;PREF=2:a@b\r\nEND:VCARD\r\n";
    auto back = parse(convert(quoted, "3.0"));
    CHECK(find(back, "TEL")->parameters ==
          std::vector<std::pair<std::string, std::string>>{{"TYPE", "\"cell,voice,pref\""}});
    CHECK(find(back, "EMAIL")->parameters == std::vector<std::pair<std::string, std::string>>{{"PREF", "2"}});

    ParamFilter voice;
    voice.name = "TYPE";
    voice.text_match = text("voice", "equals");
    PropFilter tel = prop("TEL");
    tel.param_filters.push_back(voice);
    CHECK(query(quoted, tel));
}

TEST_CASE("RFC 6350 §3.2: conversion folds at 75 octets without splitting UTF-8", "[vcard]") {
    std::string name;
    for (int i = 0; i < 60; ++i) name += "Ж";  // two octets each
    std::string card = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:z\r\nFN:" + name + "\r\nEND:VCARD\r\n";
    std::string out = convert(card, "4.0");
    check_folding(out);
    CHECK(out.find("\r\n ") != std::string::npos);
    CHECK(find(parse(out), "FN")->value == name);
}
