// The ACL method (RFC 3744 §8.1), which this server does not offer: registered so that httpd knows
// it, and answered 405 with the resource's Allow header instead of httpd's 501.
#pragma once

#include <httpd.h>

namespace caldav::module {

// Registers the ACL method with httpd (post_config).
void register_acl_method(apr_pool_t* pool);

// Answers an ACL request (after the access policy let it through); DECLINED for other methods.
int handle_acl(request_rec* r);

}  // namespace caldav::module
