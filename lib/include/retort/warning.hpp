// Warnings: the steps of a plan a reviewer must see (data lost, steps that may fail on existing
// rows, steps that cannot be undone). Typed, so the differ, the CLI and tests agree on what each
// one is about without reading its text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "retort/schema.hpp"

namespace retort {

enum class WarningKind {
  drops_table,               // the table and its rows are gone
  drops_column,              // the column and its values are gone
  replaces_column,           // a column rebuilt as or from a generated column loses its values
  narrows_type,              // a type change that may fail or lose precision on existing rows
  not_null_without_default,  // a NOT NULL column added without a default: fails on rows
  sets_not_null,             // SET NOT NULL: fails if any row holds NULL
  irreversible,              // a step the downgrade cannot undo
  serial_differs,            // a serial default differs; retort leaves it as is
  rebuilds_invalid_index,    // an INVALID index (a failed CONCURRENTLY build) is built again
};

struct Warning {
  WarningKind kind;
  std::string object;   // what it is about: "public.members.email"
  std::string message;  // one human line
  // Set when the warning holds only if this table has rows (the differ cannot know; compare()
  // asks the database and keeps or drops it).
  std::optional<QualifiedName> only_if_rows;

  bool operator==(const Warning&) const = default;
};

std::string_view to_string(WarningKind kind);  // "drops_table", ...

// Hazards: what one op does to a live database under traffic, whatever its data (warnings are
// about this plan and these tables). Each op has its own (see hazard.hpp); revision files keep
// them beside the op, and `revision`, `show` and `upgrade` print them.
enum class HazardKind {
  deletes_data,           // rows or values are gone (a dropped table or column)
  rewrites_table,         // the whole table is rewritten under an ACCESS EXCLUSIVE lock
  access_exclusive_scan,  // reads every row under an ACCESS EXCLUSIVE lock (no reads or writes)
  builds_index,           // builds an index; writes to the table wait unless CONCURRENTLY
  validates_rows,         // checks every existing row against a new constraint
  irreversible,           // the downgrade cannot undo it
  changes_authorization,  // grants, revokes, policies or owners change who may do what
  may_fail_on_data,       // fails if existing rows do not fit (NULLs, duplicates, casts, ...)
};

std::string_view to_string(HazardKind kind);  // "deletes_data", ...
// nullopt for a name that is no hazard kind.
std::optional<HazardKind> hazard_kind_from_string(std::string_view name);
// One line for a reviewer: what it means on a live database.
std::string_view explain(HazardKind kind);
// Every hazard kind, in declaration order.
const std::vector<HazardKind>& all_hazard_kinds();

}  // namespace retort
