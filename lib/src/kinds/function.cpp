#include "retort/kinds/function.hpp"

#include <fmt/format.h>

#include "../catalog.hpp"
#include "../plan.hpp"
#include "retort/error.hpp"
#include "retort/kinds/table_item.hpp"
#include "retort/sql.hpp"

namespace retort {

ordered_json to_json(const Function& f) {
  return ordered_json{{"name", f.name},
                      {"arguments", f.arguments},
                      {"result", f.result},
                      {"definition", f.definition}};
}

void from_json(const JsonCursor& c, Function& out) {
  c.allow_keys({"name", "arguments", "result", "definition"});
  out.name = c.string_at("name");
  out.arguments = c.at("arguments").as_string();  // "" for no arguments
  out.result = c.at("result").as_string();        // "" until the server has read it
  out.definition = c.string_at("definition");
  if (!out.definition.starts_with("("))
    c.at("definition").fail("a definition starting with the argument list \"(...)\"");
}

namespace {

const Function* find_function(const Schema& s, const std::string& schema, const std::string& sig) {
  auto ns = s.schemas.find(schema);
  if (ns == s.schemas.end()) return nullptr;
  auto f = ns->second.functions.find(sig);
  return f == ns->second.functions.end() ? nullptr : &f->second;
}

std::string display(const std::string& schema, const Function& f) {
  return schema + "." + f.signature();
}

std::string create_sql(const char* verb, const std::string& schema, const Function& f) {
  return fmt::format("{} {}{}", verb, qualified({schema, f.name}), f.definition);
}

// The argument list as written in CREATE FUNCTION, defaults included: the definition's first
// line on the server's spelling.
std::string_view argument_line(const Function& f) {
  std::string_view d = f.definition;
  return d.substr(0, d.find('\n'));
}

}  // namespace

namespace op {

std::vector<std::string> function_sql(const std::string& schema, const Function& f, bool create) {
  if (create) return {create_sql("CREATE FUNCTION", schema, f)};
  return {fmt::format("DROP FUNCTION {}({})", qualified({schema, f.name}), f.arguments)};
}
std::string describe_function(const std::string& schema, const Function& f, bool create) {
  return (create ? "create function " : "drop function ") + display(schema, f);
}

std::vector<std::string> ReplaceFunction::sql() const {
  return {create_sql("CREATE OR REPLACE FUNCTION", schema, function)};
}
std::string ReplaceFunction::describe() const {
  return "replace function " + display(schema, function);
}

}  // namespace op

std::pair<std::string, Function> function_from_model(const std::string& signature,
                                                     const std::string& rest,
                                                     const std::string& schema) {
  auto open = signature.find('(');
  if (open == std::string::npos || open == 0 || !signature.ends_with(")"))
    throw Error(fmt::format(
        "function \"{}\": expected a signature such as \"public.touch_updated_at()\"", signature));
  std::string name = signature.substr(0, open), in_schema = schema;
  if (auto dot = name.find('.'); dot != std::string::npos) {
    in_schema = name.substr(0, dot);
    name = name.substr(dot + 1);
  }
  if (name.empty() || in_schema.empty())
    throw Error(fmt::format("function \"{}\": empty schema or function name", signature));
  std::string args = signature.substr(open + 1, signature.size() - open - 2);
  return {in_schema, Function{name, args, "", "(" + args + ") " + rest}};
}

// A function the target does not declare is left alone (unmanaged). A changed one is replaced
// in place when its arguments and result stay; otherwise dropped and created again.
void diff_functions(Plan& plan) {
  for (const auto& [sname, ns] : plan.target.schemas) {
    for (const auto& [sig, f] : ns.functions) {
      const Function* old = find_function(plan.current, sname, sig);
      if (!old) {
        plan.emit(Phase::create_functions, op::CreateFunction{sname, f});
      } else if (!(*old == f)) {
        if (old->result == f.result && argument_line(*old) == argument_line(f)) {
          plan.emit(Phase::create_functions, op::ReplaceFunction{sname, f, *old});
        } else {
          plan.emit(Phase::drop_functions, op::DropFunction{sname, *old});
          plan.emit(Phase::create_functions, op::CreateFunction{sname, f});
        }
      }
    }
  }
  // Functions the target does not declare: unmanaged, unless it manages their schema whole.
  for (const auto& [sname, ns] : plan.current.schemas)
    for (const auto& [sig, f] : ns.functions)
      if (!find_function(plan.target, sname, sig))
        plan.drop_or_report(Phase::drop_functions, "function", {sname, sig},
                            op::DropFunction{sname, f});
}

namespace catalog {

// Plain functions (not aggregates, window functions or procedures) that belong to no extension.
// The definition is pg_get_functiondef from the argument list on: the name before it is the
// one thing a probe (created under another name) prints differently.
const char* const kFunctionsQuery = R"(
SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid),
       pg_get_function_result(p.oid), substr(d.def, strpos(d.def, '(' || d.args || E')\n'))
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
CROSS JOIN LATERAL (SELECT pg_get_functiondef(p.oid) AS def,
                           pg_get_function_arguments(p.oid) AS args) d
WHERE n.nspname = ANY($1::text[]) AND p.prokind = 'f'
  AND p.oid NOT IN (SELECT e.objid FROM pg_depend e
    WHERE e.refclassid = 'pg_extension'::regclass AND e.classid = 'pg_proc'::regclass
      AND e.deptype = 'e')
)";

