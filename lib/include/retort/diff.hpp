// The differ: two Schemas -> the ordered ops that turn the first into the second, their exact
// inverses, and the warnings a reviewer must see. See docs/autogenerate.md.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "retort/ops.hpp"
#include "retort/schema.hpp"

namespace retort {

struct SchemaDiff {
  std::vector<Op> upgrade;
  std::vector<Op> downgrade;  // undoes upgrade exactly, in reverse order
  std::vector<std::string> warnings;

  bool empty() const { return upgrade.empty(); }
};

struct DiffOptions {
  // Whether a table holds rows; it makes "NOT NULL without a default" warnings precise. Without
  // it, every such step is flagged.
  std::function<bool(const QualifiedName&)> has_rows;
};

// Both schemas must be canonical (introspected, or canonicalized by the server: see
// canonicalize.hpp) for the comparison to be free of false positives. Throws Error for a change
// retort cannot express safely (an enum label removed or reordered), naming the object.
SchemaDiff diff(const Schema& current, const Schema& target, const DiffOptions& options = {});

// Whether two canonical default expressions mean the same (now() and CURRENT_TIMESTAMP do).
bool same_default(const std::optional<std::string>& a, const std::optional<std::string>& b);

}  // namespace retort
