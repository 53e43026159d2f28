// A principal's calendar user address: the user name if it is a mail address, else the name at the
// configured mail domain.
#include "dav/calendar_user_address.hpp"

namespace caldav::dav {

namespace {

// local@domain with both parts present and one '@' (RFC 5322 §3.4.1's shape; the rest is the MTA's).
bool is_mail_address(std::string_view text) {
    std::string_view::size_type at = text.find('@');
    return at != std::string_view::npos && at > 0 && at + 1 < text.size() &&
           text.find('@', at + 1) == std::string_view::npos;
}

}  // namespace

std::optional<std::string> mail_address(std::string_view user, std::string_view email_domain) {
    if (is_mail_address(user)) return std::string(user);
    if (user.find('@') != std::string_view::npos || user.empty()) return std::nullopt;
    std::string address = std::string(user) + "@" + std::string(email_domain);
    if (email_domain.empty() || !is_mail_address(address)) return std::nullopt;
    return address;
}

std::optional<std::string> calendar_user_address(std::string_view user, std::string_view email_domain) {
    std::optional<std::string> mail = mail_address(user, email_domain);
    if (!mail) return std::nullopt;
    return "mailto:" + *mail;
}

}  // namespace caldav::dav
