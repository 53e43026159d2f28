// The answer to a REPORT body that cannot be evaluated (request_xml.hpp's InvalidFilter): its status,
// and the precondition element in a DAV:error body where it names one (RFC 4791 §7.7, RFC 6352 §8.3).
#include <httpd.h>  // first: the other httpd headers depend on it
#include <apr_strings.h>

#include "report.hpp"
#include "xml.hpp"

namespace caldav::module {

dav_error* invalid_request_error(request_rec* r, const InvalidFilter& invalid, const char* ns) {
    const char* message = apr_pstrdup(r->pool, invalid.message.c_str());
    if (invalid.precondition == nullptr) return dav_new_error(r->pool, invalid.status, 0, 0, message);
    return dav_new_error_tag(r->pool, invalid.status, 0, 0, message, ns, invalid.precondition);
}

dav_error* calendar_data_ranges_error(request_rec* r, const apr_xml_doc* doc) {
    try {
        check_calendar_data_ranges(doc);
    } catch (const InvalidFilter& invalid) {
        return invalid_request_error(r, invalid, caldav_namespace);
    }
    return nullptr;
}

}  // namespace caldav::module
