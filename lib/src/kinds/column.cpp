#include "retort/kinds/column.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "../plan.hpp"
#include "retort/kinds/identity.hpp"
#include "retort/kinds/table_item.hpp"
#include "retort/sql.hpp"

namespace retort {

namespace {

void put(ordered_json& j, const char* key, const std::optional<std::string>& v) {
  if (v) j[key] = *v;
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

ordered_json to_json(const Column& c) {
  ordered_json j;
  j["name"] = c.name;
  j["type"] = c.type;
  j["nullable"] = c.nullable;
  put(j, "default", c.default_expr);
  if (c.identity) j["identity"] = to_json(*c.identity);
  put(j, "generated", c.generated);
  if (c.serial) j["serial"] = true;
  put(j, "comment", c.comment);
  put(j, "collation", c.collation);
  put(j, "renamed_from", c.renamed_from.value);
  return j;
}

void from_json(const JsonCursor& c, Column& out) {
  c.allow_keys({"name", "type", "nullable", "default", "identity", "generated", "serial", "comment",
                "collation", "renamed_from"});
  out.name = c.string_at("name");
  out.type = c.string_at("type");
  out.nullable = c.at("nullable").as_bool();
  out.default_expr = c.optional_string("default");
  if (auto id = c.find("identity"); id && !id->is_null()) from_json(*id, out.identity.emplace());
  out.generated = c.optional_string("generated");
  out.serial = c.bool_or("serial", false);
  out.comment = c.optional_string("comment");
  out.collation = c.optional_string("collation");
  out.renamed_from.value = c.optional_string("renamed_from");
}

namespace op {

// A new column's comment, which ADD COLUMN cannot express, follows it.
std::vector<std::string> AddColumn::sql() const {
  std::vector<std::string> out{"ALTER TABLE " + qualified(table) + " ADD COLUMN " +
                               column_definition(column)};
  if (column.comment) out.push_back(comment_on_column_sql(table, column.name, column.comment));
  return out;
}
DropColumn AddColumn::inverse() const { return {table, column}; }
std::string AddColumn::describe() const {
  return fmt::format("add column {}.{} ({})", display(table), column.name, column_summary(column));
}

std::vector<std::string> DropColumn::sql() const {
  return {"ALTER TABLE " + qualified(table) + " DROP COLUMN " + quote_ident(column.name)};
}
std::string DropColumn::describe() const {
  return fmt::format("drop column {}.{}", display(table), column.name);
}

std::vector<std::string> AlterColumnType::sql() const {
  std::string s = alter_column_sql(table, column) + " TYPE " + type;
  // Back to the type's own collation: "default" names it.
  if (collation != old_collation) s += " COLLATE " + collation.value_or("\"default\"");
  if (using_expr) s += " USING " + *using_expr;
  return {s};
}
std::string AlterColumnType::describe() const {
  return fmt::format("alter column {}.{} type {} -> {}{}{}", display(table), column, old_type, type,
                     collation != old_collation
                         ? fmt::format(" collation {} -> {}", old_collation.value_or("default"),
                                       collation.value_or("default"))
                         : "",
                     using_expr ? " USING " + *using_expr : "");
}

std::vector<std::string> SetNotNull::sql() const {
  auto set = alter_column_sql(table, column) + " SET NOT NULL";
  if (!online) return {set};
  // PostgreSQL truncates a long name the same way in each statement.
  auto check = "retort_not_null_" + column;
  auto steps = not_valid_then_validate(
      table,
      fmt::format("CONSTRAINT {} CHECK ({} IS NOT NULL)", quote_ident(check), quote_ident(column)),
      check);
  steps.push_back(set);
  steps.push_back(drop_constraint_sql(table, check));
  return steps;
}
DropNotNull SetNotNull::inverse() const { return {table, column}; }
std::string SetNotNull::describe() const {
  return fmt::format("set not null {}.{}{}", display(table), column, online ? " (online)" : "");
}

std::vector<std::string> DropNotNull::sql() const {
  return {alter_column_sql(table, column) + " DROP NOT NULL"};
}
std::string DropNotNull::describe() const {
  return fmt::format("drop not null {}.{}", display(table), column);
}

std::vector<std::string> SetDefault::sql() const {
  return {alter_column_sql(table, column) + " SET DEFAULT " + default_expr};
}
std::variant<SetDefault, DropDefault> SetDefault::inverse() const {
  if (old_default) return SetDefault{table, column, *old_default, default_expr};
  return DropDefault{table, column, default_expr};
}
std::string SetDefault::describe() const {
  return fmt::format("set default {}.{} = {}", display(table), column, default_expr);
}

std::vector<std::string> DropDefault::sql() const {
  return {alter_column_sql(table, column) + " DROP DEFAULT"};
}
std::string DropDefault::describe() const {
  return fmt::format("drop default {}.{}", display(table), column);
}

std::vector<std::string> SetColumnComment::sql() const {
  return {comment_on_column_sql(table, column, comment)};
}
std::string SetColumnComment::describe() const {
  return fmt::format("set comment on column {}.{}", display(table), column);
}

}  // namespace op

}  // namespace retort

// ---- differences --------------------------------------------------------------------------

namespace retort {

namespace {

std::string base_type(const std::string& type) {
  auto p = type.find('(');
  std::string base = p == std::string::npos ? type : type.substr(0, p);
  if (auto q = type.find(')'); p != std::string::npos && q != std::string::npos)
    base += type.substr(q + 1);  // "timestamp(3) with time zone" -> "timestamp with time zone"
  return base;
}

std::vector<int> type_args(const std::string& type) {
  std::vector<int> out;
  auto p = type.find('(');
  if (p == std::string::npos) return out;
  auto q = type.find(')', p);
  std::string inner = type.substr(p + 1, q - p - 1);
  std::size_t start = 0;
  while (start <= inner.size()) {
    auto comma = inner.find(',', start);
    auto part = inner.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    try {
      out.push_back(std::stoi(part));
    } catch (...) {
      return {};
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// Changes PostgreSQL makes without risk of losing or rejecting data; anything else is flagged.
bool is_widening(const std::string& from, const std::string& to) {
  static const std::vector<std::string> ints = {"smallint", "integer", "bigint"};
  auto rank = [](const std::vector<std::string>& order, const std::string& t) {
    auto it = std::find(order.begin(), order.end(), t);
    return it == order.end() ? -1 : static_cast<int>(it - order.begin());
  };
  // An array widens when its elements do (int[] -> bigint[]).
  if (from.ends_with("[]") && to.ends_with("[]"))
    return is_widening(from.substr(0, from.size() - 2), to.substr(0, to.size() - 2));
  auto bf = base_type(from), bt = base_type(to);
  // Every value has a text form: to text or unbounded varchar never fails or loses anything.
  if (!from.ends_with("[]") && (bt == "text" || to == "character varying")) return true;
  if (rank(ints, bf) >= 0 && rank(ints, bt) >= rank(ints, bf)) return true;
  if (rank(ints, bf) >= 0 && to == "numeric") return true;  // unbounded numeric holds any integer
  if (bf == "real" && bt == "double precision") return true;
  if (bf == bt) {
    auto af = type_args(from), at = type_args(to);
    if (at.empty()) return true;  // unbounded: varchar(n) -> varchar, numeric(p,s) -> numeric
    if (af.empty()) return false;
    if (bf == "numeric") {
      int fs = af.size() > 1 ? af[1] : 0, ts = at.size() > 1 ? at[1] : 0;
      return at[0] - ts >= af[0] - fs && ts >= fs;
    }
    return at[0] >= af[0];
  }
  return false;
}

// PostgreSQL converts these without USING (an implicit or assignment cast exists).
bool needs_using(const std::string& from, const std::string& to) {
  auto bf = base_type(from), bt = base_type(to);
  if (bf == bt) return false;
  static const std::set<std::string> numbers = {"smallint", "integer",          "bigint",
                                                "real",     "double precision", "numeric"};
  static const std::set<std::string> strings = {"text", "character varying", "character"};
  if (numbers.contains(bf) && numbers.contains(bt)) return false;
  if (strings.contains(bf) && strings.contains(bt)) return false;
  if (bt == "text" || bt == "character varying") return false;  // everything casts to text
  return true;
}

std::string normalize_default(const std::string& expr) {
  if (expr == "CURRENT_TIMESTAMP" || expr == "transaction_timestamp()") return "now()";
  return expr;
}

std::string quote_cast(const std::string& column, const std::string& type) {
  return quote_ident(column) + "::" + type;
}

void diff_column(Plan& plan, const QualifiedName& q, const Column& o, const Column& c) {
  bool type_changed = o.type != c.type;
  bool default_changed = !same_default(o.default_expr, c.default_expr);
  // A default may not survive a type change (it is cast too), so it is dropped first.
  if (o.default_expr && (default_changed || type_changed))
    plan.emit(Phase::alter_columns, op::DropDefault{q, c.name, *o.default_expr});
  if (o.identity && c.identity && o.identity != c.identity)
    plan.emit(Phase::alter_columns, op::AlterIdentity{q, c.name, *c.identity, *o.identity});
  else if (o.identity && !c.identity)
    plan.emit(Phase::alter_columns, op::DropIdentity{q, c.name, *o.identity});
  if (type_changed || o.collation != c.collation) {
    op::AlterColumnType alter{q,           c.name,     c.type, o.type, std::nullopt, std::nullopt,
                              c.collation, o.collation};
    if (needs_using(o.type, c.type)) alter.using_expr = quote_cast(c.name, c.type);
    if (needs_using(c.type, o.type)) alter.old_using_expr = quote_cast(c.name, o.type);
    if (!is_widening(o.type, c.type))
      plan.warn(WarningKind::narrows_type, display(q, c.name),
                fmt::format("changes the type of {}.{} from {} to {}: may fail or lose precision "
                            "on existing rows",
                            display(q), c.name, o.type, c.type));
    plan.emit(Phase::alter_columns, std::move(alter));
  }
  if (o.serial != c.serial)
    plan.warn(WarningKind::serial_differs, display(q, c.name),
              fmt::format("{}.{}: serial (owned sequence default) differs; retort leaves it as is",
                          display(q), c.name));
  if (c.default_expr && (default_changed || type_changed))
    plan.emit(Phase::alter_columns, op::SetDefault{q, c.name, *c.default_expr, std::nullopt});
  if (c.identity && !o.identity)
    plan.emit(Phase::alter_columns, op::AddIdentity{q, c.name, *c.identity});
  if (o.nullable && !c.nullable) {
    if (fails_on_rows(&o, c))
      plan.warn(
          WarningKind::sets_not_null, display(q, c.name),
          fmt::format("sets NOT NULL on {}.{}: fails if any row holds NULL", display(q), c.name),
          q);
    plan.emit(Phase::alter_columns, op::SetNotNull{q, c.name});
  } else if (!o.nullable && c.nullable) {
    plan.emit(Phase::alter_columns, op::DropNotNull{q, c.name});
  }
}

}  // namespace

bool same_default(const std::optional<std::string>& a, const std::optional<std::string>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || normalize_default(*a) == normalize_default(*b);
}

bool fails_on_rows(const Column* from, const Column& to) {
  if (!from) return !to.nullable && !to.default_expr && !to.identity && !to.generated;
  return from->nullable && !to.nullable && !to.identity;
}

std::set<std::string> diff_columns(Plan& plan, const QualifiedName& q, const Table& old,
                                   const Table& t) {
  // Columns whose generation expression changed are dropped and added again (PostgreSQL 15
  // cannot alter it); what depends on them is rebuilt too.
  std::set<std::string> rebuilt;
  each_with_namesake(t.columns, old.columns, [&](const Column& c, const Column* o) {
    if (!o) {
      if (fails_on_rows(nullptr, c))
        plan.warn(WarningKind::not_null_without_default, display(q, c.name),
                  fmt::format("adds NOT NULL column {}.{} without a default: fails if {} has rows",
                              display(q), c.name, display(q)),
                  q);
      plan.emit(Phase::alter_columns, op::AddColumn{q, c});
    } else if (o->generated != c.generated) {
      rebuilt.insert(c.name);
      plan.emit(Phase::alter_columns, op::DropColumn{q, *o});
      plan.emit(Phase::alter_columns, op::AddColumn{q, c});
      if (!o->generated)
        plan.warn(WarningKind::replaces_column, display(q, c.name),
                  fmt::format("replaces column {}.{} by a generated column: its stored values are "
                              "lost",
                              display(q), c.name));
      else if (!c.generated)
        plan.warn(WarningKind::replaces_column, display(q, c.name),
                  fmt::format("replaces generated column {}.{} by a plain column: existing rows "
                              "lose its values",
                              display(q), c.name));
    } else {
      diff_column(plan, q, *o, c);
    }
  });
  each_with_namesake(old.columns, t.columns, [&](const Column& o, const Column* c) {
    if (c) return;
    plan.emit(Phase::drop_columns, op::DropColumn{q, o});
    plan.warn(WarningKind::drops_column, display(q, o.name),
              fmt::format("drops column {}.{} and its data", display(q), o.name));
  });
  return rebuilt;
}

// A new or rebuilt column's comment comes with its definition.
void diff_column_comments(Plan& plan, const QualifiedName& q, const Table& old, const Table& t,
                          const std::set<std::string>& rebuilt) {
  each_with_namesake(t.columns, old.columns, [&](const Column& c, const Column* o) {
    if (o && !rebuilt.contains(c.name) && o->comment != c.comment)
      plan.emit(Phase::comments, op::SetColumnComment{q, c.name, c.comment, o->comment});
  });
}

}  // namespace retort
