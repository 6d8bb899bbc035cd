#include "retort/kinds/extension.hpp"

#include <fmt/format.h>

#include "../catalog.hpp"
#include "../plan.hpp"
#include "retort/sql.hpp"

namespace retort {

ordered_json to_json(const Extension& e) {
  ordered_json j{{"name", e.name}};
  if (e.version) j["version"] = *e.version;
  return j;
}

void from_json(const JsonCursor& c, Extension& out) {
  c.allow_keys({"name", "version"});
  out = Extension{c.string_at("name"), c.optional_string("version")};
}

std::vector<std::string> ExtensionKind::create_sql(const std::string& schema, const Extension& e) {
  std::string s =
      "CREATE EXTENSION IF NOT EXISTS " + quote_ident(e.name) + " SCHEMA " + quote_ident(schema);
  if (e.version) s += " VERSION " + quote_literal(*e.version);
  return {s};
}

std::vector<std::string> ExtensionKind::drop_sql(const std::string&, const Extension& e) {
  return {"DROP EXTENSION " + quote_ident(e.name)};
}

std::string ExtensionKind::describe_create(const std::string& schema, const Extension& e) {
  return fmt::format("create extension {} in schema {}{}", e.name, schema,
                     e.version ? " version " + *e.version : "");
}

// A declared version is used when the extension is created; an installed one is not updated
// (ALTER EXTENSION ... UPDATE belongs in an execute op: extension scripts may not go back).
void diff_extensions(Plan& plan, const std::string& schema, const Namespace* old,
                     const Namespace* wanted) {
  if (wanted)
    for (const auto& [name, e] : wanted->extensions)
      if (!old || !old->extensions.contains(name))
        plan.emit(Phase::create_extensions, op::CreateExtension{schema, e});
  if (old)
    for (const auto& [name, e] : old->extensions)
      if (!wanted || !wanted->extensions.contains(name))
        plan.drop_or_report(Phase::drop_extensions, "extension", {schema, name},
                            op::DropExtension{schema, e});
}

namespace catalog {

const char* const kExtensionsQuery = R"(
SELECT n.nspname, e.extname, e.extversion
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE n.nspname = ANY($1::text[])
)";

void read_extensions(Schema& schema, const pqxx::result& rows) {
  for (auto row : Rows(rows)) {
    auto& ns = schema.schemas[row[0].c_str()];
    Extension e{row[1].c_str(), text(row[2])};
    ns.extensions.emplace(e.name, std::move(e));
  }
}

}  // namespace catalog

}  // namespace retort