void read_functions(Schema& schema, const pqxx::result& rows) {
  for (auto row : Rows(rows)) {
    auto& ns = schema.schemas[row[0].c_str()];
    Function f{row[1].c_str(), row[2].c_str(), row[3].c_str(), row[4].c_str()};
    ns.functions.emplace(f.signature(), std::move(f));
  }
}

// Each target function whose text differs from the database's is created under a probe name in
// the session's temporary schema and read back as the server prints it (function bodies are not
// checked, so a body may use tables the target has yet to create). New functions are also
// created under their own names, for the target's trigger probes to execute them. The caller
// rolls the transaction back.
void canonicalize_functions(pqxx::dbtransaction& tx, const Schema& current, Schema& target) {
  struct Probe {
    std::string schema, signature, probe_name;
  };
  std::vector<Probe> probes;
  for (const auto& [sname, ns] : target.schemas)
    for (const auto& [sig, f] : ns.functions) {
      if (const auto* old = find_function(current, sname, sig); old && *old == f) continue;
      probes.push_back({sname, sig, fmt::format("retort_function_probe_{}", probes.size())});
    }
  if (probes.empty()) return;
  tx.exec("SET LOCAL check_function_bodies = off");
  for (const auto& p : probes) {
    const Function& f = target.schemas.at(p.schema).functions.at(p.signature);
    pqxx::subtransaction sp(tx, "retort_function_probe");
    try {
      sp.exec(fmt::format("CREATE FUNCTION pg_temp.{}{}", quote_ident(p.probe_name), f.definition));
      sp.commit();
    } catch (const std::exception& e) {
      sp.abort();
      throw Error(fmt::format("function {}.{}: PostgreSQL refuses its definition: {}", p.schema,
                              p.signature, e.what()));
    }
  }
  auto temp = tx.exec("SELECT nspname FROM pg_namespace WHERE oid = pg_my_temp_schema()")[0][0]
                  .as<std::string>();
  Schema probed;
  read_functions(probed, tx.exec_params(kFunctionsQuery, array_literal({temp})));
  const auto& canon = probed.schemas[temp].functions;
  for (const auto& p : probes) {
    auto& functions = target.schemas.at(p.schema).functions;
    auto node = functions.extract(p.signature);
    for (const auto& [_, c] : canon)
      if (c.name == p.probe_name) {
        node.mapped() = Function{node.mapped().name, c.arguments, c.result, c.definition};
        node.key() = node.mapped().signature();
      }
    const Function& f = node.mapped();
    bool fresh = !find_function(current, p.schema, f.signature());
    if (!functions.insert(std::move(node)).inserted)
      throw Error(fmt::format("function {}.{} is declared twice", p.schema, f.signature()));
    if (fresh) {
      pqxx::subtransaction sp(tx, "retort_function_new");
      try {
        sp.exec(create_sql("CREATE FUNCTION", p.schema, f));
        sp.commit();
      } catch (const std::exception&) {
        sp.abort();  // its schema may be new: trigger probes over it keep their text
      }
    }
  }
}

}  // namespace catalog

}  // namespace retort
