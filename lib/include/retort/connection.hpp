// Opening a database connection with an error a user can act on: host, port, database and the
// server's reason, never the password.
#pragma once

#include <memory>
#include <pqxx/pqxx>
#include <string>

namespace retort {

std::unique_ptr<pqxx::connection> connect(const std::string& url);

// Two connections to `url`, opened at the same time: introspection reads on both.
struct ConnectionPair {
  std::unique_ptr<pqxx::connection> main;
  std::unique_ptr<pqxx::connection> helper;
};
ConnectionPair connect_pair(const std::string& url);

// The URL with any password replaced by "***", for messages.
std::string redact_url(const std::string& url);
// `message` (libpq's, say) with `url`'s password, any piece of it, and any URI password hidden.
std::string redact_in(std::string message, const std::string& url);

// A one-line description of a server error, with its SQLSTATE when there is one.
std::string describe(const std::exception& e);

}  // namespace retort
