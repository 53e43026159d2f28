// The CalDAV* directives. Configuration lives in Apache's files only (no admin UI, no .htaccess).
#include "config.hpp"

#include <apr_strings.h>

#include <strings.h>

#include <cctype>
#include <cstdlib>
#include <cstring>

namespace caldav::module {

namespace {

constexpr apr_off_t default_max_resource_size = apr_off_t{10} * 1024 * 1024;
constexpr int default_max_instances = 20000;
constexpr int default_authn_cache_timeout = 300;

const char* set_database(cmd_parms* cmd, void* config, const char* path) {
    static_cast<caldav_directory_config*>(config)->database = ap_server_root_relative(cmd->pool, path);
    return nullptr;
}

const char* set_auto_provision(cmd_parms*, void* config, int on) {
    static_cast<caldav_directory_config*>(config)->auto_provision = on ? 1 : 0;
    return nullptr;
}

const char* set_max_instances(cmd_parms*, void* config, const char* value) {
    char* end = nullptr;
    long count = std::strtol(value, &end, 10);
    if (*end != '\0' || count <= 0 || count > 10000000) return "CalDAVMaxInstances takes a positive count";
    static_cast<caldav_directory_config*>(config)->max_instances = static_cast<int>(count);
    return nullptr;
}

const char* set_email_domain(cmd_parms* cmd, void* config, const char* domain) {
    static_cast<caldav_directory_config*>(config)->email_domain = apr_pstrdup(cmd->pool, domain);
    return nullptr;
}

const char* set_max_resource_size(cmd_parms*, void* config, const char* value) {
    char* end = nullptr;
    apr_off_t bytes = 0;
    if (apr_strtoff(&bytes, value, &end, 10) != APR_SUCCESS || *end != '\0' || bytes <= 0)
        return "CalDAVMaxResourceSize takes a positive number of bytes";
    static_cast<caldav_directory_config*>(config)->max_resource_size = bytes;
    return nullptr;
}

const char* set_authn_cache_timeout(cmd_parms*, void* config, const char* value) {
    char* end = nullptr;
    long seconds = std::strtol(value, &end, 10);
    if (*end != '\0' || end == value || seconds < 0 || seconds > 86400)
        return "CalDAVAuthnCacheTimeout takes seconds, 0 to 86400";
    static_cast<caldav_directory_config*>(config)->authn_cache_timeout = static_cast<int>(seconds);
    return nullptr;
}

// "none", or bytes with an optional K, M or G (powers of 1024).
const char* set_quota(cmd_parms*, void* config, const char* value) {
    auto* directory = static_cast<caldav_directory_config*>(config);
    if (strcasecmp(value, "none") == 0) {
        directory->quota = -1;
        return nullptr;
    }
    char* end = nullptr;
    apr_off_t bytes = 0;
    if (apr_strtoff(&bytes, value, &end, 10) != APR_SUCCESS || bytes <= 0)
        return "CalDAVQuota takes none or a positive size such as 500M";
    apr_off_t unit = 1;
    if (*end != '\0') {
        const char* units = "KMG";
        const char* found = std::strchr(units, std::toupper(static_cast<unsigned char>(*end)));
        if (found == nullptr || end[1] != '\0') return "CalDAVQuota takes none or a positive size such as 500M";
        for (const char* step = units; step <= found; ++step) unit *= 1024;
    }
    if (bytes > APR_INT64_MAX / unit) return "CalDAVQuota is too large";
    directory->quota = bytes * unit;
    return nullptr;
}

// httpd's C++ command table takes untyped handlers; void (*)() is the cast the compiler accepts silently.
template <class Handler>
cmd_func as_cmd_func(Handler handler) {
    return reinterpret_cast<cmd_func>(reinterpret_cast<void (*)()>(handler));
}

}  // namespace

const command_rec directives[] = {
    AP_INIT_TAKE1("CalDAVDatabase", as_cmd_func(set_database), nullptr, ACCESS_CONF,
                  "the SQLite database file (default: caldav.sqlite in the <Directory> the Alias maps to)"),
    AP_INIT_FLAG("CalDAVAutoProvision", as_cmd_func(set_auto_provision), nullptr, ACCESS_CONF,
                 "create a user's principal, homes, default calendar and address book on first login (default On)"),
    AP_INIT_TAKE1("CalDAVMaxResourceSize", as_cmd_func(set_max_resource_size), nullptr, ACCESS_CONF,
                  "the largest body a PUT may store, in bytes (default 10485760)"),
    AP_INIT_TAKE1("CalDAVMaxInstances", as_cmd_func(set_max_instances), nullptr, ACCESS_CONF,
                  "the most occurrences of one recurring event that are indexed (default 20000)"),
    AP_INIT_TAKE1(
        "CalDAVQuota", as_cmd_func(set_quota), nullptr, ACCESS_CONF,
        "the bytes each user may store (calendar objects and vCards), e.g. 500M; none (default) for no limit"),
    AP_INIT_TAKE1("CalDAVAuthnCacheTimeout", as_cmd_func(set_authn_cache_timeout), nullptr, ACCESS_CONF,
                  "seconds the caldav_cache authn provider trusts a password it saw verified (default 300, 0 off)"),
    AP_INIT_TAKE1("CalDAVEmailDomain", as_cmd_func(set_email_domain), nullptr, ACCESS_CONF,
                  "the mail domain of users without one: their calendar address is mailto:USER@DOMAIN"),
    {nullptr, {nullptr}, nullptr, 0, RAW_ARGS, nullptr},
};

void* create_directory_config(apr_pool_t* pool, char* section_path) {
    auto* config = static_cast<caldav_directory_config*>(apr_pcalloc(pool, sizeof(caldav_directory_config)));
    config->section_path = section_path != nullptr ? apr_pstrdup(pool, section_path) : nullptr;
    config->auto_provision = -1;
    config->authn_cache_timeout = -1;
    return config;
}

void* merge_directory_config(apr_pool_t* pool, void* parent_config, void* child_config) {
    auto* parent = static_cast<caldav_directory_config*>(parent_config);
    auto* child = static_cast<caldav_directory_config*>(child_config);
    auto* merged = static_cast<caldav_directory_config*>(apr_pcalloc(pool, sizeof(caldav_directory_config)));
    merged->database = child->database != nullptr ? child->database : parent->database;
    // The innermost section is the <Directory> the Alias maps to (or a <Location>, which has no default).
    merged->section_path = child->section_path != nullptr ? child->section_path : parent->section_path;
    merged->auto_provision = child->auto_provision != -1 ? child->auto_provision : parent->auto_provision;
    merged->max_instances = child->max_instances != 0 ? child->max_instances : parent->max_instances;
    merged->email_domain = child->email_domain != nullptr ? child->email_domain : parent->email_domain;
    merged->max_resource_size = child->max_resource_size != 0 ? child->max_resource_size : parent->max_resource_size;
    merged->quota = child->quota != 0 ? child->quota : parent->quota;
    merged->authn_cache_timeout =
        child->authn_cache_timeout != -1 ? child->authn_cache_timeout : parent->authn_cache_timeout;
    return merged;
}

const caldav_directory_config& directory_config(const request_rec* r) {
    return *static_cast<const caldav_directory_config*>(ap_get_module_config(r->per_dir_config, &caldav_module));
}

bool auto_provision(const caldav_directory_config& config) {
    return config.auto_provision != 0;
}

int max_instances(const caldav_directory_config& config) {
    return config.max_instances != 0 ? config.max_instances : default_max_instances;
}

apr_off_t quota(const caldav_directory_config& config) {
    return config.quota > 0 ? config.quota : 0;
}

int authn_cache_timeout(const caldav_directory_config& config) {
    return config.authn_cache_timeout != -1 ? config.authn_cache_timeout : default_authn_cache_timeout;
}

apr_off_t max_resource_size(const caldav_directory_config& config) {
    return config.max_resource_size != 0 ? config.max_resource_size : default_max_resource_size;
}

}  // namespace caldav::module
