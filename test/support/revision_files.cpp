#include "revision_files.hpp"

#include "pg_server.hpp"

namespace retort::test {

std::string revision_json(const std::string& id, const std::string& parent, const std::string& up,
                          const std::string& down, const std::string& warnings) {
  return R"({"revision": ")" + id + R"(", "down_revision": )" + parent + R"(, "message": "rev )" +
         id + R"(", "created_at": "2026-01-01T00:00:0)" + id.substr(0, 1) + R"(Z", "upgrade": [)" +
         up + R"(], "downgrade": [)" + down + R"(], "warnings": [)" + warnings + "]}";
}

std::string execute(const std::string& sql, const std::string& down) {
  return R"({"op": "execute", "sql": ")" + sql + R"(", "down_sql": )" +
         (down.empty() ? "null" : "\"" + down + "\"") + "}";
}

ToolResult retort_at(const std::string& url, const std::string& versions,
                     std::vector<std::string> args) {
  std::vector<std::string> all = {"--url", url, "--versions", versions, "--schema", "public"};
  all.insert(all.end(), args.begin(), args.end());
  return run_retort(all);
}

std::string applied(const std::string& url) {
  return query_value(url,
                     "SELECT coalesce(string_agg(revision, ',' ORDER BY revision), '') FROM "
                     "public.retort_version");
}

}  // namespace retort::test
