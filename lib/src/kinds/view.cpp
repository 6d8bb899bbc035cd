#include "retort/kinds/view.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <set>

#include "../catalog.hpp"
#include "../plan.hpp"
#include "retort/error.hpp"
#include "retort/kinds/column.hpp"
#include "retort/kinds/table.hpp"
#include "retort/kinds/table_item.hpp"
#include "retort/ops.hpp"
#include "retort/sql.hpp"

namespace retort {

ordered_json to_json(const View& v) {
  ordered_json j{{"name", v.name}};
  if (v.materialized) j["materialized"] = true;
  if (!v.options.empty()) j["options"] = v.options;
  j["definition"] = v.definition;
  if (!v.indexes.empty()) j["indexes"] = v.indexes;
  return j;
}

void from_json(const JsonCursor& c, View& out) {
  c.allow_keys({"name", "materialized", "options", "definition", "indexes"});
  out.name = c.string_at("name");
  out.materialized = c.bool_or("materialized", false);
  out.options = c.strings_or_empty("options");
  out.definition = c.string_at("definition");
  out.indexes = c.strings_or_empty("indexes");
  if (!out.indexes.empty() && !out.materialized)
    c.at("indexes").fail("no \"indexes\" on a view that is not materialized");
}

std::string create_view_sql(const QualifiedName& name, const View& view) {
  std::string out = view.materialized ? "CREATE MATERIALIZED VIEW " : "CREATE VIEW ";
  out += qualified(name);
  if (!view.options.empty()) out += fmt::format(" WITH ({})", fmt::join(view.options, ", "));
  return out + " AS\n" + view.definition;
}

namespace {

std::string kind_word(const View& v) { return v.materialized ? "materialized view" : "view"; }

std::string replace_view_sql(const QualifiedName& name, const View& view) {
  std::string out = "CREATE OR REPLACE VIEW " + qualified(name);
  if (!view.options.empty()) out += fmt::format(" WITH ({})", fmt::join(view.options, ", "));
  return out + " AS\n" + view.definition;
}

}  // namespace

namespace op {

std::vector<std::string> view_sql(const std::string& schema, const View& view, bool create) {
  if (create) {
    std::vector<std::string> out{create_view_sql({schema, view.name}, view)};
    out.insert(out.end(), view.indexes.begin(), view.indexes.end());
    return out;
  }
  return {(view.materialized ? "DROP MATERIALIZED VIEW " : "DROP VIEW ") +
          qualified({schema, view.name})};
}
std::string describe_view(const std::string& schema, const View& view, bool create) {
  return fmt::format("{} {} {}.{}", create ? "create" : "drop", kind_word(view), schema, view.name);
}

void ReplaceView::validate(const JsonCursor& c) const {
  if (view.materialized || old_view.materialized)
    c.fail_at("replace_view: a materialized view cannot be replaced; drop and create it");
  if (view.name != old_view.name)
    c.fail_at("replace_view: \"view\" and \"old_view\" differ in name");
}
std::vector<std::string> ReplaceView::sql() const {
  QualifiedName q{schema, view.name};
  std::vector<std::string> out;
  // Options the new view no longer has are reset: CREATE OR REPLACE keeps unnamed ones.
  std::vector<std::string> gone;
  for (const auto& o : old_view.options) {
    auto key = o.substr(0, o.find('='));
    bool kept = std::any_of(view.options.begin(), view.options.end(),
                            [&](const auto& n) { return n.substr(0, n.find('=')) == key; });
    if (!kept) gone.push_back(key);
  }
  out.push_back(replace_view_sql(q, view));
  if (!gone.empty())
    out.push_back(fmt::format("ALTER VIEW {} RESET ({})", qualified(q), fmt::join(gone, ", ")));
  return out;
}
std::string ReplaceView::describe() const {
  return fmt::format("replace view {}.{} (new definition)", schema, view.name);
}

}  // namespace op

namespace {

const View* find_view(const Schema& s, const QualifiedName& q) {
  auto ns = s.schemas.find(q.schema);
  if (ns == s.schemas.end()) return nullptr;
  auto v = ns->second.views.find(q.name);
  return v == ns->second.views.end() ? nullptr : &v->second;
}

// What a change does to the relations views read: columns retyped or dropped, relations dropped
// or rebuilt. Each with the reason a dependent view must be out of the way.
struct Disturbed {
  std::map<std::pair<QualifiedName, std::string>, std::string> columns;
  std::map<QualifiedName, std::string> relations;

