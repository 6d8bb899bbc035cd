// Hazards of ops: what each step does to a live database under traffic (locks, scans, rewrites,
// data it deletes or may fail on). Typed (HazardKind, warning.hpp), so revision files, the CLI
// and tests agree on them. See docs/migrations.md, "Hazards".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "retort/ops.hpp"
#include "retort/warning.hpp"

namespace retort {

// The table an op works on; nullopt for an op on no one table (schemas, enum types, execute).
std::optional<QualifiedName> table_of(const Op& op);

// The op's own hazards, in HazardKind order, whatever the plan around it.
std::vector<HazardKind> hazards(const Op& op);

// The hazards of each op of a list, in order: as hazards(op), except that an op on a table an
// earlier op of the list creates has none of the data hazards (the table is new and empty).
std::vector<std::vector<HazardKind>> hazards(const std::vector<Op>& ops);

// `declared` and `computed` together, each kind once, in HazardKind order.
std::vector<HazardKind> merge_hazards(const std::vector<HazardKind>& declared,
                                      const std::vector<HazardKind>& computed);

// "builds_index, may_fail_on_data"
std::string join(const std::vector<HazardKind>& kinds);

// One line per op that has hazards: "op #2 create index ... : builds_index" (1-based, as the
// runner numbers ops), for the revision's reviewers and the runner's listener.
std::vector<std::string> hazard_lines(const std::vector<Op>& ops,
                                      const std::vector<std::vector<HazardKind>>& per_op);

// "2 builds_index, 1 deletes_data" (empty when there are none): a revision's summary line.
std::string summarize(const std::vector<std::vector<HazardKind>>& per_op);

}  // namespace retort
