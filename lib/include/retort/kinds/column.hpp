// Columns: added, dropped, retyped, NOT NULL, defaults and comments.
#pragma once

#include "retort/kinds/kind.hpp"

namespace retort {

ordered_json to_json(const Column& c);
void from_json(const JsonCursor& c, Column& out);

namespace op {

struct DropColumn;
struct AddColumn {
  static constexpr std::string_view kName = "add_column";
  QualifiedName table;
  Column column;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("table", o.table);
    f("column", o.column);
  }
  std::vector<std::string> sql() const;
  DropColumn inverse() const;
  std::string describe() const;
  bool operator==(const AddColumn&) const = default;
};
struct DropColumn {
  static constexpr std::string_view kName = "drop_column";
  QualifiedName table;
  Column column;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("table", o.table);
    f("column", o.column);
  }
  std::vector<std::string> sql() const;
  AddColumn inverse() const { return {table, column}; }
  std::string describe() const;
  bool operator==(const DropColumn&) const = default;
};
struct AlterColumnType {
  static constexpr std::string_view kName = "alter_column_type";
  QualifiedName table;
  std::string column;
  std::string type;
  std::string old_type;
  std::optional<std::string> using_expr;      // USING for the upgrade
  std::optional<std::string> old_using_expr;  // USING for the downgrade
  std::optional<std::string> collation;       // COLLATE; nullopt: the type's own
  std::optional<std::string> old_collation;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("table", o.table);
    f("column", o.column);
    f("type", o.type);
    f("old_type", o.old_type);
    f("using", o.using_expr, Absent::omit);
    f("old_using", o.old_using_expr, Absent::omit);
    f("collation", o.collation, Absent::omit);
    f("old_collation", o.old_collation, Absent::omit);
  }
  std::vector<std::string> sql() const;
  AlterColumnType inverse() const {
    return {table, column, old_type, type, old_using_expr, using_expr, old_collation, collation};
  }
  std::string describe() const;
  bool operator==(const AlterColumnType&) const = default;
};
struct DropNotNull;
struct SetNotNull {
  static constexpr std::string_view kName = "set_not_null";
  QualifiedName table;
  std::string column;
  // Online: a CHECK (column IS NOT NULL) added NOT VALID, validated, then SET NOT NULL (which
  // PostgreSQL 12+ then does without a scan) and the check dropped, each a step (online.hpp).
  bool online = false;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("table", o.table);
    f("column", o.column);
    f("online", o.online, false);
  }
  std::vector<std::string> sql() const;
  DropNotNull inverse() const;
  std::string describe() const;
  bool operator==(const SetNotNull&) const = default;
};
struct DropNotNull {
  static constexpr std::string_view kName = "drop_not_null";
  QualifiedName table;
  std::string column;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("table", o.table);
    f("column", o.column);
  }
  std::vector<std::string> sql() const;
  SetNotNull inverse() const { return {table, column}; }
  std::string describe() const;
  bool operator==(const DropNotNull&) const = default;
};
struct DropDefault;
struct SetDefault {
  static constexpr std::string_view kName = "set_default";
  QualifiedName table;
  std::string column;
  std::string default_expr;
  std::optional<std::string> old_default;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("table", o.table);
    f("column", o.column);
    f("default", o.default_expr);
    f("old_default", o.old_default);
  }
  std::vector<std::string> sql() const;
  std::variant<SetDefault, DropDefault> inverse() const;
  std::string describe() const;
  bool operator==(const SetDefault&) const = default;
};
struct DropDefault {
  static constexpr std::string_view kName = "drop_default";
  QualifiedName table;
  std::string column;
  std::string old_default;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("table", o.table);
    f("column", o.column);
    f("old_default", o.old_default);
  }
  std::vector<std::string> sql() const;
  SetDefault inverse() const { return {table, column, old_default, std::nullopt}; }
  std::string describe() const;
  bool operator==(const DropDefault&) const = default;
};
struct SetColumnComment {
  static constexpr std::string_view kName = "set_column_comment";
  QualifiedName table;
  std::string column;
  std::optional<std::string> comment;
  std::optional<std::string> old_comment;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("table", o.table);
    f("column", o.column);
    f("comment", o.comment);
    f("old_comment", o.old_comment);
  }
  std::vector<std::string> sql() const;
  SetColumnComment inverse() const { return {table, column, old_comment, comment}; }
  std::string describe() const;
  bool operator==(const SetColumnComment&) const = default;
};

}  // namespace op

struct ColumnKind {
  using Ops = TypeList<op::AddColumn, op::DropColumn, op::AlterColumnType, op::SetNotNull,
                       op::DropNotNull, op::SetDefault, op::DropDefault, op::SetColumnComment>;
};

}  // namespace retort