  // Why `dep` must be out of the way, or nullptr when it need not.
  const std::string* reason(const Dependency& dep) const {
    if (auto it = relations.find(dep.relation); it != relations.end()) return &it->second;
    if (dep.column.empty()) {
      auto it = columns.lower_bound({dep.relation, ""});
      return it != columns.end() && it->first.first == dep.relation ? &it->second : nullptr;
    }
    auto it = columns.find({dep.relation, dep.column});
    return it == columns.end() ? nullptr : &it->second;
  }
};

Disturbed disturbed_by(const Plan& plan) {
  Disturbed d;
  auto column = [&](const QualifiedName& t, const std::string& c, const char* what) {
    d.columns.emplace(std::pair{t, c}, fmt::format("column {}.{} {}", display(t), c, what));
  };
  for (auto phase : {Phase::alter_columns, Phase::drop_columns})
    for (const auto& op : plan.ops(phase)) {
      if (const auto* a = std::get_if<op::AlterColumnType>(&op))
        column(a->table, a->column, "changes type");
      else if (const auto* dc = std::get_if<op::DropColumn>(&op))
        column(dc->table, dc->column.name, "is dropped");
    }
  for (const auto& op : plan.ops(Phase::drop_tables))
    if (const auto* dt = std::get_if<op::DropTable>(&op)) {
      QualifiedName q{dt->schema, dt->table.name};
      d.relations.emplace(q, fmt::format("table {} is dropped", display(q)));
    }
  return d;
}

// How many views of `s` lie under a view (0: it reads only tables), from `deps`: views are
// dropped deepest first and created shallowest first.
std::map<QualifiedName, int> view_depths(const std::vector<Dependency>& deps, const Schema& s) {
  std::map<QualifiedName, std::set<QualifiedName>> reads;
  for (const auto& dep : deps)
    if (find_view(s, dep.relation)) reads[dep.dependent].insert(dep.relation);
  std::map<QualifiedName, int> depth;
  // Bounded by the number of views: dependencies between views form no cycle.
  for (std::size_t round = 0; round <= reads.size(); ++round)
    for (const auto& [view, under] : reads)
      for (const auto& u : under) depth[view] = std::max(depth[view], depth[u] + 1);
  return depth;
}

[[noreturn]] void unmanaged_dependent(const QualifiedName& view, const std::string& reason) {
  throw Error(fmt::format(
      "{}, but view {} depends on it and is not in the models: PostgreSQL refuses the change "
      "while the view exists. Either declare the view in the models (m.view(\"{}\", \"SELECT "
      "...\")) so that retort drops and recreates it around the change, or write the step by "
      "hand in the revision as an execute op (DROP VIEW, the change, CREATE VIEW)",
      reason, display(view), display(view)));
}

}  // namespace

// After tables and columns: views new, changed, or in the way of a column change (rebuilt in
// dependency order). Views the database holds but the models do not declare are not managed.
void diff_views(Plan& plan) {
  const Schema& cur = plan.current;
  const Schema& tgt = plan.target;
  std::set<QualifiedName> rebuilt, replaced, created;
  for (const auto& [sname, ns] : tgt.schemas)
    for (const auto& [vname, v] : ns.views) {
      QualifiedName q{sname, vname};
      const View* old = find_view(cur, q);
      if (!old) {
        created.insert(q);
      } else if (!(*old == v)) {
        const auto& ok = tgt.facts.replaceable_views;
        bool replaceable =
            !old->materialized && !v.materialized && std::find(ok.begin(), ok.end(), q) != ok.end();
        (replaceable ? replaced : rebuilt).insert(q);
      }
    }
  std::set<QualifiedName> dropped;  // undeclared, in a schema the models manage whole
  for (const auto& [sname, ns] : cur.schemas)
    for (const auto& [vname, v] : ns.views)
      if (QualifiedName q{sname, vname}; !find_view(tgt, q) && plan.may_drop(kind_word(v), q))
        dropped.insert(q);
  auto disturbed = disturbed_by(plan);
  for (const auto& q : dropped)
    disturbed.relations.emplace(q, fmt::format("view {} is dropped", display(q)));
  for (const auto& q : rebuilt)
    disturbed.relations.emplace(q, fmt::format("view {} is dropped and created again", display(q)));
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& dep : cur.facts.dependencies) {
      const std::string* reason = disturbed.reason(dep);
      if (!reason || rebuilt.contains(dep.dependent) || dropped.contains(dep.dependent)) continue;
      if (!find_view(tgt, dep.dependent) || !find_view(cur, dep.dependent))
        unmanaged_dependent(dep.dependent, *reason);
      rebuilt.insert(dep.dependent);
      replaced.erase(dep.dependent);
      disturbed.relations.emplace(
          dep.dependent, fmt::format("view {} is dropped and created again (it reads {})",
                                     display(dep.dependent), reason->substr(0, reason->find(','))));
      grew = true;
    }
  }
  auto depths = view_depths(cur.facts.dependencies, cur);
  auto depth_of = [&](const QualifiedName& q) {
    auto it = depths.find(q);
    return it == depths.end() ? 0 : it->second;
  };
  std::vector<QualifiedName> order(rebuilt.begin(), rebuilt.end());
  order.insert(order.end(), dropped.begin(), dropped.end());
  std::stable_sort(order.begin(), order.end(),
                   [&](const auto& a, const auto& b) { return depth_of(a) > depth_of(b); });
  for (const auto& q : order)
    plan.emit(Phase::drop_views, op::DropView{q.schema, *find_view(cur, q)});
  std::erase_if(order, [&](const auto& q) { return dropped.contains(q); });
  order.insert(order.end(), created.begin(), created.end());
  // Created shallowest first, by what the target says a view reads (an inspected database; the
  // models' new views as canonicalize_views created them), else by what it reads today.
  std::vector<Dependency> deps = tgt.facts.dependencies;
  std::set<QualifiedName> known;
  for (const auto& dep : deps) known.insert(dep.dependent);
  for (const auto& dep : cur.facts.dependencies)
    if (!known.contains(dep.dependent)) deps.push_back(dep);
  depths = view_depths(deps, tgt);
  std::stable_sort(order.begin(), order.end(),
                   [&](const auto& a, const auto& b) { return depth_of(a) < depth_of(b); });
  for (const auto& q : order)
    plan.emit(Phase::create_views, op::CreateView{q.schema, *find_view(tgt, q)});
  for (const auto& q : replaced)
    plan.emit(Phase::create_views,
              op::ReplaceView{q.schema, *find_view(tgt, q), *find_view(cur, q)});
}

