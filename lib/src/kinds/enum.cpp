#include "retort/kinds/enum.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <iterator>

#include "../catalog.hpp"
#include "../plan.hpp"
#include "retort/error.hpp"
#include "retort/kinds/table_item.hpp"
#include "retort/sql.hpp"

namespace retort {

ordered_json to_json(const Enum& e) {
  ordered_json j{{"name", e.name}, {"labels", e.labels}};
  if (e.renamed_from.value) j["renamed_from"] = *e.renamed_from.value;
  if (!e.label_renamed_from.value.empty()) j["label_renamed_from"] = e.label_renamed_from.value;
  return j;
}

void from_json(const JsonCursor& c, Enum& out) {
  c.allow_keys({"name", "labels", "renamed_from", "label_renamed_from"});
  out = Enum{c.string_at("name"), c.at("labels").as_strings()};
  out.renamed_from.value = c.optional_string("renamed_from");
  if (auto hints = c.find("label_renamed_from")) {
    if (!hints->value().is_object()) hints->fail("an object of new label -> old label");
    for (const auto& [label, old] : hints->value().items())
      out.label_renamed_from.value[label] = hints->at(label).as_string();
  }
}

namespace op {

std::vector<std::string> CreateEnum::sql() const {
  return {create_enum_sql({schema, enum_type.name}, enum_type.labels)};
}
DropEnum CreateEnum::inverse() const { return {schema, enum_type}; }
std::string CreateEnum::describe() const {
  return fmt::format("create enum {}.{} ({})", schema, enum_type.name,
                     fmt::join(enum_type.labels, ", "));
}

std::vector<std::string> DropEnum::sql() const {
  return {"DROP TYPE " + qualified({schema, enum_type.name})};
}
CreateEnum DropEnum::inverse() const { return {schema, enum_type}; }
std::string DropEnum::describe() const {
  return fmt::format("drop enum {}.{}", schema, enum_type.name);
}

void AddEnumLabel::validate(const JsonCursor& c) const {
  if (before && after) c.fail("at most one of \"before\" and \"after\"");
}
std::vector<std::string> AddEnumLabel::sql() const {
  std::string s = "ALTER TYPE " + qualified(enum_name) + " ADD VALUE " + quote_literal(label);
  if (before) s += " BEFORE " + quote_literal(*before);
  if (after) s += " AFTER " + quote_literal(*after);
  return {s};
}
// PostgreSQL cannot remove an enum label.
Irreversible AddEnumLabel::inverse() const { return {display(enum_name)}; }
std::string AddEnumLabel::describe() const {
  std::string where = before ? " before '" + *before + "'" : after ? " after '" + *after + "'" : "";
  return fmt::format("add label '{}' to enum {}{}", label, display(enum_name), where);
}

}  // namespace op

}  // namespace retort

namespace retort {

// New labels go in position with ADD VALUE; PostgreSQL cannot remove or reorder labels.
void diff_enum(Plan& plan, const QualifiedName& name, const Enum* old, const Enum& wanted) {
  if (!old) {
    plan.emit(Phase::create_types, op::CreateEnum{name.schema, wanted});
    return;
  }
  auto known = [&](const std::string& l) {
    return std::find(old->labels.begin(), old->labels.end(), l) != old->labels.end();
  };
  std::vector<std::string> kept;
  std::copy_if(wanted.labels.begin(), wanted.labels.end(), std::back_inserter(kept), known);
  if (kept != old->labels)
    throw Error(fmt::format(
        "enum {}: labels were removed or reordered ({} -> {}); PostgreSQL cannot do that in "
        "place. Write the revision by hand (rename the type, create the new one, convert the "
        "columns with USING col::text::new_type, drop the old type)",
        display(name), fmt::join(old->labels, ","), fmt::join(wanted.labels, ",")));
  for (std::size_t i = 0; i < wanted.labels.size(); ++i) {
    const auto& l = wanted.labels[i];
    if (known(l)) continue;
    op::AddEnumLabel add{name, l, std::nullopt, std::nullopt};
    if (i > 0)
      add.after = wanted.labels[i - 1];
    else
      add.before = wanted.labels[i + 1];
    plan.emit(Phase::create_types, std::move(add));
  }
}

namespace catalog {

const char* const kEnumsQuery = R"(
SELECT n.nspname, t.typname, json_agg(e.enumlabel ORDER BY e.enumsortorder)
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_enum e ON e.enumtypid = t.oid
WHERE n.nspname = ANY($1::text[])
  AND t.oid NOT IN (SELECT x.objid FROM pg_depend x
    WHERE x.refclassid = 'pg_extension'::regclass AND x.classid = 'pg_type'::regclass
      AND x.deptype = 'e')
GROUP BY n.nspname, t.typname
)";

void read_enums(Schema& schema, const pqxx::result& rows) {
  for (auto row : Rows(rows)) {
    auto& ns = schema.schemas[row[0].c_str()];
    Enum e{row[1].c_str(), names(row[2])};
    ns.enums.emplace(e.name, std::move(e));
  }
}

}  // namespace catalog

}  // namespace retort
