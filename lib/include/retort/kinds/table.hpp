// Tables as a whole: CREATE TABLE (columns, primary key and the constraints rendered inline),
// DROP TABLE, and the table's comment. Foreign keys and indexes are ops of their own kinds, so
// that tables referring to each other can be created.
#pragma once

#include "retort/kinds/kind.hpp"

namespace retort {

ordered_json to_json(const Table& t);
void from_json(const JsonCursor& c, Table& out);

// CREATE TABLE with columns, primary key and the constraints of kinds rendered inline.
std::string create_table_sql(const QualifiedName& name, const Table& table);
// The table without the items of kinds that have ops of their own (foreign keys, indexes).
Table without_separate_items(Table table);

namespace op {

struct DropTable;
struct CreateTable {
  static constexpr std::string_view kName = "create_table";
  std::string schema;
  Table table;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("schema", o.schema);
    f("table", o.table);
  }
  std::vector<std::string> sql() const;
  DropTable inverse() const;
  std::string describe() const;
  bool operator==(const CreateTable&) const = default;
};
struct DropTable {
  static constexpr std::string_view kName = "drop_table";
  std::string schema;
  Table table;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("schema", o.schema);
    f("table", o.table);
  }
  std::vector<std::string> sql() const;
  CreateTable inverse() const;
  std::string describe() const;
  bool operator==(const DropTable&) const = default;
};
struct SetTableComment {
  static constexpr std::string_view kName = "set_table_comment";
  QualifiedName table;
  std::optional<std::string> comment;  // nullopt removes it
  std::optional<std::string> old_comment;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("table", o.table);
    f("comment", o.comment);
    f("old_comment", o.old_comment);
  }
  std::vector<std::string> sql() const;
  SetTableComment inverse() const { return {table, old_comment, comment}; }
  std::string describe() const;
  bool operator==(const SetTableComment&) const = default;
};

// ALTER TABLE ... SET UNLOGGED / SET LOGGED (rewrites the table).
struct SetTablePersistence {
  static constexpr std::string_view kName = "set_table_persistence";
  QualifiedName table;
  bool unlogged = false;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("table", o.table);
    f("unlogged", o.unlogged, false);
  }
  std::vector<std::string> sql() const;
  SetTablePersistence inverse() const { return {table, !unlogged}; }
  std::string describe() const;
  bool operator==(const SetTablePersistence&) const = default;
};

// ALTER TABLE ... RESET (what `options` lacks) / SET (what it adds or changes).
struct SetTableOptions {
  static constexpr std::string_view kName = "set_table_options";
  QualifiedName table;
  std::vector<std::string> options;  // "fillfactor=70"
  std::vector<std::string> old_options;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("table", o.table);
    f("options", o.options);
    f("old_options", o.old_options);
  }
  std::vector<std::string> sql() const;
  SetTableOptions inverse() const { return {table, old_options, options}; }
  std::string describe() const;
  bool operator==(const SetTableOptions&) const = default;
};

}  // namespace op

// " WITH (fillfactor=70)" or nothing: storage parameters of a table or index.
std::string with_options_sql(const std::vector<std::string>& options);

struct TableKind {
  using Ops = TypeList<op::CreateTable, op::DropTable, op::SetTableComment, op::SetTablePersistence,
                       op::SetTableOptions>;
};

}  // namespace retort