namespace catalog {

// Views and materialized views, leaving out those that belong to an extension.
const char* const kViewsQuery = R"(
SELECT n.nspname, c.relname, c.relkind = 'm', pg_get_viewdef(c.oid, true),
       array_to_json(c.reloptions),
       (SELECT json_agg(pg_get_indexdef(i.indexrelid) ORDER BY ic.relname)
        FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
        WHERE i.indrelid = c.oid AND c.relkind = 'm')
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('v', 'm')
  AND c.oid NOT IN (SELECT e.objid FROM pg_depend e
    WHERE e.refclassid = 'pg_extension'::regclass AND e.classid = 'pg_class'::regclass
      AND e.deptype = 'e')
)";

// Which views (anywhere) read which columns of relations in the schemas read: through the
// views' rewrite rules. Column 0 is a whole-row reference. Policies too (their name in the last
// column, empty for views): a policy may read another table in a subquery.
const char* const kDependenciesQuery = R"(
WITH dependent AS (
  SELECT r.ev_class AS reader, d.refobjid, d.refobjsubid, '' AS policy
  FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
  WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
    AND d.deptype = 'n' AND r.ev_class <> d.refobjid
  UNION ALL
  SELECT pol.polrelid, d.refobjid, d.refobjsubid, pol.polname
  FROM pg_depend d JOIN pg_policy pol ON pol.oid = d.objid
  WHERE d.classid = 'pg_policy'::regclass AND d.refclassid = 'pg_class'::regclass
    AND d.deptype = 'n'
)
SELECT DISTINCT vn.nspname, v.relname, tn.nspname, t.relname, coalesce(a.attname, ''), dep.policy
FROM dependent dep
JOIN pg_class v ON v.oid = dep.reader
JOIN pg_namespace vn ON vn.oid = v.relnamespace
JOIN pg_class t ON t.oid = dep.refobjid
JOIN pg_namespace tn ON tn.oid = t.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = dep.refobjsubid
  AND dep.refobjsubid > 0
