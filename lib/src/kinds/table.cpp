#include "retort/kinds/table.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "../plan.hpp"
#include "retort/kinds/column.hpp"
#include "retort/kinds/policy.hpp"
#include "retort/ops.hpp"
#include "retort/sql.hpp"

namespace retort {

ordered_json to_json(const Table& t) {
  ordered_json j;
  j["name"] = t.name;
  if (t.comment) j["comment"] = *t.comment;
  if (t.unlogged) j["unlogged"] = true;
  if (!t.options.empty()) j["options"] = t.options;
  if (t.row_security) j["row_security"] = true;
  if (t.force_row_security) j["force_row_security"] = true;
  if (t.renamed_from.value) j["renamed_from"] = *t.renamed_from.value;
  ordered_json cols = ordered_json::array();
  for (const auto& c : t.columns) cols.push_back(to_json(c));
  j["columns"] = std::move(cols);
  if (t.primary_key) j["primary_key"] = to_json(*t.primary_key);
  if (t.partition_by) j["partition_by"] = *t.partition_by;
  if (!t.partitions.empty()) {
    ordered_json parts = ordered_json::array();
    for (const auto& p : t.partitions) parts.push_back(to_json(p));
    j["partitions"] = std::move(parts);
  }
  for_each_table_item_kind([&]<class Kind>() {
    const auto& items = Kind::items(t);
    if (items.empty()) return;
    ordered_json arr = ordered_json::array();
    for (const auto& i : items) arr.push_back(to_json(i));
    j[std::string(Kind::kJsonKey)] = std::move(arr);
  });
  return j;
}

void from_json(const JsonCursor& c, Table& t) {
  // Listed once, not for each of 10,000 tables.
  static const std::vector<std::string_view> keys = [] {
    std::vector<std::string_view> out = {
        "name",         "comment",     "columns",      "unlogged",
        "options",      "primary_key", "row_security", "force_row_security",
        "partition_by", "partitions",  "renamed_from"};
    for_each_table_item_kind([&]<class Kind>() { out.push_back(Kind::kJsonKey); });
    return out;
  }();
  c.allow_keys(keys);
  t.name = c.string_at("name");
  t.comment = c.optional_string("comment");
  t.unlogged = c.bool_or("unlogged", false);
  t.options = c.strings_or_empty("options");
  t.row_security = c.bool_or("row_security", false);
  t.force_row_security = c.bool_or("force_row_security", false);
  t.renamed_from.value = c.optional_string("renamed_from");
  auto columns = c.at("columns").elements();
  t.columns.resize(columns.size());  // exactly: 10,000 tables of grown vectors add up
  for (std::size_t i = 0; i < columns.size(); ++i) from_json(columns[i], t.columns[i]);
  if (auto pk = c.find("primary_key"); pk && !pk->is_null())
    from_json(*pk, t.primary_key.emplace());
  t.partition_by = c.optional_string("partition_by");
  if (auto list = c.find("partitions")) {
    for (const auto& e : list->elements()) from_json(e, t.partitions.emplace_back());
    if (!t.partition_by) list->fail("no partitions without \"partition_by\"");
    std::sort(t.partitions.begin(), t.partitions.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
  }
  for_each_table_item_kind([&]<class Kind>() {
    if (auto list = c.find(Kind::kJsonKey))
      for (const auto& e : list->elements()) from_json(e, Kind::items(t).emplace_back());
  });
}

Table without_separate_items(Table t) {
  for_each_table_item_kind([&]<class Kind>() {
    if constexpr (!Kind::kInCreateTable) Kind::items(t).clear();
  });
  t.partitions.clear();  // partitions have ops of their own
  return t;
}

std::string create_table_sql(const QualifiedName& name, const Table& t) {
  std::vector<std::string> items;
  for (const auto& c : t.columns) items.push_back(column_definition(c));
  if (t.primary_key) items.push_back(PrimaryKeyKind::clause(*t.primary_key));
  for_each_table_item_kind([&]<class Kind>() {
    if constexpr (Kind::kInCreateTable)
      for (const auto& i : Kind::items(t)) items.push_back(Kind::clause(i));
  });
  std::string out =
      (t.unlogged ? "CREATE UNLOGGED TABLE " : "CREATE TABLE ") + qualified(name) + " (";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ",\n  " : "\n  ") + items[i];
  out += items.empty() ? ")" : "\n)";
  if (t.partition_by) out += " PARTITION BY " + *t.partition_by;
  return out + with_options_sql(t.options);
}

std::string with_options_sql(const std::vector<std::string>& options) {
  std::string out;
  for (const auto& o : options) out += (out.empty() ? " WITH (" : ", ") + o;
  return out.empty() ? out : out + ")";
}

namespace {

std::string option_name(const std::string& option) { return option.substr(0, option.find('=')); }

}  // namespace

void diff_table_settings(Plan& plan, const QualifiedName& q, const Table& old, const Table& t) {
  if (old.unlogged != t.unlogged)
    plan.emit(Phase::alter_columns, op::SetTablePersistence{q, t.unlogged});
  // The catalog keeps parameters in the order they were set: compared as sets.
  auto sorted = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  if (sorted(old.options) != sorted(t.options))
    plan.emit(Phase::alter_columns, op::SetTableOptions{q, t.options, old.options});
}

void create_table(Plan& plan, const QualifiedName& q, const Table& t) {
  plan.emit(Phase::create_tables, op::CreateTable{q.schema, without_separate_items(t)});
  create_partitions(plan, q, t);
  for_each_table_item_kind([&]<class Kind>() {
    if constexpr (!Kind::kInCreateTable)
      for (const auto& item : Kind::items(t))
        plan.emit(Kind::kAddPhase, op::AddItem<Kind>{q, item});
  });
}

void drop_table(Plan& plan, const QualifiedName& q, const Table& t) {
  for_each_table_item_kind([&]<class Kind>() {
    if constexpr (!Kind::kInCreateTable)
      for (const auto& item : Kind::items(t))
        plan.emit(Kind::kDropPhase, op::DropItem<Kind>{q, item});
  });
  drop_partitions(plan, q, t);
  plan.emit(Phase::drop_tables, op::DropTable{q.schema, without_separate_items(t)});
  plan.warn(WarningKind::drops_table, display(q),
            fmt::format("drops table {} and all its rows", display(q)));
}

namespace op {

// Items of kinds with ops of their own (foreign keys, indexes) are left out: the differ emits
// them after every table exists. The comments CREATE TABLE cannot express follow it.
std::vector<std::string> CreateTable::sql() const {
  QualifiedName q{schema, table.name};
  std::vector<std::string> out{create_table_sql(q, without_separate_items(table))};
  for (auto& s : row_security_sql(q, table.row_security, table.force_row_security))
    out.push_back(std::move(s));
  if (table.comment) out.push_back(comment_on_table_sql(q, table.comment));
  for (const auto& c : table.columns)
    if (c.comment) out.push_back(comment_on_column_sql(q, c.name, c.comment));
  return out;
}
DropTable CreateTable::inverse() const { return {schema, table}; }
std::string CreateTable::describe() const {
  return fmt::format("create table {}.{} ({} columns)", schema, table.name, table.columns.size());
}

std::vector<std::string> DropTable::sql() const {
  return {"DROP TABLE " + qualified({schema, table.name})};
}
CreateTable DropTable::inverse() const { return {schema, table}; }
std::string DropTable::describe() const {
  return fmt::format("drop table {}.{}", schema, table.name);
}

std::vector<std::string> SetTableComment::sql() const {
  return {comment_on_table_sql(table, comment)};
}
std::vector<std::string> SetTablePersistence::sql() const {
  return {"ALTER TABLE " + qualified(table) + (unlogged ? " SET UNLOGGED" : " SET LOGGED")};
}
std::string SetTablePersistence::describe() const {
  return fmt::format("set table {} {}", display(table), unlogged ? "unlogged" : "logged");
}

// Parameters `old_options` has and `options` lacks are reset; the others are set.
std::vector<std::string> SetTableOptions::sql() const {
  std::string reset, set;
  for (const auto& o : old_options) {
    auto name = option_name(o);
    if (std::none_of(options.begin(), options.end(),
                     [&](const std::string& n) { return option_name(n) == name; }))
      reset += (reset.empty() ? "" : ", ") + name;
  }
  for (const auto& o : options)
    if (std::find(old_options.begin(), old_options.end(), o) == old_options.end())
      set += (set.empty() ? "" : ", ") + o;
  std::vector<std::string> out;
  if (!reset.empty()) out.push_back("ALTER TABLE " + qualified(table) + " RESET (" + reset + ")");
  if (!set.empty()) out.push_back("ALTER TABLE " + qualified(table) + " SET (" + set + ")");
  return out;
}
std::string SetTableOptions::describe() const {
  return fmt::format("set storage parameters of table {} ({})", display(table),
                     fmt::join(options, ", "));
}

std::string SetTableComment::describe() const {
  return fmt::format("set comment on table {}", display(table));
}

}  // namespace op

}  // namespace retort
