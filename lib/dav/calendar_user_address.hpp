// A principal's calendar user address (RFC 6638 §2.4.1 calendar-user-address-set): the mailto: URI
// that invitations and free-busy requests name the user by.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace caldav::dav {

// The user's mail address: the user name itself when it is one (local@domain), else the name at
// `email_domain` (CalDAVEmailDomain). None when neither gives an address: "mailto:alice" is not one
// (RFC 6068 §2 needs addr-spec), and a client would send invitations to it.
std::optional<std::string> mail_address(std::string_view user, std::string_view email_domain);

// "mailto:" + mail_address, or none.
std::optional<std::string> calendar_user_address(std::string_view user, std::string_view email_domain);

}  // namespace caldav::dav
