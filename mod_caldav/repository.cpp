// mod_dav's repository hooks (dav_hooks_repository): resolving URLs to store nodes, GET/PUT
// streams, MKCOL, COPY, MOVE and DELETE. Each hook translates and calls lib/; lib/ decides.
#include <httpd.h>  // first: the other httpd headers depend on it
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <apr_strings.h>

#include <cstring>

#include "config.hpp"
#include "dav/access.hpp"
#include "dav/path.hpp"
#include "body_limit.hpp"
#include "denial.hpp"
#include "ical/export.hpp"
#include "object_checks.hpp"
#include "request.hpp"
#include "resource_kind.hpp"
#include "store/group_commit.hpp"

APLOG_USE_MODULE(caldav);

// mod_dav's opaque PUT stream: the body is collected, then stored in one transaction on close.
struct dav_stream {
    const dav_resource* resource;
    std::string* bytes;                // pool-owned
    caldav::store::Node* collection;   // pool-owned: where the body goes
    caldav::module::BodyLimit* limit;  // pool-owned: CalDAVMaxResourceSize, counted by the input filter
};

namespace caldav::module {

namespace {

using store::Node;

dav_error* new_error(const dav_resource* resource, int status, const char* description) {
    return dav_new_error(resource->pool, status, 0, 0, description);
}

// Refreshes a resource after a write changed what its path names.
void reload(dav_resource* resource) {
    Node node = open_store(*resource->info->context).lookup(resource->info->node->path);
    resource->exists = node.exists();
    resource->collection = node.is_collection();
    *resource->info->node = std::move(node);
}

// True for the Destination of a COPY or MOVE, which mod_dav resolves through a lookup subrequest.
bool is_copy_move_destination(const request_rec* r) {
    return r->main != nullptr && (r->main->method_number == M_COPY || r->main->method_number == M_MOVE);
}

// ---- resolving ------------------------------------------------------------------

dav_error* get_resource(request_rec* r, const char*, const char*, int, dav_resource** result) {
    return guarded(r, [&]() -> dav_error* {
        const Context* context = nullptr;
        if (dav_error* error = resolve_context(r, &context)) return error;
        if (context->user.empty()) return denial_error(r, HTTP_UNAUTHORIZED, "not authenticated");
        std::optional<std::string> path = relative_path(*context, r->uri);
        if (!path) return denial_error(r, HTTP_BAD_REQUEST, "malformed path");
        // The guard checked the request URI before mod_dav ran; subrequests (COPY/MOVE
        // destinations) are checked here, as mod_dav resolves them.
        if (r->main != nullptr) {
            auto operation = is_copy_move_destination(r) ? dav::Operation::write : dav::Operation::read;
            dav::Decision decision = dav::decide(context->user, dav::classify(*path), operation);
            if (!decision.allowed) return denial_error(r, HTTP_FORBIDDEN, decision.reason);
        }
        // A GET needs the bytes right after: one statement reads both.
        bool get = r->method_number == M_GET && !r->header_only && r->main == nullptr;
        std::string* body = get ? pool_new<std::string>(r->pool) : nullptr;
        Node node = open_store(*context).lookup(*path, body);
        *result = make_resource(r, context, std::move(node), r->pool);
        (*result)->info->body = body;
        // mod_dav rules out lock-null resources whenever path_info is set; no URL of ours maps to a file.
        r->path_info = apr_pstrdup(r->pool, "");
        return nullptr;
    });
}

dav_error* get_parent_resource(const dav_resource* resource, dav_resource** parent) {
    const Node& node = node_of(resource);
    if (node.path.empty()) {
        *parent = nullptr;
        return nullptr;
    }
    return guarded(resource->info->r, [&]() -> dav_error* {
        const Context* context = resource->info->context;
        Node parent_node = open_store(*context).lookup(dav::parent_path(node.path));
        resource->info->parent = pool_new<Node>(resource->pool, parent_node);
        *parent = make_resource(resource->info->r, context, std::move(parent_node), resource->pool);
        return nullptr;
    });
}

int is_same_resource(const dav_resource* first, const dav_resource* second) {
    if (first->hooks != second->hooks) return 0;
    return first->info->context->database == second->info->context->database &&
           node_of(first).path == node_of(second).path;
}

int is_parent_resource(const dav_resource* ancestor, const dav_resource* descendant) {
    if (ancestor->hooks != descendant->hooks) return 0;
    return dav::is_proper_ancestor(node_of(ancestor).path, node_of(descendant).path);
}

// ---- PUT --------------------------------------------------------------------------

// 413 with the collection's precondition (RFC 4791 §5.3.2.1, RFC 6352 §6.3.2.1 max-resource-size).
dav_error* too_large(const dav_resource* resource, const Node& collection) {
    const char* description = "The resource is larger than CalDAVMaxResourceSize.";
    const char* ns = collection.kind == store::CollectionKind::calendar      ? caldav_namespace
                     : collection.kind == store::CollectionKind::addressbook ? carddav_namespace
                                                                             : nullptr;
    if (ns == nullptr) return new_error(resource, HTTP_REQUEST_ENTITY_TOO_LARGE, description);
    return dav_new_error_tag(resource->pool, HTTP_REQUEST_ENTITY_TOO_LARGE, 0, 0, description, ns, "max-resource-size");
}

dav_error* open_stream(const dav_resource* resource, dav_stream_mode, dav_stream** result) {
    request_rec* r = resource->info->r;
    return guarded(r, [&]() -> dav_error* {
        const Node& node = node_of(resource);
        Node parent = resource->info->parent != nullptr
                          ? *resource->info->parent
                          : open_store(*resource->info->context).lookup(dav::parent_path(node.path));
        if (!parent.is_collection()) return new_error(resource, HTTP_CONFLICT, "The parent collection does not exist.");
        apr_off_t limit = max_resource_size(directory_config(r));
        // Refuse an announced oversized body before reading any of it.
        if (const char* length = apr_table_get(r->headers_in, "Content-Length")) {
            apr_off_t announced = 0;
            char* end = nullptr;
            if (apr_strtoff(&announced, length, &end, 10) == APR_SUCCESS && announced > limit)
                return too_large(resource, parent);
        }
        auto* stream = static_cast<dav_stream*>(apr_pcalloc(resource->pool, sizeof(dav_stream)));
        stream->resource = resource;
        stream->bytes = pool_new<std::string>(resource->pool);
        stream->collection = pool_new<Node>(resource->pool, std::move(parent));
        stream->limit = limit_request_body(r, limit);
        *result = stream;
        return nullptr;
    });
}

dav_error* write_stream(dav_stream* stream, const void* buffer, apr_size_t size) {
    if (static_cast<apr_off_t>(stream->bytes->size() + size) > stream->limit->limit) {
        stream->limit->exceeded = true;
        return too_large(stream->resource, *stream->collection);
    }
    return guarded(stream->resource->info->r, [&]() -> dav_error* {
        stream->bytes->append(static_cast<const char*>(buffer), size);
        return nullptr;
    });
}

// mod_dav calls this only for a PUT with a Content-Range, before any of the body is read. RFC 9110
// §14.5: a server that does not support partial PUT must answer 400 (501 would say PUT itself is
// unknown); nothing was stored, and close_stream is not called.
dav_error* seek_stream(dav_stream* stream, apr_off_t) {
    return new_error(stream->resource, HTTP_BAD_REQUEST, "Partial PUT (Content-Range) is not supported.");
}

// If-Match / If-None-Match: * as the store re-checks them inside the write (RFC 9110 §13.1).
store::WriteCondition write_condition(const request_rec* r) {
    store::WriteCondition condition;
    if (const char* none_match = apr_table_get(r->headers_in, "If-None-Match"))
        condition.must_not_exist = std::string_view(none_match).find('*') != std::string_view::npos;
    const char* match = apr_table_get(r->headers_in, "If-Match");
    if (match == nullptr) return condition;
    std::string_view list(match);
    if (list.find('*') != std::string_view::npos && list.find('"') == std::string_view::npos) {
        condition.must_exist = true;
        return condition;
    }
    // A list of quoted entity tags; weak ones (W/) never match a strong comparison.
    for (std::size_t at = list.find('"'); at != std::string_view::npos; at = list.find('"', at)) {
        std::size_t end = list.find('"', at + 1);
        if (end == std::string_view::npos) break;
        bool weak = at >= 2 && list.substr(at - 2, 2) == "W/";
        condition.if_match.emplace_back(weak ? "" : std::string(list.substr(at, end - at + 1)));
        at = end + 1;
    }
    if (condition.if_match.empty()) condition.if_match.emplace_back("");  // unparseable: nothing matches
    return condition;
}

dav_error* close_stream(dav_stream* stream, int commit) {
    // When the filter cut the body short, mod_dav's own error (a bare 413) is on top: this one
    // carries the precondition, and mod_dav answers with the first error that has one.
    if (stream->limit->exceeded) return too_large(stream->resource, *stream->collection);
    if (!commit) return nullptr;
    auto* resource = const_cast<dav_resource*>(stream->resource);
    request_rec* r = resource->info->r;
    const Context& context = *resource->info->context;
    return guarded(r, [&]() -> dav_error* {
        const std::string& path = resource->info->node->path;
        CheckedObject checked;
        if (dav_error* error = check_object(r, context, *stream->collection, path, *stream->bytes,
                                            apr_table_get(r->headers_in, "Content-Type"), checked))
            return error;
        store::WriteCondition condition = write_condition(r);
        condition.quota_bytes = quota(directory_config(r));
        // Concurrent PUTs of this process commit together (store/group_commit.hpp).
        store::PutResult result{};
        store::write_in_group(open_store(context), [&](store::Store& store) {
            result = store.put(path, checked.content_type, *stream->bytes, checked.index ? &*checked.index : nullptr,
                               &condition);
        });
        resource->info->parent = nullptr;  // its sync token moved
        resource->exists = 1;              // what a lookup would give, without one
        resource->collection = 0;
        *resource->info->node = std::move(result.stored);
        // The bytes are stored exactly as sent, so the client may keep this ETag (err_headers_out:
        // mod_dav answers 204 through Apache's error path, which drops headers_out).
        apr_table_setn(r->err_headers_out, "ETag", apr_pstrdup(r->pool, result.etag.c_str()));
        return nullptr;
    });
}

// ---- GET --------------------------------------------------------------------------

dav_error* set_headers(request_rec* r, const dav_resource* resource) {
    if (!resource->exists) return nullptr;
    const Node& node = node_of(resource);
    apr_table_setn(r->headers_out, "ETag", resource->hooks->getetag(resource));
    ap_update_mtime(r, apr_time_from_sec(shown_modified(node)));
    ap_set_last_modified(r);
    if (resource->collection) {
        // A calendar or address book exports as one iCalendar or vCard stream; others list members.
        ap_set_content_type(r, node.kind == store::CollectionKind::calendar      ? "text/calendar; charset=utf-8"
                               : node.kind == store::CollectionKind::addressbook ? "text/vcard; charset=utf-8"
                                                                                 : "text/html; charset=utf-8");
    } else {
        ap_set_content_type(r, apr_pstrdup(r->pool, node.content_type.c_str()));
        ap_set_content_length(r, node.size);
    }
    return nullptr;
}

// A collection answers GET with a plain HTML list of its members, paged from the store: those the
// user may read (dav::listable, the filter of every listing).
void write_listing(const dav_resource* resource, apr_bucket_brigade* brigade) {
    request_rec* r = resource->info->r;
    const Context& context = *resource->info->context;
    store::Store& store = open_store(context);
    const Node& collection = node_of(resource);
    apr_brigade_printf(brigade, nullptr, nullptr, "<!DOCTYPE html>\n<html><head><title>%s</title></head><body><ul>\n",
                       ap_escape_html(r->pool, resource->uri));
    store.for_each_member(collection, [&](Node& member) {
        if (!dav::listable(context.user, member.path)) return true;
        std::string name(dav::last_segment(member.path));
        if (member.is_collection()) name += '/';
        const char* link = ap_escape_uri(r->pool, href(context, member.path, member.is_collection()).c_str());
        apr_brigade_printf(brigade, nullptr, nullptr, "<li><a href=\"%s\">%s</a></li>\n", ap_escape_html(r->pool, link),
                           ap_escape_html(r->pool, name.c_str()));
        return true;
    });
    apr_brigade_puts(brigade, nullptr, nullptr, "</ul></body></html>\n");
}

// GET on a calendar (all events in one VCALENDAR, RFC 4791 §4.1 objects merged) or an address book
// (the cards one after another), a page of members at a time.
void write_export(const dav_resource* resource, ap_filter_t* output, apr_bucket_brigade* brigade) {
    const Context& context = *resource->info->context;
    store::Store& store = open_store(context);
    const Node& collection = node_of(resource);
    bool calendar = collection.kind == store::CollectionKind::calendar;
    ical::CalendarExport exporter;
    if (calendar) apr_brigade_puts(brigade, nullptr, nullptr, exporter.begin().c_str());
    store.for_each_member(collection, [&](Node& member) {
        if (member.is_collection() || !dav::listable(context.user, member.path)) return true;
        std::string body = store.body(member.id);
        if (calendar) body = exporter.add(body);
        if (!calendar && !body.empty() && body.back() != '\n') body += "\r\n";
        apr_brigade_write(brigade, nullptr, nullptr, body.data(), body.size());
        // Send what has gathered now and then, so memory does not grow with the collection.
        apr_off_t pending = 0;
        apr_brigade_length(brigade, 0, &pending);
        if (pending >= 65536) {
            ap_pass_brigade(output, brigade);
            apr_brigade_cleanup(brigade);
        }
        return true;
    });
    if (calendar) apr_brigade_puts(brigade, nullptr, nullptr, exporter.end().c_str());
}

dav_error* deliver(const dav_resource* resource, ap_filter_t* output) {
    request_rec* r = resource->info->r;
    return guarded(r, [&]() -> dav_error* {
        apr_bucket_brigade* brigade = apr_brigade_create(resource->pool, output->c->bucket_alloc);
        store::CollectionKind kind = node_of(resource).kind;
        if (resource->collection &&
            (kind == store::CollectionKind::calendar || kind == store::CollectionKind::addressbook)) {
            write_export(resource, output, brigade);
        } else if (resource->collection) {
            write_listing(resource, brigade);
        } else {
            const std::string* body = resource->info->body;
            std::string read;
            if (body == nullptr) body = &(read = open_store(*resource->info->context).body(node_of(resource).id));
            apr_brigade_write(brigade, nullptr, nullptr, body->data(), body->size());
        }
        APR_BRIGADE_INSERT_TAIL(brigade, apr_bucket_eos_create(output->c->bucket_alloc));
        if (ap_pass_brigade(output, brigade) != APR_SUCCESS)
            return new_error(resource, AP_FILTER_ERROR, "Could not write the response.");
        return nullptr;
    });
}

// ---- MKCOL, COPY, MOVE, DELETE ----------------------------------------------------------

dav_error* create_collection(dav_resource* resource) {
    return guarded(resource->info->r, [&]() -> dav_error* {
        store::Store& store = open_store(*resource->info->context);
        const std::string& path = node_of(resource).path;
        if (dav_error* error = location_error(resource->info->r, store, path, store::CollectionKind::plain))
            return error;
        store.make_collection(path, store::CollectionKind::plain);
        reload(resource);
        return nullptr;
    });
}

// COPY and MOVE: what arrives must be what the destination accepts (check_arrival), and is indexed
// for it; `write` runs the store operation with that index (nullptr: the resource keeps its rows).
template <class Write>
dav_error* copy_or_move(const dav_resource* source, const dav_resource* destination, Write&& write) {
    request_rec* r = destination->info->r;
    const Context& context = *source->info->context;
    return guarded(r, [&]() -> dav_error* {
        CheckedObject checked;
        if (dav_error* error = check_arrival(r, context, node_of(source), node_of(destination).path, checked))
            return error;
        write(open_store(context), checked.index ? &*checked.index : nullptr);
        return nullptr;
    });
}

dav_error* copy_resource(const dav_resource* source, dav_resource* destination, int depth, dav_response** response) {
    *response = nullptr;
    return copy_or_move(source, destination, [&](store::Store& store, const store::ResourceIndex* index) {
        store.copy(node_of(source).path, node_of(destination).path, depth != 0, destination->info->replace_pending,
                   quota(directory_config(destination->info->r)), index);
        reload(destination);
    });
}

dav_error* move_resource(dav_resource* source, dav_resource* destination, dav_response** response) {
    *response = nullptr;
    return copy_or_move(source, destination, [&](store::Store& store, const store::ResourceIndex* index) {
        store.move(node_of(source).path, node_of(destination).path, destination->info->replace_pending, index);
        reload(source);
        reload(destination);
    });
}

dav_error* remove_resource(dav_resource* resource, dav_response** response) {
    *response = nullptr;
    // Overwriting a COPY/MOVE destination: mod_dav removes it first, in a call of its own. Deferring
    // the removal into copy/move keeps "replace" one transaction that a failure leaves undone.
    if (is_copy_move_destination(resource->info->r)) {
        resource->info->replace_pending = true;
        return nullptr;
    }
    return guarded(resource->info->r, [&]() -> dav_error* {
        open_store(*resource->info->context).remove(node_of(resource).path);
        reload(resource);
        return nullptr;
    });
}

}  // namespace

std::int64_t shown_modified(const store::Node& node) {
    if (node.is_collection() && dav::is_shared(dav::classify(node.path).area)) return node.created;
    return node.modified;
}

namespace {

const char* getetag(const dav_resource* resource) {
    if (!resource->exists) return "";
    const Node& node = node_of(resource);
    if (!resource->collection) return apr_pstrdup(resource->pool, node.etag.c_str());
    // A collection's tag moves with its sync token: any change of membership changes it. A shared
    // collection's members are other users' too: its tag stays (dav::is_shared).
    if (dav::is_shared(dav::classify(node.path).area))
        return apr_psprintf(resource->pool, "\"c%" APR_INT64_T_FMT "\"", static_cast<apr_int64_t>(node.id));
    return apr_psprintf(resource->pool, "\"c%" APR_INT64_T_FMT "-%" APR_INT64_T_FMT "\"",
                        static_cast<apr_int64_t>(node.id), static_cast<apr_int64_t>(node.sync_token));
}

request_rec* get_request_rec(const dav_resource* resource) {
    return resource->info->r;
}

}  // namespace

std::string default_content_type(std::string_view path) {
    auto ends_with = [&](std::string_view suffix) {
        return path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (ends_with(".ics")) return "text/calendar; charset=utf-8";
    if (ends_with(".vcf")) return "text/vcard; charset=utf-8";
    return "application/octet-stream";
}

dav_resource* make_resource(request_rec* r, const Context* context, store::Node node, apr_pool_t* pool) {
    auto* resource = static_cast<dav_resource*>(apr_pcalloc(pool, sizeof(dav_resource)));
    resource->type = DAV_RESOURCE_TYPE_REGULAR;
    resource->exists = node.exists();
    resource->collection = node.is_collection();
    resource->uri = apr_pstrdup(pool, href(*context, node.path, node.is_collection()).c_str());
    resource->hooks = &repository_hooks;
    resource->pool = pool;
    auto* info = static_cast<dav_resource_private*>(apr_pcalloc(pool, sizeof(dav_resource_private)));
    info->r = r;
    info->context = context;
    info->node = pool_new<store::Node>(pool, std::move(node));
    resource->info = info;
    return resource;
}

const dav_hooks_repository repository_hooks = {
    1,  // handle_get: GET is served from the store, there is no file for Apache to send
    get_resource,
    get_parent_resource,
    is_same_resource,
    is_parent_resource,
    open_stream,
    close_stream,
    write_stream,
    seek_stream,
    set_headers,
    deliver,
    create_collection,
    copy_resource,
    move_resource,
    remove_resource,
    walk,
    getetag,
    nullptr,  // ctx
    get_request_rec,
    nullptr,  // get_pathname: nothing is a file
};

}  // namespace caldav::module
