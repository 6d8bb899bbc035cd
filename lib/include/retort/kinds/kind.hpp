// What every kind of schema object shares. A kind (kinds/<kind>.hpp + src/kinds/<kind>.cpp) holds
// everything retort knows about one kind of object: its ops (name, JSON fields, SQL, inverse,
// description), its JSON form, how its differences are found and in which phase they apply. The
// kinds are registered once, in ops.hpp (`Kinds`). See docs/architecture.md, "Adding a kind".
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "retort/json_cursor.hpp"
#include "retort/schema.hpp"

namespace retort {

using ordered_json = nlohmann::ordered_json;

template <class... Ts>
struct TypeList {};

// The phases the differ fills, in the order a revision applies them: new schemas and types
// before the tables using them, foreign keys dropped before what they point at, new tables
// before the foreign keys between them, drops of types and schemas last.
enum class Phase {
  create_schemas,
  create_extensions,
  create_types,
  drop_foreign_keys,
  drop_indexes,
  drop_constraints,
  drop_tables,
  create_tables,
  alter_columns,
  drop_columns,
  add_constraints,
  create_indexes,
  add_foreign_keys,
  comments,
  drop_types,
  drop_extensions,
  drop_schemas,
  count
};

// An op's inverse() returns this when it cannot be undone (PostgreSQL cannot remove an enum
// label), naming the object that stays changed.
struct Irreversible {
  std::string object;
};

// How an absent optional field is written: as null, or not at all.
enum class Absent { null, omit };

// A table's constraint as the catalog describes it (one row of pg_constraint, columns resolved
// to names); each constraint kind builds its item from it.
struct ConstraintRow {
  std::string name;
  char type = 0;  // pg_constraint.contype
  std::vector<std::string> columns;
  std::string definition;  // pg_get_constraintdef, for the kinds that ask for it
  QualifiedName ref_table;
  std::vector<std::string> ref_columns;
  char on_delete = 'a', on_update = 'a';
  bool deferrable = false, initially_deferred = false, nulls_not_distinct = false;
};

// Kinds that live in a table's lists (constraints, indexes) are handled generically by the
// snapshot, CREATE TABLE, the differ, the introspector and canonicalization. Such a kind says:
//   using Item, Add, Drop;                  the item and its two ops
//   kJsonKey                                its list's key in a table's JSON ("checks")
//   kDropPhase, kAddPhase                   when a changed item is dropped and added again
//   kInCreateTable                          rendered inside CREATE TABLE (else ops of its own)
//   kConstraintType                         its pg_constraint.contype; 0 for indexes
//   kNeedsDefinition                        whether the catalog must print its definition
//   kProbed                                 whether its text needs the server's canonical form
//   items(table)                            the table's list of them
//   clause(item)                            its clause in CREATE TABLE / ALTER TABLE ... ADD
//   uses_any(item, columns)                 whether it depends on one of `columns`
//   from_catalog(row)                       the item from a pg_constraint row
template <class Kind>
concept TableItemKind = requires(Table& t) {
  typename Kind::Item;
  { Kind::items(t) } -> std::same_as<std::vector<typename Kind::Item>&>;
};

}  // namespace retort
