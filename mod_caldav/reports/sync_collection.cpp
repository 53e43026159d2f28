// sync-collection (RFC 6578): the members changed since a token, deletions as 404 responses,
// truncation by DAV:limit reported with a 507 response (§3.6), and DAV:valid-sync-token for tokens
// this collection never handed out, including those from before a restore (§3.2).
#include <httpd.h>  // first: the other httpd headers depend on it
#include <apr_strings.h>
#include <http_protocol.h>

#include <cstdlib>

#include "dav/path.hpp"
#include "dav/sync_token.hpp"
#include "report.hpp"
#include "xml.hpp"

namespace caldav::module {

namespace {

constexpr int page_size = 512;

dav_error* invalid_token(request_rec* r) {
    return dav_new_error_tag(r->pool, HTTP_FORBIDDEN, 0, 0, "The sync token is not valid for this collection.", nullptr,
                             "valid-sync-token");
}

}  // namespace

dav_error* sync_collection(request_rec* r, const dav_resource* resource, const apr_xml_doc* doc) {
    const Context* context = resource->info->context;
    const store::Node& collection = node_of(resource);
    if (!resource->collection)
        return dav_new_error_tag(r->pool, HTTP_FORBIDDEN, 0, 0, "Only collections can be synchronized.", nullptr,
                                 "supported-report");
    if (!sync_level_ok(doc))
        return dav_new_error(r->pool, HTTP_BAD_REQUEST, 0, 0, "DAV:sync-level must be 1 or infinite (RFC 6578 §6.3).");
    store::Store& store = open_store(*context);
    std::int64_t since = 0;
    std::string token_text = read_sync_token_text(doc);
    if (!token_text.empty()) {
        std::optional<dav::SyncToken> token = dav::parse_sync_token(token_text);
        if (!token) return invalid_token(r);
        std::optional<std::int64_t> salt = store.sync_salt(collection, token->token);
        bool never_changed = token->token == 0 && token->salt == 0;
        if (!never_changed && (!salt || *salt != token->salt)) return invalid_token(r);
        since = token->token;
    }
    long limit = read_sync_limit(doc);
    if (limit < 0) return dav_new_error(r->pool, HTTP_BAD_REQUEST, 0, 0, "DAV:limit needs a positive DAV:nresults.");

    // The token answered is the collection's as read before the changes: a change racing with this
    // report is either listed now and again next time, or next time, never lost.
    std::int64_t current = collection.sync_token;
    MultistatusWriter writer(r, doc);
    long listed = 0;
    bool truncated = false;
    while (!truncated) {
        std::vector<store::Change> changes = store.changes_since(collection, since, page_size);
        if (changes.empty()) break;
        for (store::Change& change : changes) {
            if (limit > 0 && listed == limit) {
                truncated = true;
                break;
            }
            since = change.token;
            std::string path = dav::join_path(collection.path, change.name);
            // A member collection is not in the change query's join: looked up on its own.
            store::Node node = change.deleted           ? store::Node()
                               : change.member.exists() ? std::move(change.member)
                                                        : store.lookup(path);
            // An initial sync lists only what exists (RFC 6578 §3.4).
            if (!node.exists() && token_text.empty()) continue;
            ++listed;
            if (node.exists()) {
                writer.properties(r, context, std::move(node));
            } else {
                writer.status(href(*context, path, false), HTTP_NOT_FOUND);
            }
        }
    }
    std::int64_t answered = truncated ? since : std::max(current, since);
    if (truncated) writer.status(resource->uri, HTTP_INSUFFICIENT_STORAGE);
    std::optional<std::int64_t> salt = store.sync_salt(collection, answered);
    std::string token = dav::format_sync_token({answered, salt.value_or(0)});
    writer.finish("<D:sync-token>" + std::string(apr_xml_quote_string(r->pool, token.c_str(), 0)) + "</D:sync-token>" +
                  DEBUG_CR);
    return nullptr;
}

}  // namespace caldav::module
