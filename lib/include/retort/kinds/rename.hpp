// Renames that keep the data: a schema, table, column, enum type, enum label, index or
// constraint takes a new name in place (ALTER ... RENAME). Each op's inverse renames it back.
// What asks for a rename (hints, --rename, a prompt's answer) lives in retort/rename.hpp.
#pragma once

#include "retort/kinds/kind.hpp"

namespace retort {

namespace op {

// ALTER SCHEMA "from" RENAME TO "to".
struct RenameSchema {
  static constexpr std::string_view kName = "rename_schema";
  std::string schema;
  std::string to;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("schema", o.schema);
    f("to", o.to);
  }
  std::vector<std::string> sql() const;
  RenameSchema inverse() const { return {to, schema}; }
  std::string describe() const;
  bool operator==(const RenameSchema&) const = default;
};

// ALTER TABLE s.from RENAME TO "to" (same schema).
struct RenameTable {
  static constexpr std::string_view kName = "rename_table";
  QualifiedName table;
  std::string to;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("table", o.table);
    f("to", o.to);
  }
  std::vector<std::string> sql() const;
  RenameTable inverse() const { return {{table.schema, to}, table.name}; }
  std::string describe() const;
  bool operator==(const RenameTable&) const = default;
};

// ALTER TABLE t RENAME COLUMN "from" TO "to".
struct RenameColumn {
  static constexpr std::string_view kName = "rename_column";
  QualifiedName table;
  std::string from;
  std::string to;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("table", o.table);
    f("from", o.from);
    f("to", o.to);
  }
  std::vector<std::string> sql() const;
  RenameColumn inverse() const { return {table, to, from}; }
  std::string describe() const;
  bool operator==(const RenameColumn&) const = default;
};

// ALTER TYPE s.from RENAME TO "to".
struct RenameEnum {
  static constexpr std::string_view kName = "rename_enum";
  QualifiedName enum_name;
  std::string to;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("enum", o.enum_name);
    f("to", o.to);
  }
  std::vector<std::string> sql() const;
  RenameEnum inverse() const { return {{enum_name.schema, to}, enum_name.name}; }
  std::string describe() const;
  bool operator==(const RenameEnum&) const = default;
};

// ALTER TYPE e RENAME VALUE 'from' TO 'to': rows holding the label follow it.
struct RenameEnumLabel {
  static constexpr std::string_view kName = "rename_enum_label";
  QualifiedName enum_name;
  std::string from;
  std::string to;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("enum", o.enum_name);
    f("from", o.from);
    f("to", o.to);
  }
  std::vector<std::string> sql() const;
  RenameEnumLabel inverse() const { return {enum_name, to, from}; }
  std::string describe() const;
  bool operator==(const RenameEnumLabel&) const = default;
};

// ALTER INDEX s.from RENAME TO "to": no rebuild, whatever the index's size.
struct RenameIndex {
  static constexpr std::string_view kName = "rename_index";
  std::string schema;
  std::string from;
  std::string to;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("schema", o.schema);
    f("from", o.from);
    f("to", o.to);
  }
  std::vector<std::string> sql() const;
  RenameIndex inverse() const { return {schema, to, from}; }
  std::string describe() const;
  bool operator==(const RenameIndex&) const = default;
};

// ALTER TABLE t RENAME CONSTRAINT "from" TO "to" (a primary key's or unique constraint's index
// follows it).
struct RenameConstraint {
  static constexpr std::string_view kName = "rename_constraint";
  QualifiedName table;
  std::string from;
  std::string to;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("table", o.table);
    f("from", o.from);
    f("to", o.to);
  }
  std::vector<std::string> sql() const;
  RenameConstraint inverse() const { return {table, to, from}; }
  std::string describe() const;
  bool operator==(const RenameConstraint&) const = default;
};

}  // namespace op

struct RenameKind {
  using Ops = TypeList<op::RenameSchema, op::RenameTable, op::RenameColumn, op::RenameEnum,
                       op::RenameEnumLabel, op::RenameIndex, op::RenameConstraint>;
};

}  // namespace retort
