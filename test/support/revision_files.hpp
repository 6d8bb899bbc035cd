// Hand-written revision files and the runner commands the runner, fault and progress tests share.
#pragma once

#include <string>
#include <vector>

#include "tool.hpp"

namespace retort::test {

// A revision file's JSON: `parent` is JSON (null, "\"id\"" or a list), `up`/`down`/`warnings`
// the insides of their arrays. created_at follows the id's first digit, so ids order by date.
std::string revision_json(const std::string& id, const std::string& parent, const std::string& up,
                          const std::string& down, const std::string& warnings = "");

// An execute op; without `down`, its down_sql is null.
std::string execute(const std::string& sql, const std::string& down = "");

// retort with --url, --versions and --schema public, then `args`.
ToolResult retort_at(const std::string& url, const std::string& versions,
                     std::vector<std::string> args);

// The revisions public.retort_version records, comma-separated in id order.
std::string applied(const std::string& url);

}  // namespace retort::test
