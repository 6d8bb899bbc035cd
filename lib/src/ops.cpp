#include "retort/ops.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>

#include "retort/error.hpp"
#include "retort/sql.hpp"

namespace retort {

namespace {

template <class... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

// Each op's name in a revision file, in variant order.
constexpr std::array<std::string_view, std::variant_size_v<Op>> kNames = {
    "create_schema",   "drop_schema",       "create_enum",       "drop_enum",
    "add_enum_label",  "create_table",      "drop_table",        "add_column",
    "drop_column",     "alter_column_type", "set_not_null",      "drop_not_null",
    "set_default",     "drop_default",      "add_identity",      "drop_identity",
    "add_primary_key", "drop_primary_key",  "add_unique",        "drop_unique",
    "add_check",       "drop_check",        "add_foreign_key",   "drop_foreign_key",
    "create_index",    "drop_index",        "set_table_comment", "set_column_comment",
    "execute"};

std::string table_name(const QualifiedName& q) { return q.schema + "." + q.name; }

void put_table(ordered_json& j, const QualifiedName& q) {
  j["schema"] = q.schema;
  j["table"] = q.name;
}

void put_optional(ordered_json& j, const char* key, const std::optional<std::string>& v) {
  j[key] = v ? ordered_json(*v) : ordered_json(nullptr);
}

QualifiedName table_of(const JsonCursor& c) {
  return {c.string_at("schema"), c.string_at("table")};
}

std::optional<std::string> nullable_string(const JsonCursor& c, std::string_view key) {
  return c.optional_string(key);
}

std::string alter_table(const QualifiedName& q) { return "ALTER TABLE " + qualified(q); }

std::string alter_column(const QualifiedName& q, const std::string& column) {
  return alter_table(q) + " ALTER COLUMN " + quote_ident(column);
}

std::string drop_constraint(const QualifiedName& q, const std::string& name) {
  return alter_table(q) + " DROP CONSTRAINT " + quote_ident(name);
}

// The comments a new table or column carries, which CREATE TABLE / ADD COLUMN cannot express.
void column_comment_sql(std::vector<std::string>& out, const QualifiedName& q, const Column& c) {
  if (c.comment) out.push_back(comment_on_column_sql(q, c.name, c.comment));
}

std::string column_summary(const Column& c) {
  std::string s = c.type;
  if (c.serial) s += " serial";
  if (c.identity) s += c.identity->always ? " identity always" : " identity";
  if (c.generated) s += " generated";
  s += c.nullable ? " NULL" : " NOT NULL";
  if (c.default_expr) s += " DEFAULT " + *c.default_expr;
  return s;
}

}  // namespace

std::string op_name(const Op& op) { return std::string(kNames[op.index()]); }

ordered_json to_json(const Op& op) {
  ordered_json j;
  j["op"] = op_name(op);
  std::visit(overloaded{
                 [&](const op::CreateSchema& o) { j["schema"] = o.schema; },
                 [&](const op::DropSchema& o) { j["schema"] = o.schema; },
                 [&](const op::CreateEnum& o) {
                   j["schema"] = o.schema;
                   j["enum"] = to_json(o.enum_type);
                 },
                 [&](const op::DropEnum& o) {
                   j["schema"] = o.schema;
                   j["enum"] = to_json(o.enum_type);
                 },
                 [&](const op::AddEnumLabel& o) {
                   j["schema"] = o.enum_name.schema;
                   j["enum"] = o.enum_name.name;
                   j["label"] = o.label;
                   if (o.before) j["before"] = *o.before;
                   if (o.after) j["after"] = *o.after;
                 },
                 [&](const op::CreateTable& o) {
                   j["schema"] = o.schema;
                   j["table"] = to_json(o.table);
                 },
                 [&](const op::DropTable& o) {
                   j["schema"] = o.schema;
                   j["table"] = to_json(o.table);
                 },
                 [&](const op::AddColumn& o) {
                   put_table(j, o.table);
                   j["column"] = to_json(o.column);
                 },
                 [&](const op::DropColumn& o) {
                   put_table(j, o.table);
                   j["column"] = to_json(o.column);
                 },
                 [&](const op::AlterColumnType& o) {
                   put_table(j, o.table);
                   j["column"] = o.column;
                   j["type"] = o.type;
                   j["old_type"] = o.old_type;
                   if (o.using_expr) j["using"] = *o.using_expr;
                   if (o.old_using_expr) j["old_using"] = *o.old_using_expr;
                 },
                 [&](const op::SetNotNull& o) {
                   put_table(j, o.table);
                   j["column"] = o.column;
                 },
                 [&](const op::DropNotNull& o) {
                   put_table(j, o.table);
                   j["column"] = o.column;
                 },
                 [&](const op::SetDefault& o) {
                   put_table(j, o.table);
                   j["column"] = o.column;
                   j["default"] = o.default_expr;
                   put_optional(j, "old_default", o.old_default);
                 },
                 [&](const op::DropDefault& o) {
                   put_table(j, o.table);
                   j["column"] = o.column;
                   j["old_default"] = o.old_default;
                 },
                 [&](const op::AddIdentity& o) {
                   put_table(j, o.table);
                   j["column"] = o.column;
                   j["identity"] = to_json(o.identity);
                 },
                 [&](const op::DropIdentity& o) {
                   put_table(j, o.table);
                   j["column"] = o.column;
                   j["identity"] = to_json(o.identity);
                 },
                 [&](const op::AddPrimaryKey& o) {
                   put_table(j, o.table);
                   j["primary_key"] = to_json(o.primary_key);
                 },
                 [&](const op::DropPrimaryKey& o) {
                   put_table(j, o.table);
                   j["primary_key"] = to_json(o.primary_key);
                 },
                 [&](const op::AddUnique& o) {
                   put_table(j, o.table);
                   j["unique"] = to_json(o.unique);
                 },
                 [&](const op::DropUnique& o) {
                   put_table(j, o.table);
                   j["unique"] = to_json(o.unique);
                 },
                 [&](const op::AddCheck& o) {
                   put_table(j, o.table);
                   j["check"] = to_json(o.check);
                 },
                 [&](const op::DropCheck& o) {
                   put_table(j, o.table);
                   j["check"] = to_json(o.check);
                 },
                 [&](const op::AddForeignKey& o) {
                   put_table(j, o.table);
                   j["foreign_key"] = to_json(o.foreign_key);
                 },
                 [&](const op::DropForeignKey& o) {
                   put_table(j, o.table);
                   j["foreign_key"] = to_json(o.foreign_key);
                 },
                 [&](const op::CreateIndex& o) {
                   put_table(j, o.table);
                   j["index"] = to_json(o.index);
                 },
                 [&](const op::DropIndex& o) {
                   put_table(j, o.table);
                   j["index"] = to_json(o.index);
                 },
                 [&](const op::SetTableComment& o) {
                   put_table(j, o.table);
                   put_optional(j, "comment", o.comment);
                   put_optional(j, "old_comment", o.old_comment);
                 },
                 [&](const op::SetColumnComment& o) {
                   put_table(j, o.table);
                   j["column"] = o.column;
                   put_optional(j, "comment", o.comment);
                   put_optional(j, "old_comment", o.old_comment);
                 },
                 [&](const op::Execute& o) {
                   j["sql"] = o.sql;
                   put_optional(j, "down_sql", o.down_sql);
                 },
             },
             op);
  return j;
}

Op op_from_json(const JsonCursor& c) {
  auto name = c.string_at("op");
  if (name == "create_schema" || name == "drop_schema") {
    c.allow_keys({"op", "schema"});
    auto schema = c.string_at("schema");
    if (name == "create_schema") return op::CreateSchema{schema};
    return op::DropSchema{schema};
  }
  if (name == "create_enum" || name == "drop_enum") {
    c.allow_keys({"op", "schema", "enum"});
    auto schema = c.string_at("schema");
    auto e = enum_from_json(c.at("enum"));
    if (name == "create_enum") return op::CreateEnum{schema, e};
    return op::DropEnum{schema, e};
  }
  if (name == "add_enum_label") {
    c.allow_keys({"op", "schema", "enum", "label", "before", "after"});
    op::AddEnumLabel o{{c.string_at("schema"), c.string_at("enum")},
                       c.string_at("label"),
                       nullable_string(c, "before"),
                       nullable_string(c, "after")};
    if (o.before && o.after) c.fail("at most one of \"before\" and \"after\"");
    return o;
  }
  if (name == "create_table" || name == "drop_table") {
    c.allow_keys({"op", "schema", "table"});
    auto schema = c.string_at("schema");
    auto t = table_from_json(c.at("table"));
    if (name == "create_table") return op::CreateTable{schema, t};
    return op::DropTable{schema, t};
  }
  if (name == "add_column" || name == "drop_column") {
    c.allow_keys({"op", "schema", "table", "column"});
    auto col = column_from_json(c.at("column"));
    if (name == "add_column") return op::AddColumn{table_of(c), col};
    return op::DropColumn{table_of(c), col};
  }
  if (name == "alter_column_type") {
    c.allow_keys({"op", "schema", "table", "column", "type", "old_type", "using", "old_using"});
    return op::AlterColumnType{table_of(c),
                               c.string_at("column"),
                               c.string_at("type"),
                               c.string_at("old_type"),
                               nullable_string(c, "using"),
                               nullable_string(c, "old_using")};
  }
  if (name == "set_not_null" || name == "drop_not_null") {
    c.allow_keys({"op", "schema", "table", "column"});
    if (name == "set_not_null") return op::SetNotNull{table_of(c), c.string_at("column")};
    return op::DropNotNull{table_of(c), c.string_at("column")};
  }
  if (name == "set_default") {
    c.allow_keys({"op", "schema", "table", "column", "default", "old_default"});
    return op::SetDefault{table_of(c), c.string_at("column"), c.string_at("default"),
                          nullable_string(c, "old_default")};
  }
  if (name == "drop_default") {
    c.allow_keys({"op", "schema", "table", "column", "old_default"});
    return op::DropDefault{table_of(c), c.string_at("column"), c.string_at("old_default")};
  }
  if (name == "add_identity" || name == "drop_identity") {
    c.allow_keys({"op", "schema", "table", "column", "identity"});
    auto id = identity_from_json(c.at("identity"));
    if (name == "add_identity") return op::AddIdentity{table_of(c), c.string_at("column"), id};
    return op::DropIdentity{table_of(c), c.string_at("column"), id};
  }
  if (name == "add_primary_key" || name == "drop_primary_key") {
    c.allow_keys({"op", "schema", "table", "primary_key"});
    auto pk = primary_key_from_json(c.at("primary_key"));
    if (name == "add_primary_key") return op::AddPrimaryKey{table_of(c), pk};
    return op::DropPrimaryKey{table_of(c), pk};
  }
  if (name == "add_unique" || name == "drop_unique") {
    c.allow_keys({"op", "schema", "table", "unique"});
    auto u = unique_from_json(c.at("unique"));
    if (name == "add_unique") return op::AddUnique{table_of(c), u};
    return op::DropUnique{table_of(c), u};
  }
  if (name == "add_check" || name == "drop_check") {
    c.allow_keys({"op", "schema", "table", "check"});
    auto ck = check_from_json(c.at("check"));
    if (name == "add_check") return op::AddCheck{table_of(c), ck};
    return op::DropCheck{table_of(c), ck};
  }
  if (name == "add_foreign_key" || name == "drop_foreign_key") {
    c.allow_keys({"op", "schema", "table", "foreign_key"});
    auto fk = foreign_key_from_json(c.at("foreign_key"));
    if (name == "add_foreign_key") return op::AddForeignKey{table_of(c), fk};
    return op::DropForeignKey{table_of(c), fk};
  }
  if (name == "create_index" || name == "drop_index") {
    c.allow_keys({"op", "schema", "table", "index"});
    auto ix = index_from_json(c.at("index"));
    if (name == "create_index") return op::CreateIndex{table_of(c), ix};
    return op::DropIndex{table_of(c), ix};
  }
  if (name == "set_table_comment") {
    c.allow_keys({"op", "schema", "table", "comment", "old_comment"});
    return op::SetTableComment{table_of(c), nullable_string(c, "comment"),
                               nullable_string(c, "old_comment")};
  }
  if (name == "set_column_comment") {
    c.allow_keys({"op", "schema", "table", "column", "comment", "old_comment"});
    return op::SetColumnComment{table_of(c), c.string_at("column"), nullable_string(c, "comment"),
                                nullable_string(c, "old_comment")};
  }
  if (name == "execute") {
    c.allow_keys({"op", "sql", "down_sql"});
    return op::Execute{c.string_at("sql"), nullable_string(c, "down_sql")};
  }
  std::string known;
  for (auto n : kNames) known += (known.empty() ? "" : ", ") + std::string(n);
  c.at("op").fail("a known op (" + known + ")");
}

std::vector<std::string> to_sql(const Op& op) {
  return std::visit(
      overloaded{
          [](const op::CreateSchema& o) -> std::vector<std::string> {
            return {"CREATE SCHEMA " + quote_ident(o.schema)};
          },
          [](const op::DropSchema& o) -> std::vector<std::string> {
            return {"DROP SCHEMA " + quote_ident(o.schema)};
          },
          [](const op::CreateEnum& o) -> std::vector<std::string> {
            return {create_enum_sql({o.schema, o.enum_type.name}, o.enum_type.labels)};
          },
          [](const op::DropEnum& o) -> std::vector<std::string> {
            return {"DROP TYPE " + qualified({o.schema, o.enum_type.name})};
          },
          [](const op::AddEnumLabel& o) -> std::vector<std::string> {
            std::string s =
                "ALTER TYPE " + qualified(o.enum_name) + " ADD VALUE " + quote_literal(o.label);
            if (o.before) s += " BEFORE " + quote_literal(*o.before);
            if (o.after) s += " AFTER " + quote_literal(*o.after);
            return {s};
          },
          [](const op::CreateTable& o) -> std::vector<std::string> {
            Table t = o.table;
            t.foreign_keys.clear();
            t.indexes.clear();
            std::vector<std::string> out{create_table_sql(o.schema, t)};
            QualifiedName q{o.schema, t.name};
            if (t.comment) out.push_back(comment_on_table_sql(q, t.comment));
            for (const auto& c : t.columns) column_comment_sql(out, q, c);
            return out;
          },
          [](const op::DropTable& o) -> std::vector<std::string> {
            return {"DROP TABLE " + qualified({o.schema, o.table.name})};
          },
          [](const op::AddColumn& o) -> std::vector<std::string> {
            std::vector<std::string> out{alter_table(o.table) + " ADD COLUMN " +
                                         column_definition(o.column)};
            column_comment_sql(out, o.table, o.column);
            return out;
          },
          [](const op::DropColumn& o) -> std::vector<std::string> {
            return {alter_table(o.table) + " DROP COLUMN " + quote_ident(o.column.name)};
          },
          [](const op::AlterColumnType& o) -> std::vector<std::string> {
            std::string s = alter_column(o.table, o.column) + " TYPE " + o.type;
            if (o.using_expr) s += " USING " + *o.using_expr;
            return {s};
          },
          [](const op::SetNotNull& o) -> std::vector<std::string> {
            return {alter_column(o.table, o.column) + " SET NOT NULL"};
          },
          [](const op::DropNotNull& o) -> std::vector<std::string> {
            return {alter_column(o.table, o.column) + " DROP NOT NULL"};
          },
          [](const op::SetDefault& o) -> std::vector<std::string> {
            return {alter_column(o.table, o.column) + " SET DEFAULT " + o.default_expr};
          },
          [](const op::DropDefault& o) -> std::vector<std::string> {
            return {alter_column(o.table, o.column) + " DROP DEFAULT"};
          },
          [](const op::AddIdentity& o) -> std::vector<std::string> {
            return {alter_column(o.table, o.column) + " ADD " + identity_clause(o.identity)};
          },
          [](const op::DropIdentity& o) -> std::vector<std::string> {
            return {alter_column(o.table, o.column) + " DROP IDENTITY"};
          },
          [](const op::AddPrimaryKey& o) -> std::vector<std::string> {
            return {add_constraint_sql(o.table, o.primary_key)};
          },
          [](const op::DropPrimaryKey& o) -> std::vector<std::string> {
            return {drop_constraint(o.table, o.primary_key.name)};
          },
          [](const op::AddUnique& o) -> std::vector<std::string> {
            return {add_constraint_sql(o.table, o.unique)};
          },
          [](const op::DropUnique& o) -> std::vector<std::string> {
            return {drop_constraint(o.table, o.unique.name)};
          },
          [](const op::AddCheck& o) -> std::vector<std::string> {
            return {add_constraint_sql(o.table, o.check)};
          },
          [](const op::DropCheck& o) -> std::vector<std::string> {
            return {drop_constraint(o.table, o.check.name)};
          },
          [](const op::AddForeignKey& o) -> std::vector<std::string> {
            return {add_constraint_sql(o.table, o.foreign_key)};
          },
          [](const op::DropForeignKey& o) -> std::vector<std::string> {
            return {drop_constraint(o.table, o.foreign_key.name)};
          },
          [](const op::CreateIndex& o) -> std::vector<std::string> {
            return {create_index_sql(o.table, o.index)};
          },
          [](const op::DropIndex& o) -> std::vector<std::string> {
            return {"DROP INDEX " + qualified({o.table.schema, o.index.name})};
          },
          [](const op::SetTableComment& o) -> std::vector<std::string> {
            return {comment_on_table_sql(o.table, o.comment)};
          },
          [](const op::SetColumnComment& o) -> std::vector<std::string> {
            return {comment_on_column_sql(o.table, o.column, o.comment)};
          },
          [](const op::Execute& o) -> std::vector<std::string> { return {o.sql}; },
      },
      op);
}

std::optional<Op> inverse(const Op& op) {
  return std::visit(
      overloaded{
          [](const op::CreateSchema& o) -> std::optional<Op> { return op::DropSchema{o.schema}; },
          [](const op::DropSchema& o) -> std::optional<Op> { return op::CreateSchema{o.schema}; },
          [](const op::CreateEnum& o) -> std::optional<Op> {
            return op::DropEnum{o.schema, o.enum_type};
          },
          [](const op::DropEnum& o) -> std::optional<Op> {
            return op::CreateEnum{o.schema, o.enum_type};
          },
          // PostgreSQL cannot remove an enum label.
          [](const op::AddEnumLabel&) -> std::optional<Op> { return std::nullopt; },
          [](const op::CreateTable& o) -> std::optional<Op> {
            return op::DropTable{o.schema, o.table};
          },
          [](const op::DropTable& o) -> std::optional<Op> {
            return op::CreateTable{o.schema, o.table};
          },
          [](const op::AddColumn& o) -> std::optional<Op> {
            return op::DropColumn{o.table, o.column};
          },
          [](const op::DropColumn& o) -> std::optional<Op> {
            return op::AddColumn{o.table, o.column};
          },
          [](const op::AlterColumnType& o) -> std::optional<Op> {
            return op::AlterColumnType{o.table, o.column,         o.old_type,
                                       o.type,  o.old_using_expr, o.using_expr};
          },
          [](const op::SetNotNull& o) -> std::optional<Op> {
            return op::DropNotNull{o.table, o.column};
          },
          [](const op::DropNotNull& o) -> std::optional<Op> {
            return op::SetNotNull{o.table, o.column};
          },
          [](const op::SetDefault& o) -> std::optional<Op> {
            if (o.old_default)
              return op::SetDefault{o.table, o.column, *o.old_default, o.default_expr};
            return op::DropDefault{o.table, o.column, o.default_expr};
          },
          [](const op::DropDefault& o) -> std::optional<Op> {
            return op::SetDefault{o.table, o.column, o.old_default, std::nullopt};
          },
          [](const op::AddIdentity& o) -> std::optional<Op> {
            return op::DropIdentity{o.table, o.column, o.identity};
          },
          [](const op::DropIdentity& o) -> std::optional<Op> {
            return op::AddIdentity{o.table, o.column, o.identity};
          },
          [](const op::AddPrimaryKey& o) -> std::optional<Op> {
            return op::DropPrimaryKey{o.table, o.primary_key};
          },
          [](const op::DropPrimaryKey& o) -> std::optional<Op> {
            return op::AddPrimaryKey{o.table, o.primary_key};
          },
          [](const op::AddUnique& o) -> std::optional<Op> {
            return op::DropUnique{o.table, o.unique};
          },
          [](const op::DropUnique& o) -> std::optional<Op> {
            return op::AddUnique{o.table, o.unique};
          },
          [](const op::AddCheck& o) -> std::optional<Op> {
            return op::DropCheck{o.table, o.check};
          },
          [](const op::DropCheck& o) -> std::optional<Op> {
            return op::AddCheck{o.table, o.check};
          },
          [](const op::AddForeignKey& o) -> std::optional<Op> {
            return op::DropForeignKey{o.table, o.foreign_key};
          },
          [](const op::DropForeignKey& o) -> std::optional<Op> {
            return op::AddForeignKey{o.table, o.foreign_key};
          },
          [](const op::CreateIndex& o) -> std::optional<Op> {
            return op::DropIndex{o.table, o.index};
          },
          [](const op::DropIndex& o) -> std::optional<Op> {
            return op::CreateIndex{o.table, o.index};
          },
          [](const op::SetTableComment& o) -> std::optional<Op> {
            return op::SetTableComment{o.table, o.old_comment, o.comment};
          },
          [](const op::SetColumnComment& o) -> std::optional<Op> {
            return op::SetColumnComment{o.table, o.column, o.old_comment, o.comment};
          },
          [](const op::Execute& o) -> std::optional<Op> {
            if (!o.down_sql) return std::nullopt;
            return op::Execute{*o.down_sql, o.sql};
          },
      },
      op);
}

std::string describe(const Op& op) {
  return std::visit(
      overloaded{
          [](const op::CreateSchema& o) { return "create schema " + o.schema; },
          [](const op::DropSchema& o) { return "drop schema " + o.schema; },
          [](const op::CreateEnum& o) {
            return fmt::format("create enum {}.{} ({})", o.schema, o.enum_type.name,
                               fmt::join(o.enum_type.labels, ", "));
          },
          [](const op::DropEnum& o) {
            return fmt::format("drop enum {}.{}", o.schema, o.enum_type.name);
          },
          [](const op::AddEnumLabel& o) {
            std::string where = o.before  ? " before '" + *o.before + "'"
                                : o.after ? " after '" + *o.after + "'"
                                          : "";
            return fmt::format("add label '{}' to enum {}{}", o.label, table_name(o.enum_name),
                               where);
          },
          [](const op::CreateTable& o) {
            return fmt::format("create table {}.{} ({} columns)", o.schema, o.table.name,
                               o.table.columns.size());
          },
          [](const op::DropTable& o) {
            return fmt::format("drop table {}.{}", o.schema, o.table.name);
          },
          [](const op::AddColumn& o) {
            return fmt::format("add column {}.{} ({})", table_name(o.table), o.column.name,
                               column_summary(o.column));
          },
          [](const op::DropColumn& o) {
            return fmt::format("drop column {}.{}", table_name(o.table), o.column.name);
          },
          [](const op::AlterColumnType& o) {
            return fmt::format("alter column {}.{} type {} -> {}{}", table_name(o.table), o.column,
                               o.old_type, o.type, o.using_expr ? " USING " + *o.using_expr : "");
          },
          [](const op::SetNotNull& o) {
            return fmt::format("set not null {}.{}", table_name(o.table), o.column);
          },
          [](const op::DropNotNull& o) {
            return fmt::format("drop not null {}.{}", table_name(o.table), o.column);
          },
          [](const op::SetDefault& o) {
            return fmt::format("set default {}.{} = {}", table_name(o.table), o.column,
                               o.default_expr);
          },
          [](const op::DropDefault& o) {
            return fmt::format("drop default {}.{}", table_name(o.table), o.column);
          },
          [](const op::AddIdentity& o) {
            return fmt::format("add identity {}.{}", table_name(o.table), o.column);
          },
          [](const op::DropIdentity& o) {
            return fmt::format("drop identity {}.{}", table_name(o.table), o.column);
          },
          [](const op::AddPrimaryKey& o) {
            return fmt::format("add primary key {} on {} ({})", o.primary_key.name,
                               table_name(o.table), fmt::join(o.primary_key.columns, ", "));
          },
          [](const op::DropPrimaryKey& o) {
            return fmt::format("drop primary key {} on {}", o.primary_key.name,
                               table_name(o.table));
          },
          [](const op::AddUnique& o) {
            return fmt::format("add unique {} on {} ({})", o.unique.name, table_name(o.table),
                               fmt::join(o.unique.columns, ", "));
          },
          [](const op::DropUnique& o) {
            return fmt::format("drop unique {} on {}", o.unique.name, table_name(o.table));
          },
          [](const op::AddCheck& o) {
            return fmt::format("add check {} on {} ({})", o.check.name, table_name(o.table),
                               o.check.expression);
          },
          [](const op::DropCheck& o) {
            return fmt::format("drop check {} on {}", o.check.name, table_name(o.table));
          },
          [](const op::AddForeignKey& o) {
            return fmt::format("add foreign key {} on {} -> {}", o.foreign_key.name,
                               table_name(o.table), table_name(o.foreign_key.ref_table));
          },
          [](const op::DropForeignKey& o) {
            return fmt::format("drop foreign key {} on {}", o.foreign_key.name,
                               table_name(o.table));
          },
          [](const op::CreateIndex& o) {
            return fmt::format("create {}index {} on {}", o.index.unique ? "unique " : "",
                               o.index.name, table_name(o.table));
          },
          [](const op::DropIndex& o) {
            return fmt::format("drop index {} on {}", o.index.name, table_name(o.table));
          },
          [](const op::SetTableComment& o) {
            return fmt::format("set comment on table {}", table_name(o.table));
          },
          [](const op::SetColumnComment& o) {
            return fmt::format("set comment on column {}.{}", table_name(o.table), o.column);
          },
          [](const op::Execute& o) {
            auto first = o.sql.substr(0, o.sql.find('\n'));
            if (first.size() > 60) first = first.substr(0, 57) + "...";
            return "execute: " + first;
          },
      },
      op);
}

}  // namespace retort