WHERE tn.nspname = ANY($1::text[])
)";

// pg_get_viewdef prints " SELECT ...;": the definition is kept without the blank and semicolon.
std::string view_definition(const pqxx::field& f) {
  std::string s(f.c_str(), f.size());
  while (!s.empty() && (s.back() == ';' || s.back() == ' ' || s.back() == '\n')) s.pop_back();
  auto first = s.find_first_not_of(" \n");
  return first == std::string::npos ? s : s.substr(first);
}

void read_views(Schema& schema, const pqxx::result& rows) {
  for (auto row : Rows(rows)) {
    auto& ns = schema.schemas[row[0].c_str()];
    View v{row[1].c_str(), view_definition(row[3]), boolean(row[2]), names(row[4]), names(row[5])};
    std::sort(v.options.begin(), v.options.end());
    ns.views.emplace(v.name, std::move(v));
  }
}

void read_dependencies(Schema& schema, const pqxx::result& rows) {
  for (auto row : Rows(rows))
    if (row[5].size() > 0)
      schema.facts.policy_dependencies.push_back({{row[0].c_str(), row[1].c_str()},
                                                  row[5].c_str(),
                                                  {row[2].c_str(), row[3].c_str()},
                                                  row[4].c_str()});
    else
      schema.facts.dependencies.push_back(
          {{row[0].c_str(), row[1].c_str()}, {row[2].c_str(), row[3].c_str()}, row[4].c_str()});
}

