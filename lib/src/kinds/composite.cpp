#include "retort/kinds/composite.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "../catalog.hpp"
#include "../plan.hpp"
#include "retort/error.hpp"
#include "retort/sql.hpp"

namespace retort {

ordered_json to_json(const CompositeType& t) {
  ordered_json attributes = ordered_json::array();
  for (const auto& a : t.attributes) attributes.push_back({{"name", a.name}, {"type", a.type}});
  return ordered_json{{"name", t.name}, {"attributes", std::move(attributes)}};
}

void from_json(const JsonCursor& c, CompositeType& out) {
  c.allow_keys({"name", "attributes"});
  out = CompositeType{c.string_at("name"), {}};
  for (const auto& e : c.at("attributes").elements()) {
    e.allow_keys({"name", "type"});
    out.attributes.push_back({e.string_at("name"), e.string_at("type")});
  }
}

namespace {

const CompositeAttribute* find_attribute(const CompositeType& t, const std::string& name) {
  for (const auto& a : t.attributes)
    if (a.name == name) return &a;
  return nullptr;
}

}  // namespace

std::vector<std::string> CompositeKind::create_sql(const std::string& schema,
                                                   const CompositeType& t) {
  std::string sql = "CREATE TYPE " + qualified({schema, t.name}) + " AS (";
  for (std::size_t i = 0; i < t.attributes.size(); ++i)
    sql += (i ? ", " : "") + quote_ident(t.attributes[i].name) + " " + t.attributes[i].type;
  return {sql + ")"};
}

std::vector<std::string> CompositeKind::drop_sql(const std::string& schema,
                                                 const CompositeType& t) {
  return {"DROP TYPE " + qualified({schema, t.name})};
}

// One ALTER TYPE with every action; added attributes go at the end, as PostgreSQL puts them.
std::vector<std::string> CompositeKind::alter_sql(const std::string& schema,
                                                  const CompositeType& from,
                                                  const CompositeType& to) {
  std::vector<std::string> actions;
  for (const auto& a : from.attributes)
    if (!find_attribute(to, a.name)) actions.push_back("DROP ATTRIBUTE " + quote_ident(a.name));
  for (const auto& a : to.attributes) {
    const auto* o = find_attribute(from, a.name);
    if (!o)
      actions.push_back("ADD ATTRIBUTE " + quote_ident(a.name) + " " + a.type);
    else if (o->type != a.type)
      actions.push_back("ALTER ATTRIBUTE " + quote_ident(a.name) + " TYPE " + a.type);
  }
  return {fmt::format("ALTER TYPE {} {}", qualified({schema, to.name}), fmt::join(actions, ", "))};
}

std::string CompositeKind::describe_create(const std::string& schema, const CompositeType& t) {
  std::vector<std::string> attributes;
  for (const auto& a : t.attributes) attributes.push_back(a.name + " " + a.type);
  return fmt::format("create composite type {}.{} ({})", schema, t.name,
                     fmt::join(attributes, ", "));
}

std::string CompositeKind::describe_alter(const std::string& schema, const CompositeType& from,
                                          const CompositeType& to) {
  std::vector<std::string> what;
  for (const auto& a : from.attributes)
    if (!find_attribute(to, a.name)) what.push_back("drop " + a.name);
  for (const auto& a : to.attributes) {
    const auto* o = find_attribute(from, a.name);
    if (!o)
      what.push_back("add " + a.name + " " + a.type);
    else if (o->type != a.type)
      what.push_back(a.name + " " + o->type + " -> " + a.type);
  }
  return fmt::format("alter composite type {}.{} ({})", schema, to.name, fmt::join(what, ", "));
}

namespace {

// Whether altering `from` gives `to` in the same order: kept attributes in their order, new
// ones after them.
bool reachable(const CompositeType& from, const CompositeType& to) {
  std::vector<std::string> order;
  for (const auto& a : from.attributes)
    if (find_attribute(to, a.name)) order.push_back(a.name);
  for (const auto& a : to.attributes)
    if (!find_attribute(from, a.name)) order.push_back(a.name);
  std::vector<std::string> wanted;
  for (const auto& a : to.attributes) wanted.push_back(a.name);
  return order == wanted;
}

}  // namespace

void diff_composites(Plan& plan, const std::string& schema, const Namespace* old,
                     const Namespace* wanted) {
  if (wanted)
    for (const auto& [name, t] : wanted->composites) {
      const CompositeType* cur = nullptr;
      if (old)
        if (auto it = old->composites.find(name); it != old->composites.end()) cur = &it->second;
      if (!cur) {
        plan.emit(Phase::create_types, op::CreateCompositeType{schema, t});
        continue;
      }
      if (*cur == t) continue;
      if (!reachable(*cur, t))
        throw Error(fmt::format(
            "composite type {}: its attributes are reordered; ALTER TYPE adds attributes at the "
            "end only. Declare new attributes last, or write the revision by hand",
            display({schema, name})));
      plan.emit(Phase::create_types, op::AlterCompositeType{schema, t, *cur});
    }
  if (old)
    for (const auto& [name, t] : old->composites)
      if (!wanted || !wanted->composites.contains(name))
        plan.drop_or_report(Phase::drop_types, "composite type", {schema, name},
                            op::DropCompositeType{schema, t});
}

namespace catalog {

const char* const kCompositesQuery = R"(
SELECT n.nspname, t.typname,
       (SELECT json_agg(json_build_array(a.attname, format_type(a.atttypid, a.atttypmod))
                        ORDER BY a.attnum)
        FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped)
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_class c ON c.oid = t.typrelid
WHERE t.typtype = 'c' AND c.relkind = 'c' AND n.nspname = ANY($1::text[])
  AND t.oid NOT IN (SELECT e.objid FROM pg_depend e
    WHERE e.refclassid = 'pg_extension'::regclass AND e.classid = 'pg_type'::regclass
      AND e.deptype = 'e')
)";

void read_composites(Schema& schema, const pqxx::result& rows) {
  for (auto row : Rows(rows)) {
    auto& ns = schema.schemas[row[0].c_str()];
    CompositeType t{row[1].c_str(), {}};
    if (!row[2].is_null())
      for (const auto& pair : nlohmann::json::parse(row[2].c_str()))
        t.attributes.push_back({pair.at(0).get<std::string>(), pair.at(1).get<std::string>()});
    ns.composites.emplace(t.name, std::move(t));
  }
}

}  // namespace catalog

}  // namespace retort
