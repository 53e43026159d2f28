// Per-directory configuration: the CalDAV* directives and where the database lives.
#pragma once

#include <httpd.h>
#include <http_config.h>

struct caldav_directory_config {
    const char* database;         // CalDAVDatabase, or NULL
    const char* section_path;     // the <Directory>/<Location> argument this config was created for
    int auto_provision;           // CalDAVAutoProvision: -1 unset, 0 off, 1 on
    apr_off_t max_resource_size;  // CalDAVMaxResourceSize in bytes, 0 unset
    const char* email_domain;     // CalDAVEmailDomain: calendar-user-address-set is mailto:USER@DOMAIN
    int max_instances;            // CalDAVMaxInstances: occurrences indexed per calendar object, 0 unset
    apr_off_t quota;              // CalDAVQuota: bytes a user may store, 0 unset, -1 none
    int authn_cache_timeout;      // CalDAVAuthnCacheTimeout in seconds, -1 unset, 0 off
};

extern module AP_MODULE_DECLARE_DATA caldav_module;

namespace caldav::module {

extern const command_rec directives[];
void* create_directory_config(apr_pool_t* pool, char* section_path);
void* merge_directory_config(apr_pool_t* pool, void* parent, void* child);

const caldav_directory_config& directory_config(const request_rec* r);
bool auto_provision(const caldav_directory_config& config);
apr_off_t max_resource_size(const caldav_directory_config& config);
int max_instances(const caldav_directory_config& config);
// The per-user quota in bytes, or 0 when there is none.
apr_off_t quota(const caldav_directory_config& config);
// Seconds the caldav_cache authn provider trusts a verified password; 0: it never does.
int authn_cache_timeout(const caldav_directory_config& config);

}  // namespace caldav::module
