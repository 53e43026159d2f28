// The one exception type lib/ throws: a store failure with a kind the adapter maps to an HTTP status.
#pragma once

#include <stdexcept>
#include <string>

namespace caldav::store {

enum class ErrorKind {
    unavailable,   // cannot open or create the database file (permissions, missing directory)
    corrupt,       // the file is not a database or is damaged
    busy,          // another writer held the lock past the busy timeout
    conflict,      // the operation contradicts what is stored (e.g. name taken by another kind)
    uid_conflict,  // another resource of the collection has the UID (detail: its path)
    precondition,  // the resource changed since the If-Match / If-None-Match the client sent (HTTP 412)
    quota,         // the write would take the owner past their quota (RFC 4331 §6 quota-not-exceeded)
    internal,      // anything else SQLite reported
};

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message, std::string detail = {})
        : std::runtime_error(message), kind_(kind), detail_(std::move(detail)) {}
    ErrorKind kind() const { return kind_; }
    const std::string& detail() const { return detail_; }

private:
    ErrorKind kind_;
    std::string detail_;
};

}  // namespace caldav::store
