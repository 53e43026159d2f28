// PUT, COPY and MOVE preconditions for calendar object resources and vCards, and their index rows.
#include <httpd.h>  // first: the other httpd headers depend on it
#include <apr_strings.h>
#include <http_protocol.h>

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <limits>
#include <vector>

#include "config.hpp"
#include "dav/access.hpp"
#include "dav/collection_location.hpp"
#include "dav/path.hpp"
#include "ical/calendar_object.hpp"
#include "ical/calendar_timezone.hpp"
#include "ical/instances.hpp"
#include "object_checks.hpp"
#include "resource_kind.hpp"
#include "store/properties.hpp"
#include "vcard/vcard.hpp"

namespace caldav::module {

namespace {

using store::CollectionKind;

// Occurrences are indexed from the beginning of time to this many years ahead; later ones of an
// endless series are expanded when a query reaches past the horizon.
constexpr std::int64_t horizon_years = 5;

dav_error* precondition(request_rec* r, int status, const char* ns, const char* tag, const std::string& message) {
    return dav_new_error_tag(r->pool, status, 0, 0, apr_pstrdup(r->pool, message.c_str()), ns, tag);
}

bool media_type_is(const char* header, const char* type) {
    if (header == nullptr) return true;  // no Content-Type: judge by the body
    std::size_t length = std::strlen(type);
    return strncasecmp(header, type, length) == 0 &&
           (header[length] == '\0' || header[length] == ';' || header[length] == ' ');
}

std::vector<std::string> split_components(const std::string& list) {
    std::vector<std::string> result;
    std::size_t start = 0;
    while (start < list.size()) {
        std::size_t comma = list.find(',', start);
        if (comma == std::string::npos) comma = list.size();
        result.push_back(list.substr(start, comma - start));
        start = comma + 1;
    }
    return result;
}

}  // namespace

namespace {

// The character data of one stored element (dead_property_xml's output: no CDATA sections, the
// five predefined entities and character references).
std::string element_text(std::string_view xml) {
    std::size_t open_end = xml.find('>');
    std::size_t close = xml.rfind("</");
    if (open_end == std::string_view::npos || close == std::string_view::npos || close <= open_end) return {};
    std::string_view raw = xml.substr(open_end + 1, close - open_end - 1);
    std::string text;
    for (std::size_t at = 0; at < raw.size(); ++at) {
        std::size_t semicolon = raw[at] == '&' ? raw.find(';', at) : std::string_view::npos;
        if (semicolon == std::string_view::npos) {
            text += raw[at];
            continue;
        }
        std::string_view entity = raw.substr(at + 1, semicolon - at - 1);
        static const std::pair<std::string_view, char> named[] = {
            {"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}};
        char decoded = 0;
        for (const auto& [name, value] : named)
            if (entity == name) decoded = value;
        if (decoded == 0 && entity.size() > 1 && entity[0] == '#') {
            bool hex = entity[1] == 'x';
            long code = std::strtol(std::string(entity.substr(hex ? 2 : 1)).c_str(), nullptr, hex ? 16 : 10);
            if (code > 0 && code < 128) decoded = static_cast<char>(code);  // iCalendar text is ASCII here
        }
        if (decoded == 0) {
            text += raw[at];
            continue;
        }
        text += decoded;
        at = semicolon;
    }
    return text;
}

}  // namespace

std::string calendar_timezone(store::Store& store, const store::Node& calendar) {
    auto xml = store::properties::get(store.database(), {true, calendar.id}, caldav_namespace, "calendar-timezone");
    if (!xml) return {};
    return element_text(*xml);
}

namespace {

// The occurrences of a valid calendar object with floating and all-day times in `timezone`
// (RFC 4791 §9.9), up to the indexing horizon and CalDAVMaxInstances.
store::ResourceIndex calendar_object_index(request_rec* r, const ical::CalendarObject& object,
                                           const std::string& timezone) {
    std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    ical::ExpansionLimits limits{std::numeric_limits<std::int64_t>::min() / 2, now + horizon_years * 366 * 86400,
                                 static_cast<std::size_t>(max_instances(directory_config(r)))};
    ical::Expansion expansion = ical::expand(object, timezone, limits);
    store::ResourceIndex index;
    index.uid = object.uid;
    index.component = object.component;
    for (const ical::Instance& instance : expansion.instances)
        index.occurrences.push_back({instance.start, instance.end});
    index.indexed_until = ical::indexed_until(expansion, limits);
    return index;
}

dav_error* check_calendar_object(request_rec* r, store::Store& store, const store::Node& calendar,
                                 std::string_view bytes, const char* type, CheckedObject& checked) {
    if (!media_type_is(type, "text/calendar"))
        return precondition(r, HTTP_FORBIDDEN, caldav_namespace, "supported-calendar-data",
                            "A calendar collection holds text/calendar resources only.");
    ical::Validation validation = ical::validate_calendar_object(bytes, split_components(calendar.components));
    if (validation.failed != ical::Precondition::none)
        return precondition(r, HTTP_FORBIDDEN, caldav_namespace, ical::precondition_name(validation.failed),
                            validation.message);
    checked.index = calendar_object_index(r, validation.object, calendar_timezone(store, calendar));
    checked.content_type = type != nullptr ? type : "text/calendar; charset=utf-8";
    return nullptr;
}

dav_error* check_vcard(request_rec* r, std::string_view bytes, const char* type, CheckedObject& checked) {
    if (!media_type_is(type, "text/vcard") && !media_type_is(type, "text/x-vcard"))
        return precondition(r, HTTP_FORBIDDEN, carddav_namespace, "supported-address-data",
                            "An address book holds text/vcard resources only.");
    vcard::Validation validation = vcard::validate(bytes);
    if (validation.failed != vcard::Precondition::none)
        return precondition(r, HTTP_FORBIDDEN, carddav_namespace, vcard::precondition_name(validation.failed),
                            validation.message);
    store::ResourceIndex index;
    index.uid = validation.card.uid;
    index.card_fields = vcard::index_fields(vcard::parse(bytes));
    checked.index = std::move(index);
    checked.content_type = type != nullptr ? type : "text/vcard; charset=utf-8";
    return nullptr;
}

}  // namespace

dav_error* check_object(request_rec* r, const Context& context, const store::Node& collection, std::string_view path,
                        std::string_view bytes, const char* type, CheckedObject& checked) {
    store::Store& store = open_store(context);
    switch (collection.kind) {
        case CollectionKind::calendar:
            return check_calendar_object(r, store, collection, bytes, type, checked);
        case CollectionKind::addressbook:
            return check_vcard(r, bytes, type, checked);
        default:
            checked.content_type = type != nullptr && *type != '\0' ? type : default_content_type(path);
            return nullptr;
    }
}

namespace {

dav_error* refusal_error(request_rec* r, dav::LocationRefusal refusal) {
    using dav::LocationRefusal;
    switch (refusal) {
        case LocationRefusal::none:
            return nullptr;
        case LocationRefusal::calendar:
            return precondition(r, HTTP_FORBIDDEN, caldav_namespace, "calendar-collection-location-ok",
                                "This collection cannot be placed here: calendars are never nested in "
                                "calendars or address books, at any depth (RFC 4791 §4.2).");
        case LocationRefusal::addressbook:
            return precondition(r, HTTP_FORBIDDEN, carddav_namespace, "addressbook-collection-location-ok",
                                "This collection cannot be placed here: address books are never nested in "
                                "address books or calendars, at any depth (RFC 6352 §5.2).");
        case LocationRefusal::collection_in_calendar:
            return precondition(r, HTTP_FORBIDDEN, caldav_namespace, "calendar-collection-location-ok",
                                "A calendar holds calendar objects only: no collection inside it.");
        case LocationRefusal::collection_in_addressbook:
            return precondition(r, HTTP_FORBIDDEN, carddav_namespace, "addressbook-collection-location-ok",
                                "An address book holds vCards only: no collection inside it.");
    }
    return nullptr;
}

}  // namespace

dav_error* location_error(request_rec* r, store::Store& store, const std::string& path, CollectionKind kind) {
    return refusal_error(r, dav::collection_location(store.ancestor_kinds(path), kind));
}

dav_error* check_arrival(request_rec* r, const Context& context, const store::Node& source,
                         const std::string& destination, CheckedObject& checked) {
    store::Store& store = open_store(context);
    store::Node parent = store.lookup(dav::parent_path(destination));
    if (!parent.is_collection()) return nullptr;  // the store answers 409
    if (source.is_collection())                   // the collection and every calendar or address book inside it
        return refusal_error(r, dav::tree_location(store.ancestor_kinds(destination), store.tree_kinds(source.path)));
    if (parent.kind != CollectionKind::calendar && parent.kind != CollectionKind::addressbook) return nullptr;
    return check_object(r, context, parent, destination, store.body(source.id), source.content_type.c_str(), checked);
}

dav_error* calendar_timezone_error(apr_pool_t* pool, const char* ns, const char* name, const apr_xml_elem* property) {
    if (std::strcmp(ns, caldav_namespace) != 0 || std::strcmp(name, "calendar-timezone") != 0) return nullptr;
    ical::TimezoneValidation validation = ical::validate_calendar_timezone(text_of(property));
    if (validation.valid) return nullptr;
    // The description names the precondition too: a PROPPATCH's propstat has no DAV:error element.
    std::string text = "valid-calendar-data: " + validation.message + " (RFC 4791 section 5.2.2).";
    return dav_new_error_tag(pool, HTTP_FORBIDDEN, 0, 0, apr_pstrdup(pool, text.c_str()), caldav_namespace,
                             "valid-calendar-data");
}

dav_error* uid_conflict_error(request_rec* r, const Context& context, const std::string& existing_path) {
    bool card = dav::classify(existing_path).area == dav::Area::inside_addressbook_home;
    const char* escaped = ap_escape_uri(r->pool, href(context, existing_path, false).c_str());
    dav_error* error =
        dav_new_error_tag(r->pool, HTTP_CONFLICT, 0, 0, "Another resource in the collection has this UID.",
                          card ? carddav_namespace : caldav_namespace, "no-uid-conflict");
    error->childtags =
        apr_pstrcat(r->pool, "<D:href>", apr_xml_quote_string(r->pool, escaped, 0), "</D:href>", nullptr);
    return error;
}

void reindex_calendar(request_rec* r, store::Store& store, const store::Node& calendar) {
    std::string timezone = calendar_timezone(store, calendar);
    std::vector<std::string> components = split_components(calendar.components);
    store.for_each_member(calendar, [&](store::Node& member) {
        if (member.is_collection()) return true;
        std::string bytes = store.body(member.id);
        ical::Validation validation = ical::validate_calendar_object(bytes, components);
        if (validation.failed == ical::Precondition::none)
            store.reindex(member, calendar_object_index(r, validation.object, timezone));
        return true;
    });
}

}  // namespace caldav::module
