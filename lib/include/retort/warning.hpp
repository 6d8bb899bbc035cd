// Warnings: the steps of a plan a reviewer must see (data lost, steps that may fail on existing
// rows, steps that cannot be undone). Typed, so the differ, the CLI and tests agree on what each
// one is about without reading its text.
#pragma once

#include <optional>
#include <string>
#include <string_view>

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

}  // namespace retort
