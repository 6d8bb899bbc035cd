// Data pre-checks: before a revision touches a database with rows, one read per data-dependent
// op finds the rows it would fail on (NULLs before SET NOT NULL, duplicates before a unique
// constraint or index, values too long for a narrowed type, values a type cast rejects, rows
// breaking a new CHECK or foreign key). Nothing is changed. See docs/migrations.md.
#pragma once

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "retort/revision.hpp"

namespace retort {

struct PrecheckFailure {
  std::string revision;
  std::size_t op_number = 0;         // 1-based, as the runner numbers ops
  std::string op;                    // describe(op)
  std::string problem;               // "rows hold NULL in public.t.a"
  long long count = 0;               // offending rows (or duplicated values)
  std::vector<std::string> samples;  // a few primary keys (or ctids, or duplicated values)
};

// Checks the upgrade ops of `revisions`, in order, against the data as it is now, in one
// transaction that is rolled back. An op whose table or column does not exist yet (an earlier
// op of the path creates it) cannot be checked ahead and is skipped; checking stops at the first
// `execute` op (hand-written SQL may change the data the later ops meet).
std::vector<PrecheckFailure> precheck(pqxx::connection_base& conn,
                                      const std::vector<const Revision*>& revisions);

// "revision R op #N (...): 3 row(s) with NULL in public.t.a; for example: 1, 2, 5"
std::string to_string(const PrecheckFailure& f);

}  // namespace retort
