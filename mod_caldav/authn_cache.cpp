// The authn provider "caldav_cache" (AuthBasicProvider caldav_cache): grants a user whose password
// the `file` provider (AuthUserFile) verified within the last CalDAVAuthnCacheTimeout seconds in
// this process, and asks `file` otherwise. Why: clients send the password with every request, and
// checking a bcrypt hash (htpasswd -B) costs about 2 ms of CPU each time, most of a GET. Apache's
// mod_authn_socache does not help there: it caches the hash from the file and still runs bcrypt
// against it on every request (measured: the same 2 ms). The trade: a changed or removed password
// keeps working here until its entry expires; a new password works at once (it misses the cache).
#include "authn_cache.hpp"

#include <httpd.h>  // first: the other httpd headers depend on it
#include <ap_provider.h>
#include <apr_general.h>
#include <apr_sha1.h>
#include <http_core.h>
#include <http_request.h>
#include <http_log.h>
#include <mod_auth.h>

#include <chrono>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>

#include "auth/credential_cache.hpp"
#include "config.hpp"

APLOG_USE_MODULE(caldav);

namespace caldav::module {

namespace {

auth::CredentialCache& cache() {
    static auth::CredentialCache instance;
    return instance;
}

// A secret of the process, mixed into every digest: the cache never holds a password, nor a
// digest that could be checked against guesses without it.
const unsigned char* process_secret() {
    static unsigned char secret[32];
    static std::once_flag once;
    std::call_once(once, [] {
        if (apr_generate_random_bytes(secret, sizeof secret) != APR_SUCCESS)
            throw std::runtime_error("no random bytes for the credential cache");
    });
    return secret;
}

std::string digest_of(const char* user, const char* password) {
    apr_sha1_ctx_t context;
    apr_sha1_init(&context);
    apr_sha1_update_binary(&context, process_secret(), 32);
    apr_sha1_update_binary(&context, reinterpret_cast<const unsigned char*>(user), std::strlen(user) + 1);
    apr_sha1_update_binary(&context, reinterpret_cast<const unsigned char*>(password), std::strlen(password));
    unsigned char digest[APR_SHA1_DIGESTSIZE];
    apr_sha1_final(digest, &context);
    return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

// Where a password holds: the virtual host, the configuration section (its AuthUserFile) and the
// realm, so that alice's password for one section never opens another.
std::string key_of(const request_rec* r, const char* user) {
    const char* section = directory_config(r).section_path;
    const char* realm = ap_auth_name(const_cast<request_rec*>(r));
    std::string key = r->server->server_hostname != nullptr ? r->server->server_hostname : "";
    for (const char* part : {section, realm, user}) {
        key.push_back('\0');
        key += part != nullptr ? part : "";
    }
    return key;
}

authn_status check_password(request_rec* r, const char* user, const char* password) {
    const auto* file =
        static_cast<const authn_provider*>(ap_lookup_provider(AUTHN_PROVIDER_GROUP, "file", AUTHN_PROVIDER_VERSION));
    if (file == nullptr || file->check_password == nullptr) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "caldav_cache: the authn provider `file` is not loaded (a2enmod authn_file)");
        return AUTH_GENERAL_ERROR;
    }
    int timeout = authn_cache_timeout(directory_config(r));
    if (timeout == 0) return file->check_password(r, user, password);
    try {
        std::string key = key_of(r, user);
        std::string digest = digest_of(user, password);
        auto now = auth::CredentialCache::Clock::now();
        if (cache().matches(key, digest, now)) return AUTH_GRANTED;
        authn_status status = file->check_password(r, user, password);
        if (status == AUTH_GRANTED) cache().remember(key, digest, now, std::chrono::seconds(timeout));
        return status;
    } catch (const std::exception& e) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "caldav_cache: %s", e.what());
        return AUTH_GENERAL_ERROR;
    }
}

const authn_provider provider = {check_password, nullptr};

}  // namespace

void register_authn_cache(apr_pool_t* pool) {
    ap_register_auth_provider(pool, AUTHN_PROVIDER_GROUP, "caldav_cache", AUTHN_PROVIDER_VERSION, &provider,
                              AP_AUTH_INTERNAL_PER_CONF);
}

}  // namespace caldav::module
