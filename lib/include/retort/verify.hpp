// Proving a generated plan before it is written: the upgrade is applied to the database it was
// compared with inside a transaction that is rolled back, the result must be the target; then
// the downgrade, and the result must be where it started. See docs/autogenerate.md.
#pragma once

#include <optional>
#include <pqxx/connection_base>
#include <string>
#include <vector>

#include "retort/compare.hpp"

namespace retort {

struct Verification {
  // What went wrong, exactly (the op and the server's message, or the differences left);
  // nullopt when the plan is proven.
  std::optional<std::string> failure;
  // False when the downgrade ran but could not be compared with the start: the upgrade has
  // irreversible steps (an enum label stays).
  bool downgrade_compared = true;

  bool ok() const { return !failure; }
};

// Connects to `url`, applies `cmp.diff.upgrade` in one transaction, introspects `scope` and
// requires no difference to `cmp.target`; then applies `cmp.diff.downgrade` and requires no
// difference to `cmp.current`. Always rolls back: the database is left unchanged. A
// non-transactional op is run in its transactional form.
Verification verify(const std::string& url, const std::vector<std::string>& scope,
                    const Comparison& cmp);
// The same on a connection the caller already has (one fewer connection to open).
Verification verify(pqxx::connection_base& conn, const std::vector<std::string>& scope,
                    const Comparison& cmp);

}  // namespace retort
