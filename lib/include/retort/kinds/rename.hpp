// Renames that keep the data: a schema, table, column, enum type, enum label, index or
// constraint takes a new name in place (ALTER ... RENAME). Each op's inverse renames it back.
// What asks for a rename (hints, --rename, a prompt's answer) lives in retort/rename.hpp.
#pragma once

#include "retort/kinds/kind.hpp"

namespace retort {

namespace op {

// Two templates: an object renamed by its own name (RenameObject: a schema, a table, an enum
// type) and a member renamed inside its owner (RenameMember: a table's column or constraint, an
// enum type's label, a schema's index). The name or owner is a schema's std::string or a
// QualifiedName; a RenameForm says the rest: the op's name, the JSON key of the name (or of the
// owner), and fmt formats of its statement and description with named arguments {name} or
// {owner}, {from} and {to}. In `sql` they are quoted as identifiers ("s"."t"); {from_literal} and
// {to_literal} quote them as values (enum labels).
struct RenameForm {
  std::string_view op_name, key, sql, description;
};

// ALTER ... name RENAME TO "to".
template <class Name, const RenameForm& kForm>
struct RenameObject {
  static constexpr std::string_view kName = kForm.op_name;
  Name name;
  std::string to;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f(kForm.key, o.name);
    f("to", o.to);
  }
  std::vector<std::string> sql() const;
  RenameObject inverse() const {
    if constexpr (std::is_same_v<Name, QualifiedName>)
      return {{name.schema, to}, name.name};
    else
      return {to, name};
  }
  std::string describe() const;
  bool operator==(const RenameObject&) const = default;
};

// ALTER ... owner RENAME ... "from" TO "to".
template <class Owner, const RenameForm& kForm>
struct RenameMember {
  static constexpr std::string_view kName = kForm.op_name;
  Owner owner;
  std::string from;
  std::string to;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f(kForm.key, o.owner);
    f("from", o.from);
    f("to", o.to);
  }
  std::vector<std::string> sql() const;
  RenameMember inverse() const { return {owner, to, from}; }
  std::string describe() const;
  bool operator==(const RenameMember&) const = default;
};

inline constexpr RenameForm kSchemaRename{"rename_schema", "schema",
                                          "ALTER SCHEMA {name} RENAME TO {to}",
                                          "rename schema {name} to {to}"};
// Same schema.
inline constexpr RenameForm kTableRename{
    "rename_table", "table", "ALTER TABLE {name} RENAME TO {to}", "rename table {name} to {to}"};
inline constexpr RenameForm kEnumRename{"rename_enum", "enum", "ALTER TYPE {name} RENAME TO {to}",
                                        "rename enum {name} to {to}"};
inline constexpr RenameForm kColumnRename{"rename_column", "table",
                                          "ALTER TABLE {owner} RENAME COLUMN {from} TO {to}",
                                          "rename column {owner}.{from} to {to}"};
// Rows holding the label follow it.
inline constexpr RenameForm kEnumLabelRename{
    "rename_enum_label", "enum", "ALTER TYPE {owner} RENAME VALUE {from_literal} TO {to_literal}",
    "rename label {from} of enum {owner} to {to}"};
// No rebuild, whatever the index's size.
inline constexpr RenameForm kIndexRename{"rename_index", "schema",
                                         "ALTER INDEX {owner}.{from} RENAME TO {to}",
                                         "rename index {owner}.{from} to {to}"};
// A primary key's or unique constraint's index follows it.
inline constexpr RenameForm kConstraintRename{
    "rename_constraint", "table", "ALTER TABLE {owner} RENAME CONSTRAINT {from} TO {to}",
    "rename constraint {from} on {owner} to {to}"};

using RenameSchema = RenameObject<std::string, kSchemaRename>;
using RenameTable = RenameObject<QualifiedName, kTableRename>;
using RenameEnum = RenameObject<QualifiedName, kEnumRename>;
using RenameColumn = RenameMember<QualifiedName, kColumnRename>;
using RenameEnumLabel = RenameMember<QualifiedName, kEnumLabelRename>;
using RenameIndex = RenameMember<std::string, kIndexRename>;
using RenameConstraint = RenameMember<QualifiedName, kConstraintRename>;

}  // namespace op

struct RenameKind {
  using Ops = TypeList<op::RenameSchema, op::RenameTable, op::RenameColumn, op::RenameEnum,
                       op::RenameEnumLabel, op::RenameIndex, op::RenameConstraint>;
};

}  // namespace retort
