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
    // REPORT answers carry whole calendars through here: the bytes to escape are found with memchr,
    // one per kind (CR ends every line, the others are rare), not by a test of every byte, which
    // was a third of a 100-href multiget. Two passes straight into the pool.
    static constexpr char special[] = {'\r', '&', '<', '>'};
    static constexpr std::string_view escape[] = {"&#13;", "&amp;", "&lt;", "&gt;"};
    const char* const end = bytes.data() + bytes.size();
    auto next_of = [end](const char* from, char c) {
        const void* found = std::memchr(from, c, static_cast<std::size_t>(end - from));
        return found != nullptr ? static_cast<const char*>(found) : end;
    };
    std::size_t size = bytes.size();
    const char* next[4];
    for (int kind = 0; kind < 4; ++kind) {
        next[kind] = next_of(bytes.data(), special[kind]);
        for (const char* at = next[kind]; at != end; at = next_of(at + 1, special[kind]))
            size += escape[kind].size() - 1;
    }
    char* out = static_cast<char*>(apr_palloc(pool, size + 1));
    char* to = out;
    const char* from = bytes.data();
    for (;;) {
        int kind = 0;
        for (int other = 1; other < 4; ++other)
            if (next[other] < next[kind]) kind = other;
        const char* at = next[kind];
        std::memcpy(to, from, static_cast<std::size_t>(at - from));
        to += at - from;
        if (at == end) break;
        std::memcpy(to, escape[kind].data(), escape[kind].size());
        to += escape[kind].size();
        from = at + 1;
        next[kind] = next_of(from, special[kind]);
    }
    *to = '\0';
    return out;
}

}  // namespace caldav::module
