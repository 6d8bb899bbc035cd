#include "retort/precheck.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <optional>
#include <set>

#include "catalog.hpp"
#include "retort/sql.hpp"

namespace retort {

namespace {

constexpr int kSamples = 3;

// One check: the rows of `table` (aliased "t") meeting `condition` are the offending ones.
struct Check {
  QualifiedName table;
  std::string condition;
  std::string problem;
  // Set for duplicates: the offending things are groups of these columns, not rows.
  std::vector<std::string> group_by;
  std::string setup;   // run first, in the same rolled-back transaction (a pg_temp function)
  std::string sample;  // what a sample shows; empty: the row's primary key
  // Set for an identity column: `table` stands for the column's sequence (found at run time).
  std::optional<std::string> identity_of;
};

std::string columns_of(const std::string& alias, const std::vector<std::string>& columns) {
  std::vector<std::string> out;
  out.reserve(columns.size());
  for (const auto& c : columns) out.push_back(alias + "." + quote_ident(c));
  return fmt::format("{}", fmt::join(out, ", "));
}

std::string all_not_null(const std::vector<std::string>& columns) {
  std::vector<std::string> out;
  out.reserve(columns.size());
  for (const auto& c : columns) out.push_back("t." + quote_ident(c) + " IS NOT NULL");
  return fmt::format("{}", fmt::join(out, " AND "));
}

std::optional<Check> unique_check(const QualifiedName& t, const std::vector<std::string>& cols,
                                  const std::string& what) {
  if (cols.empty()) return std::nullopt;
  return Check{t, all_not_null(cols),
               fmt::format("value(s) repeated in ({}) of {}.{} ({} fails)", fmt::join(cols, ", "),
                           t.schema, t.name, what),
               cols, ""};
}

// "character varying(20)" -> 20; nullopt for any other type.
std::optional<int> max_length(const std::string& type) {
  for (std::string base : {"character varying(", "character("})
    if (type.starts_with(base) && type.back() == ')')
      return std::stoi(type.substr(base.size(), type.size() - base.size() - 1));
  return std::nullopt;
}

std::optional<Check> check_of(const op::SetNotNull& o) {
  return Check{o.table,
               "t." + quote_ident(o.column) + " IS NULL",
               fmt::format("row(s) with NULL in {}", display(o.table, o.column)),
               {},
               ""};
}
std::optional<Check> check_of(const op::AddColumn& o) {
  const auto& c = o.column;
  if (c.nullable || c.default_expr || c.identity || c.generated || c.serial) return std::nullopt;
  return Check{o.table,
               "true",
               fmt::format("row(s), and NOT NULL column {} has no default for them",
                           display(o.table, c.name)),
               {},
               ""};
}
std::optional<Check> check_of(const op::AddUnique& o) {
  return unique_check(o.table, o.item.columns, "unique constraint " + o.item.name);
}
std::optional<Check> check_of(const op::AddPrimaryKey& o) {
  return unique_check(o.table, o.item.columns, "primary key " + o.item.name);
}
std::optional<Check> check_of(const op::CreateIndex& o) {
  if (!o.item.unique || o.item.where) return std::nullopt;
  std::vector<std::string> cols;
  for (const auto& k : o.item.keys) {
    if (!k.column) return std::nullopt;  // an expression key: left to the index build
    cols.push_back(*k.column);
  }
  return unique_check(o.table, cols, "unique index " + o.item.name);
}
std::optional<Check> check_of(const op::AddCheck& o) {
  return Check{o.table,
               "(" + o.item.expression + ") IS FALSE",
               fmt::format("row(s) breaking check {} ({})", o.item.name, o.item.expression),
               {},
               ""};
}
std::optional<Check> check_of(const op::AddForeignKey& o) {
  const auto& fk = o.item;
  std::vector<std::string> match;
  for (std::size_t i = 0; i < fk.columns.size() && i < fk.ref_columns.size(); ++i)
    match.push_back(
        fmt::format("p.{} = t.{}", quote_ident(fk.ref_columns[i]), quote_ident(fk.columns[i])));
  return Check{
      o.table,
      fmt::format("{} AND NOT EXISTS (SELECT 1 FROM {} p WHERE {})", all_not_null(fk.columns),
                  qualified(fk.ref_table), fmt::join(match, " AND ")),
      fmt::format("row(s) of {}.{} with no match in {}.{} ({})", o.table.schema, o.table.name,
                  fk.ref_table.schema, fk.ref_table.name, fk.name),
      {},
      ""};
}
// A narrowed length is checked by length (an explicit cast would truncate silently); any other
// type change by trying the cast, row by row, in a function that exists only in this transaction.
std::optional<Check> check_of(const op::AlterColumnType& o) {
  auto column = "t." + quote_ident(o.column);
  if (auto n = max_length(o.type))
    return Check{o.table,
                 fmt::format("length({}) > {}", column, *n),
                 fmt::format("value(s) of {} longer than {}", display(o.table, o.column), *n),
                 {},
                 ""};
  auto setup = fmt::format(
      "CREATE FUNCTION pg_temp.retort_cast_fails(v {}) RETURNS boolean LANGUAGE plpgsql AS "
      "$retort$ BEGIN PERFORM CAST(v AS {}); RETURN false; EXCEPTION WHEN data_exception THEN "
      "RETURN "
      "true; END $retort$",
      o.old_type, o.type);
  return Check{
      o.table,
      fmt::format("{} IS NOT NULL AND pg_temp.retort_cast_fails({})", column, column),
      fmt::format("value(s) of {} that do not convert to {}", display(o.table, o.column), o.type),
      {},
      setup};
}
// A sequence's position outside bounds it is given: ALTER SEQUENCE refuses ("RESTART value (100)
// cannot be greater than MAXVALUE (50)"). Bounds left to their defaults are the type's.
std::optional<std::string> outside_bounds(const SequenceOptions& now, const SequenceOptions& before,
                                          std::optional<std::int64_t> type_max) {
  std::vector<std::string> terms;
  auto max = now.max_value ? now.max_value : type_max;
  if (max && max != before.max_value) terms.push_back(fmt::format("t.last_value > {}", *max));
  if (now.min_value && now.min_value != before.min_value)
    terms.push_back(fmt::format("t.last_value < {}", *now.min_value));
  if (terms.empty()) return std::nullopt;
  return fmt::format("{}", fmt::join(terms, " OR "));
}
std::string bounds(const SequenceOptions& o) {
  std::string out;
  if (o.min_value) out += fmt::format("MINVALUE {}", *o.min_value);
  if (o.max_value) out += fmt::format("{}MAXVALUE {}", out.empty() ? "" : " ", *o.max_value);
  return out;
}
std::optional<Check> check_of(const op::AlterSequence& o) {
  // A narrower type lowers the default maximum.
  std::optional<std::int64_t> type_max;
  if (o.object.type != o.old_object.type && !o.object.max_value &&
      o.object.increment.value_or(1) > 0) {
    if (o.object.type == "smallint") type_max = 32767;
    if (o.object.type == "integer") type_max = 2147483647;
  }
  auto condition = outside_bounds(o.object, o.old_object, type_max);
  if (!condition) return std::nullopt;
  QualifiedName seq{o.schema, o.object.name};
  return Check{seq,
               *condition,
               fmt::format("position of sequence {} outside its new bounds ({})", display(seq),
                           type_max ? "AS " + o.object.type : bounds(o.object)),
               {},
               "",
               "t.last_value::text"};
}
std::optional<Check> check_of(const op::AlterIdentity& o) {
  auto condition = outside_bounds(o.identity, o.old_identity, std::nullopt);
  if (!condition) return std::nullopt;
  return Check{o.table,
               *condition,
               fmt::format("position of the identity of {} outside its new bounds ({})",
                           display(o.table, o.column), bounds(o.identity)),
               {},
               "",
               "t.last_value::text",
               o.column};
}
template <class O>
std::optional<Check> check_of(const O&) {
  return std::nullopt;
}

// The primary key of `table` as text, for samples; its ctid when it has none.
std::string sample_key(pqxx::dbtransaction& tx, const QualifiedName& table) {
  auto r = tx.exec_params(
      "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND "
      "a.attnum = ANY (i.indkey) WHERE i.indrelid = $1::regclass AND i.indisprimary "
      "ORDER BY array_position(i.indkey::int2[], a.attnum)",
      qualified(table));
  if (r.empty()) return "t.ctid::text";
  std::vector<std::string> cols;
  for (const auto& row : r) cols.push_back(row[0].as<std::string>());
  // fmt rather than "(" + ... + ")": GCC 12 warns about its own std::string concatenation
  // (-Wrestrict, a known false positive) on every build.
  auto key = columns_of("t", cols);
  return cols.size() == 1 ? fmt::format("{}::text", key) : fmt::format("({})::text", key);
}

std::optional<PrecheckFailure> run(pqxx::dbtransaction& tx, const Check& c) {
  pqxx::subtransaction sp(tx, "retort_precheck");
  try {
    if (!c.setup.empty()) sp.exec(c.setup);
    auto from = qualified(c.table);
    if (c.identity_of) {
      auto seq = sp.exec_params("SELECT pg_get_serial_sequence($1, $2)", from, *c.identity_of);
      if (seq[0][0].is_null()) {
        sp.abort();
        return std::nullopt;
      }
      from = seq[0][0].c_str();
    }
    std::string sql;
    if (!c.group_by.empty()) {
      auto cols = columns_of("t", c.group_by);
      auto key = c.group_by.size() == 1 ? cols + "::text" : "(" + cols + ")::text";
      sql = fmt::format(
          "WITH bad AS (SELECT {} AS k FROM {} t WHERE {} GROUP BY {} HAVING count(*) > 1) "
          "SELECT (SELECT count(*) FROM bad), (SELECT array_agg(k ORDER BY k) FROM (SELECT k FROM "
          "bad "
          "ORDER BY k LIMIT {}) s)",
          key, from, c.condition, cols, kSamples);
    } else {
      sql = fmt::format(
          "WITH bad AS (SELECT {} AS k FROM {} t WHERE {}) SELECT (SELECT count(*) FROM bad), "
          "(SELECT array_agg(k ORDER BY k) FROM (SELECT k FROM bad ORDER BY k LIMIT {}) s)",
          c.sample.empty() ? sample_key(sp, c.table) : c.sample, from, c.condition, kSamples);
    }
    auto row = sp.exec(sql)[0];
    sp.abort();
    auto count = row[0].as<long long>();
    if (count == 0) return std::nullopt;
    PrecheckFailure f;
    f.problem = c.problem;
    f.count = count;
    auto samples = row[1].as_array();
    for (auto [kind, value] = samples.get_next(); kind != pqxx::array_parser::done;
         std::tie(kind, value) = samples.get_next())
      if (kind == pqxx::array_parser::string_value) f.samples.push_back(value);
    return f;
  } catch (const pqxx::sql_error&) {
    // Not checkable now: the table or a column comes from an earlier op of the path.
    sp.abort();
    return std::nullopt;
  }
}

}  // namespace

std::vector<PrecheckFailure> precheck(pqxx::connection_base& conn,
                                      const std::vector<const Revision*>& revisions) {
  struct Planned {
    const Revision* revision;
    std::size_t op;
    Check check;
  };
  std::vector<Planned> planned;
  [&] {
    for (const auto* r : revisions)
      for (std::size_t i = 0; i < r->upgrade.size(); ++i) {
        // Hand-written SQL may change the data (a backfill before SET NOT NULL): what follows it
        // cannot be judged from the data as it is now.
        if (std::holds_alternative<op::Execute>(r->upgrade[i])) return;
        if (auto check = std::visit([](const auto& o) { return check_of(o); }, r->upgrade[i]))
          planned.push_back({r, i, std::move(*check)});
      }
  }();
  std::vector<PrecheckFailure> out;
  if (planned.empty()) return out;
  pqxx::work tx(conn);
  tx.exec("SET LOCAL search_path = ''");
  std::vector<QualifiedName> tables;
  tables.reserve(planned.size());
  for (const auto& p : planned) tables.push_back(p.check.table);
  // A check on a table with no pages cannot fail: a plan over empty tables (1,000 of them in the
  // benchmark) then costs one round trip rather than three per check. A table an earlier op
  // creates is not there yet: left out, as its check would be.
  auto with_rows = catalog::tables_with_pages(tx, tables);
  for (const auto& p : planned) {
    if (!with_rows.contains(p.check.table)) continue;
    if (auto f = run(tx, p.check)) {
      f->revision = p.revision->id;
      f->op_number = p.op + 1;
      f->op = describe(p.revision->upgrade[p.op]);
      out.push_back(std::move(*f));
    }
  }
  tx.abort();
  return out;
}

std::string to_string(const PrecheckFailure& f) {
  return fmt::format("revision {} op #{} ({}): {} {}; for example: {}{}", f.revision, f.op_number,
                     f.op, f.count, f.problem, fmt::join(f.samples, ", "),
                     f.count > static_cast<long long>(f.samples.size()) ? ", ..." : "");
}

}  // namespace retort
