#include "retort/connection.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <future>
#include <optional>
#include <regex>

#include "retort/error.hpp"

namespace retort {

namespace {

// libpq's reason is on the first line; the lines after it are hints ("Is the server running...").
std::string first_line(std::string s) {
  auto nl = s.find('\n');
  if (nl != std::string::npos) s = s.substr(0, nl);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

// The password written in `url`, as typed (a URI's user:PASSWORD@ or a conninfo password=).
std::optional<std::string> typed_password(const std::string& url) {
  static const std::regex uri(R"(^postgres(?:ql)?://[^:/@]*:([^@]*)@)");
  static const std::regex kv(R"(password\s*=\s*('(?:[^'\\]|\\.)*'|\S+))");
  std::smatch m;
  if (std::regex_search(url, m, uri) || std::regex_search(url, m, kv)) return m[1].str();
  return std::nullopt;
}

// host, port and database as libpq resolves them (defaults and environment included).
std::string target_of(const std::string& url) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
  if (!opts) {
    std::string reason = err ? first_line(err) : "cannot parse it";
    if (err) PQfreemem(err);
    throw DatabaseError(
        fmt::format("invalid database URL {}: {}", redact_url(url), redact_in(reason, url)));
  }
  std::string host, port, db, user;
  for (auto* o = opts; o->keyword; ++o) {
    std::string k = o->keyword;
    std::string v = o->val ? o->val : "";
    if (k == "host" && !v.empty()) host = v;
    if (k == "hostaddr" && host.empty() && !v.empty()) host = v;
    if (k == "port") port = v;
    if (k == "dbname") db = v;
    if (k == "user") user = v;
  }
  PQconninfoFree(opts);
  auto env = [](const char* name, const std::string& fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::string(v) : fallback;
  };
  if (host.empty()) host = env("PGHOST", "localhost");
  if (port.empty()) port = env("PGPORT", "5432");
  if (user.empty()) user = env("PGUSER", "");
  if (db.empty()) db = env("PGDATABASE", user);
  return fmt::format("host {}, port {}, database {}", host, port, db.empty() ? "(default)" : db);
}

}  // namespace

std::string redact_in(std::string message, const std::string& url) {
  // libpq's parse errors quote the whole URI, or just the token it choked on (which may be the
  // password, or a piece of it).
  auto replace_all = [&](const std::string& needle, const std::string& with) {
    if (needle.empty()) return;
    for (auto p = message.find(needle); p != std::string::npos;
         p = message.find(needle, p + with.size()))
      message.replace(p, needle.size(), with);
  };
  replace_all(url, redact_url(url));
  if (auto password = typed_password(url)) {
    replace_all(*password, "***");
    // A quoted token is any run of the password's characters: hide every piece of 4 or more.
    for (std::size_t len = password->size(); len >= 4; --len)
      for (std::size_t at = 0; at + len <= password->size(); ++at)
        replace_all(password->substr(at, len), "***");
  }
  return redact_url(message);
}

std::string redact_url(const std::string& url) {
  static const std::regex uri_password(R"((postgres(?:ql)?://[^:/@\s"]*:)[^@\s"]*@)");
  static const std::regex kv_password(R"((password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+))");
  auto out = std::regex_replace(url, uri_password, "$1***@");
  return std::regex_replace(out, kv_password, "$1***");
}

std::string describe(const std::exception& e) {
  std::string what = e.what();
  while (!what.empty() && (what.back() == '\n' || what.back() == ' ')) what.pop_back();
  if (auto* sql = dynamic_cast<const pqxx::sql_error*>(&e); sql && !sql->sqlstate().empty())
    return fmt::format("{} (SQLSTATE {})", what, sql->sqlstate());
  return what;
}

std::unique_ptr<pqxx::connection> connect(const std::string& url) {
  auto target = target_of(url);
  try {
    return std::make_unique<pqxx::connection>(url);
  } catch (const pqxx::broken_connection& e) {
    std::string reason = first_line(e.what());
    if (reason.starts_with("connection to server at ")) {
      auto colon = reason.find("failed: ");
      if (colon != std::string::npos) reason = reason.substr(colon + 8);
    }
    throw DatabaseError(
        fmt::format("cannot connect to PostgreSQL ({}): {}", target, redact_in(reason, url)));
  } catch (const std::exception& e) {
    throw DatabaseError(fmt::format("cannot connect to PostgreSQL ({}): {}", target,
                                    redact_in(first_line(e.what()), url)));
  }
}

ConnectionPair connect_pair(const std::string& url) {
  auto helper = std::async(std::launch::async, [&url] { return connect(url); });
  ConnectionPair pair;
  try {
    pair.main = connect(url);
  } catch (...) {
    helper.wait();  // both fail alike when the server is unreachable; one message is enough
    throw;
  }
  pair.helper = helper.get();
  return pair;
}

}  // namespace retort
