#include "retort/verify.hpp"

#include <fmt/format.h>

#include <set>

#include "retort/connection.hpp"
#include "retort/error.hpp"
#include "retort/hazard.hpp"
#include "retort/introspect.hpp"
#include "retort/online.hpp"

namespace retort {

namespace {

// Runs each op's statements; the failure names the op, its statement and the server's message.
// They go to the server as one string first (one round trip instead of one per statement: at
// 1,000 ops, 250 ms of the 1,000 the verification took on a loaded machine); only when that
// fails are they undone and run again one at a time, to name the failing one.
std::optional<std::string> apply(pqxx::work& tx, const std::vector<Op>& ops, const char* step) {
  std::string all;
  for (const auto& op : ops)
    for (const auto& statement : to_sql(op))
      // On lines of their own: a trailing "--" comment cannot swallow the separator.
      all += "\n" + statement + "\n;";
  if (all.empty()) return std::nullopt;
  {
    pqxx::subtransaction sp(tx, "retort_verify_ops");
    try {
      sp.exec(all);
      sp.commit();
      return std::nullopt;
    } catch (const pqxx::sql_error&) {
      sp.abort();
    }
  }
  for (std::size_t i = 0; i < ops.size(); ++i)
    // A CONCURRENTLY op in the form that runs inside this transaction.
    for (const auto& statement : to_sql(transactional_form(ops[i]))) {
      try {
        tx.exec(statement);
      } catch (const pqxx::sql_error& e) {
        return fmt::format("the {} fails at op #{} ({}): {}\n  statement: {}", step, i + 1,
                           describe(ops[i]), describe(e), statement);
      }
    }
  return std::nullopt;
}

template <class List, class T>
struct InList;
template <class... Ts, class T>
struct InList<TypeList<Ts...>, T> : std::bool_constant<(std::is_same_v<Ts, T> || ...)> {};

// The tables the ops work on, or nullopt when some op may touch any (execute, a kind that is not
// per table): then everything is read back. Schemas and enum types are always read back whole.
std::optional<std::set<QualifiedName>> touched_tables(const std::vector<Op>& ops) {
  std::set<QualifiedName> out;
  for (const auto& op : ops) {
    if (auto t = table_of(op)) {
      out.insert(*t);
      continue;
    }
    bool namespace_or_enum = std::visit(
        [](const auto& o) {
          using O = std::decay_t<decltype(o)>;
          return InList<NamespaceKind::Ops, O>::value || InList<EnumKind::Ops, O>::value;
        },
        op);
    if (!namespace_or_enum) return std::nullopt;
  }
  return out;
}

// `s` with only the tables in `keep` (every table when `keep` is nullopt). Trimmed in place, so
// a fresh reading is moved through rather than copied (at 1,000 tables a copy took 30 ms).
Schema only(Schema s, const std::optional<std::set<QualifiedName>>& keep) {
  if (!keep) return s;
  // Whole namespaces (whatever else they hold: enum types, ...) but their tables.
  for (auto& [name, ns] : s.schemas)
    std::erase_if(ns.tables, [&, &schema = name](const auto& entry) {
      return !keep->contains(QualifiedName{schema, entry.first});
    });
  return s;
}

// The same of a schema that is not ours to move from: only the kept tables are copied (a plan
// touching a few tables of 1,000 copied them all first: 11 ms).
Schema only(const Schema& s, const std::set<QualifiedName>& keep) {
  Schema out;
  out.facts = s.facts;
  for (const auto& [name, ns] : s.schemas)
    out.schemas.emplace(name, ns.with_tables([&, &schema = name](const std::string& table) {
      return keep.contains(QualifiedName{schema, table});
    }));
  return out;
}

bool touches_all(const Schema& s, const std::optional<std::set<QualifiedName>>& keep) {
  if (!keep) return true;
  for (const auto& [name, ns] : s.schemas)
    for (const auto& [table, _] : ns.tables)
      if (!keep->contains(QualifiedName{name, table})) return false;
  return true;
}

IntrospectOptions read_back(const std::optional<std::set<QualifiedName>>& keep) {
  IntrospectOptions options{.missing = MissingSchema::skip};
  if (keep) {
    std::set<std::string> names;
    for (const auto& q : *keep) names.insert(q.name);
    options.tables = std::vector<std::string>(names.begin(), names.end());
  }
  return options;
}

// The ops that would still be needed to get from `now` to `wanted`, one line each; empty when
// there are none. A difference the differ refuses to express is a difference too.
std::string left_over(const Schema& now, const Schema& wanted) {
  std::string out;
  try {
    for (const auto& op : diff(now, wanted).upgrade) out += "\n  still to do: " + describe(op);
  } catch (const Error& e) {
    out += fmt::format("\n  {}", e.what());
  }
  return out;
}

}  // namespace

Verification verify(const std::string& url, const std::vector<std::string>& scope,
                    const Comparison& cmp) {
  return verify(*connect(url), scope, cmp);
}

Verification verify(pqxx::connection_base& conn, const std::vector<std::string>& scope,
                    const Comparison& cmp) {
  Verification v;
  pqxx::work tx(conn);
  // Only what the plan touches is read back and compared: on a large schema that is a few
  // tables, found through pg_class's name index.
  auto keep = touched_tables(cmp.diff.upgrade);
  if (auto back = touched_tables(cmp.diff.downgrade); keep && back)
    keep->insert(back->begin(), back->end());
  else
    keep = std::nullopt;
  auto options = read_back(keep);
  // The start is the comparison's reading of the database, unless that has the plan's renames
  // applied: the downgrade must restore the old names, so it is read again. Not copied when the
  // plan touches every table.
  std::optional<Schema> trimmed;
  if (cmp.renamed)
    trimmed = only(introspect(tx, scope, options), keep);
  else if (!touches_all(cmp.current, keep))
    trimmed = only(cmp.current, *keep);
  const Schema& start = trimmed ? *trimmed : cmp.current;
  tx.exec("RESET search_path");  // introspect() emptied it; the upgrade runs as it would for real
  if ((v.failure = apply(tx, cmp.diff.upgrade, "upgrade"))) return v;
  auto upgraded = only(introspect(tx, scope, options), keep);
  // New tables reach the differ as the target wrote them (varchar(40)); against the upgraded
  // database they are canonicalized like any other, in a savepoint undone at once.
  Schema wanted;
  {
    pqxx::subtransaction sp(tx, "retort_verify");
    wanted = canonicalize(sp, upgraded, keep ? only(cmp.target, *keep) : cmp.target);
    sp.abort();
  }
  if (auto rest = left_over(upgraded, wanted); !rest.empty()) {
    v.failure = "the upgrade does not reach the target:" + rest;
    return v;
  }
  // introspect() left search_path empty; the ops' SQL is schema-qualified throughout.
  if ((v.failure = apply(tx, cmp.diff.downgrade, "downgrade"))) return v;
  for (const auto& op : cmp.diff.upgrade)
    if (!inverse(op)) v.downgrade_compared = false;
  if (v.downgrade_compared) {
    auto restored = only(introspect(tx, scope, options), keep);
    if (auto rest = left_over(restored, start); !rest.empty())
      v.failure = "the downgrade does not restore the starting schema:" + rest;
  }
  tx.abort();
  return v;
}

}  // namespace retort
