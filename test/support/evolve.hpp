// A schema change end to end, as the autogenerate tests and the case files (test/cases) run it:
// build 'before' and 'after' from SQL, `revision --autogenerate --target <after>` against
// 'before', `upgrade head`, then 'before' must equal 'after' (catalog), keep its rows, pass
// `check`, and `downgrade base` must restore it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tool.hpp"

namespace retort::test {

// The schemas every schema-change test manages (absent ones are skipped when reading).
const std::vector<std::string>& evolve_scopes();

// What a round trip compares, read on one connection: the schema in evolve_scopes() as snapshot
// JSON text (equal texts, equal catalogs) and "schema.table" -> row count of each table there.
struct DbState {
  std::string catalog;
  std::map<std::string, std::string> rows;
  std::map<std::string, std::string> values;  // "schema.table" -> md5 of its rows as text
};
DbState state_of(const std::string& url);
std::string catalog(const std::string& url);

// Runs retort with --url, --versions and a --schema per evolve_scopes() before `args`.
ToolResult retort_on(const std::string& url, const std::string& versions,
                     std::vector<std::string> args);

// One warning of `retort diff --format json`: {"kind", "object", "message"}.
struct DiffWarning {
  std::string kind;     // "drops_table"
  std::string object;   // "public.gone"
  std::string message;  // for failure output
};
// The warnings of `retort diff --target <target> --format json` (EXPECTs it to succeed).
std::vector<DiffWarning> diff_warnings(const std::string& url, const std::string& versions,
                                       const std::string& target,
                                       const std::vector<std::string>& args = {});

struct Evolution {
  std::string before_sql;
  std::string rows_sql;        // optional
  std::string after_sql;       // the target as SQL, or
  std::string after_snapshot;  // the target as a snapshot JSON text (when after_sql is empty)
  // What a downgrade can restore at best (e.g. enum labels cannot be removed); empty: 'before'.
  std::string downgraded_sql;
  // The upgrade must fail and leave the database as it was (the steps a warning was about).
  bool upgrade_fails = false;
  enum class Downgrade { restores, fails } downgrade = Downgrade::restores;
  // Arguments for diff, revision and check (--rename, --no-rename).
  std::vector<std::string> compare_args = {};
  // Row contents survive the upgrade (under any table names) and the downgrade restores them.
  bool values_kept = false;
};

struct Evolved {
  std::string revision_out;      // what `revision --autogenerate` printed
  std::vector<std::string> ops;  // the revision file's upgrade op names, in order
  // Each upgrade op's hazards as the file stores them: "op_name kind kind" ("op_name" alone
  // for none), in order.
  std::vector<std::string> hazards;
  std::vector<DiffWarning> warnings;  // `diff --format json` before the upgrade
};

// Runs the whole round trip with EXPECTs along the way; returns what was seen for more checks.
Evolved evolve(const Evolution& e);
inline Evolved evolve(const std::string& before_sql, const std::string& rows_sql,
                      const std::string& after_sql, const std::string& downgraded_sql = "") {
  return evolve(Evolution{before_sql, rows_sql, after_sql, "", downgraded_sql});
}

}  // namespace retort::test
