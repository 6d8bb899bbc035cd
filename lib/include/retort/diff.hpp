// The differ: two Schemas -> the ordered ops that turn the first into the second, their exact
// inverses, and the warnings a reviewer must see. See docs/autogenerate.md.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "retort/ops.hpp"
#include "retort/schema.hpp"
#include "retort/warning.hpp"

namespace retort {

// An object of a new kind (sequence, extension, domain, view, ...) that the database holds in a
// managed schema and the target does not declare: kept, and reported (see Plan::drop_or_report).
struct Unmanaged {
  std::string kind;  // "sequence", "extension", ...
  QualifiedName name;

  auto operator<=>(const Unmanaged&) const = default;
};

struct SchemaDiff {
  std::vector<Op> upgrade;
  std::vector<Op> downgrade;  // undoes upgrade exactly, in reverse order
  // Some hold only if a table has rows ("NOT NULL without a default"): the differ flags every
  // such step, and the caller who knows which tables hold rows keeps those that apply.
  std::vector<Warning> warnings;
  std::vector<Unmanaged> unmanaged;  // sorted; not changes: `check` ignores them

  bool empty() const { return upgrade.empty(); }
  // The tables that warnings ask about (Warning::only_if_rows), sorted.
  std::vector<QualifiedName> tables_asked() const;
  // Drops the warnings whose table has no rows; the others hold and lose their condition.
  void keep_row_warnings(const std::function<bool(const QualifiedName&)>& has_rows);
};

// Both schemas must be canonical (introspected, or canonicalized by the server: see
// compare.hpp) for the comparison to be free of false positives. Throws Error for a change
// retort cannot express safely (an enum label removed or reordered), naming the object.
SchemaDiff diff(const Schema& current, const Schema& target);

// Whether turning column `from` (nullptr: a new column) into `to` fails on a table that has rows
// (a NOT NULL column added without a default, NOT NULL set): the steps behind row warnings.
bool fails_on_rows(const Column* from, const Column& to);

// Whether two canonical default expressions mean the same (now() and CURRENT_TIMESTAMP do).
bool same_default(const std::optional<std::string>& a, const std::optional<std::string>& b);

}  // namespace retort