namespace {

// The server's spelling of `v`'s definition and options, read back from `relation` with an
// empty search_path (names outside pg_catalog qualified).
View read_back(pqxx::transaction_base& tx, const std::string& relation, const View& v) {
  tx.exec("SET LOCAL search_path = ''");
  auto row = tx.exec_params1(
      "SELECT pg_get_viewdef(to_regclass($1), true), array_to_json(c.reloptions) FROM pg_class c "
      "WHERE c.oid = to_regclass($1)",
      relation);
  View out = v;
  out.definition = view_definition(row[0]);
  if (!v.materialized) {
    out.options = names(row[1]);
    std::sort(out.options.begin(), out.options.end());
  }
  return out;
}

std::string search_path_sql(const std::string& schema) {
  return "SET LOCAL search_path = " + quote_ident(schema);
}

// New views of a target without dependencies of its own (models, a snapshot) may read each
// other: they are created for real, in rounds until no more succeed, in a subtransaction rolled
// back at once, and pg_depend says which reads which (materialized ones WITH NO DATA: nothing is
// run). The server's spelling of each comes back too. Views over tables the revision creates
// cannot be created here: they keep their order by name.
void order_new_views(pqxx::dbtransaction& tx, const Schema& current, Schema& target) {
  if (!target.facts.dependencies.empty()) return;
  std::vector<std::pair<QualifiedName, View*>> pending;
  for (auto& [sname, ns] : target.schemas)
    for (auto& [vname, v] : ns.views)
      if (!find_view(current, {sname, vname}))
        pending.emplace_back(QualifiedName{sname, vname}, &v);
  if (pending.size() < 2) return;
  pqxx::subtransaction sp(tx, "retort_view_order");
  std::vector<std::string> created;
  for (bool progress = true; progress;) {
    progress = false;
    for (auto it = pending.begin(); it != pending.end();) {
      pqxx::subtransaction one(sp, "retort_view_one");
      try {
        one.exec(search_path_sql(it->first.schema));
        one.exec(create_view_sql(it->first, *it->second) +
                 (it->second->materialized ? "\nWITH NO DATA" : ""));
        *it->second = read_back(one, qualified(it->first), *it->second);
        one.commit();
        created.push_back(qualified(it->first));
        it = pending.erase(it);
        progress = true;
      } catch (const std::exception&) {
        one.abort();
        ++it;
      }
    }
  }
  if (created.size() >= 2) {
    auto rows = sp.exec_params(R"(
SELECT DISTINCT vn.nspname, v.relname, tn.nspname, t.relname
FROM pg_depend d
JOIN pg_rewrite r ON r.oid = d.objid
JOIN pg_class v ON v.oid = r.ev_class
JOIN pg_namespace vn ON vn.oid = v.relnamespace
JOIN pg_class t ON t.oid = d.refobjid
JOIN pg_namespace tn ON tn.oid = t.relnamespace
WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
  AND d.deptype = 'n' AND v.oid <> t.oid AND t.relkind IN ('v', 'm')
  AND v.oid = ANY (SELECT to_regclass(x) FROM unnest($1::text[]) x))",
                               array_literal(created));
    for (auto row : Rows(rows))
      target.facts.dependencies.push_back(
          {{row[0].c_str(), row[1].c_str()}, {row[2].c_str(), row[3].c_str()}, ""});
  }
  sp.abort();
}

}  // namespace

// A changed plain view is tried in place (CREATE OR REPLACE, then back to the old definition)
// on the real view; otherwise the definition is created as a temporary view. Either way inside a
// subtransaction rolled back at once. Unqualified names resolve in the view's schema. A
// definition the server refuses (it reads a table not created yet) stays as written.
void canonicalize_views(pqxx::dbtransaction& tx, const Schema& current, Schema& target) {
  for (auto& [sname, ns] : target.schemas)
    for (auto& [vname, v] : ns.views) {
      QualifiedName q{sname, vname};
      const View* old = find_view(current, q);
      // Models cannot declare a materialized view's indexes: those it has are kept, and come
      // back whenever the view is created again.
      if (old && old->materialized && v.materialized && v.indexes.empty()) v.indexes = old->indexes;
      if (old && *old == v) continue;
      if (old && !old->materialized && !v.materialized) {
        pqxx::subtransaction sp(tx, "retort_view");
        std::optional<View> canon;
        try {
          sp.exec(search_path_sql(sname));
          sp.exec(replace_view_sql(q, v));
          canon = read_back(sp, qualified(q), v);
          // Back to the old definition: if that works too, the change is reversible in place.
          for (const auto& stmt : op::ReplaceView{sname, *old, *canon}.sql()) sp.exec(stmt);
          target.facts.replaceable_views.push_back(q);
        } catch (const std::exception&) {
        }
        sp.abort();
        if (canon) {
          v = *canon;
          continue;
        }
      }
      pqxx::subtransaction sp(tx, "retort_view");
      try {
        sp.exec(search_path_sql(sname));
        std::string sql = "CREATE TEMPORARY VIEW retort_view_probe";
        if (!v.materialized && !v.options.empty())
          sql += fmt::format(" WITH ({})", fmt::join(v.options, ", "));
        sp.exec(sql + " AS\n" + v.definition);
        v = read_back(sp, "pg_temp.retort_view_probe", v);
      } catch (const std::exception&) {
      }
      sp.abort();
    }
  order_new_views(tx, current, target);
}

}  // namespace catalog

}  // namespace retort
