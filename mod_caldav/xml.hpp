// Small helpers for reading request bodies parsed by httpd (apr_xml_doc): namespaces, names, text.
#pragma once

#include <apr_xml.h>

#include <cstring>
#include <string>
#include <string_view>

#include <apr_strings.h>

namespace caldav::module {

constexpr char caldav_namespace[] = "urn:ietf:params:xml:ns:caldav";
constexpr char carddav_namespace[] = "urn:ietf:params:xml:ns:carddav";
constexpr char calendarserver_namespace[] = "http://calendarserver.org/ns/";

inline const char* namespace_of(const apr_xml_doc* doc, const apr_xml_elem* element) {
    if (element->ns == APR_XML_NS_NONE) return "";
    return APR_XML_GET_URI_ITEM(doc->namespaces, element->ns);
}

inline bool is_element(const apr_xml_doc* doc, const apr_xml_elem* element, const char* ns, const char* name) {
    return std::strcmp(element->name, name) == 0 && std::strcmp(namespace_of(doc, element), ns) == 0;
}

inline const apr_xml_elem* find_child(const apr_xml_doc* doc, const apr_xml_elem* parent, const char* ns,
                                      const char* name) {
    for (const apr_xml_elem* child = parent->first_child; child != nullptr; child = child->next)
        if (is_element(doc, child, ns, name)) return child;
    return nullptr;
}

inline const char* attribute(const apr_xml_elem* element, const char* name) {
    for (const apr_xml_attr* scan = element->attr; scan != nullptr; scan = scan->next)
        if (std::strcmp(scan->name, name) == 0) return scan->value;
    return nullptr;
}

// The element's text content (its cdata, children's text ignored), whitespace trimmed.
inline std::string text_of(const apr_xml_elem* element) {
    std::string text;
    for (const apr_text* scan = element->first_cdata.first; scan != nullptr; scan = scan->next) text += scan->text;
    std::size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    std::size_t last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

// `bytes` as XML character data that parses back to exactly `bytes`: besides & < >, every CR is
// written as &#13;, since XML parsers turn a literal CR LF into LF (XML 1.0 §2.11) and calendar
// and vCard data must keep their CRLF.
inline const char* exact_xml_text(apr_pool_t* pool, std::string_view bytes) {
    // Two passes straight into the pool: REPORT answers carry whole calendars through here.
    auto escape_of = [](char c) -> std::string_view {
        switch (c) {
            case '&':
                return "&amp;";
            case '<':
                return "&lt;";
            case '>':
                return "&gt;";
            case '\r':
                return "&#13;";
            default:
                return {};
        }
    };
    std::size_t size = bytes.size();
    for (char c : bytes) size += escape_of(c).empty() ? 0 : escape_of(c).size() - 1;
    char* out = static_cast<char*>(apr_palloc(pool, size + 1));
    char* at = out;
    std::size_t run = 0;  // start of the bytes not yet copied
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        std::string_view escape = escape_of(bytes[i]);
        if (escape.empty()) continue;
        std::memcpy(at, bytes.data() + run, i - run);
        at += i - run;
        std::memcpy(at, escape.data(), escape.size());
        at += escape.size();
        run = i + 1;
    }
    std::memcpy(at, bytes.data() + run, bytes.size() - run);
    at += bytes.size() - run;
    *at = '\0';
    return out;
}

}  // namespace caldav::module
