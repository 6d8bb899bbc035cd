#include "retort/model.hpp"

#include <cxxabi.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <set>

namespace retort {

namespace {

// PostgreSQL truncates longer names silently, which would make the database disagree with the
// model forever after.
constexpr std::size_t kMaxIdentifier = 63;

std::string primary_key_name(const std::string& table) { return table + "_pkey"; }

}  // namespace

IndexKey& IndexBuilder::last() {
  if (m_index.keys.empty())
    throw ModelError(
        fmt::format("index \"{}\": desc/nulls_first/opclass before any on(...)", m_index.name));
  return m_index.keys.back();
}

std::string ModelSet::demangle(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> out(
      abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
  return status == 0 && out ? std::string(out.get()) : std::string(mangled);
}

namespace {

using Errors = std::vector<std::string>;

// "table "t" (struct T)[, column "c"]": where a model error is.
std::string where(const TableDraft& d, const std::string& column = "") {
  return column.empty() ? fmt::format("table \"{}\" (struct {})", d.table.name, d.struct_name)
                        : fmt::format("table \"{}\" (struct {}), column \"{}\"", d.table.name,
                                      d.struct_name, column);
}

void check_columns(const TableDraft& d, const Table& t, const std::vector<std::string>& cols,
                   const std::string& what, Errors& errors) {
  for (const auto& c : cols)
    if (!t.find_column(c))
      errors.push_back(where(d, c) + ": " + what + " names a column the table does not have");
}

void check_column(const TableDraft& d, const Column& c, Errors& errors) {
  if (c.type.empty()) errors.push_back(where(d, c.name) + ": no SQL type");
  if (c.identity && c.nullable)
    errors.push_back(where(d, c.name) + ": an identity column cannot be nullable");
  if (c.identity && c.default_expr)
    errors.push_back(where(d, c.name) + ": an identity column cannot have a server default");
  if (c.generated && (c.default_expr || c.identity))
    errors.push_back(where(d, c.name) + ": a generated column cannot have a default or identity");
  if (c.name.size() > kMaxIdentifier)
    errors.push_back(where(d, c.name) + ": the name is longer than 63 bytes");
}

ForeignKey foreign_key(const TableDraft& d, const ReferencesOption& ref,
                       const std::vector<std::string>& cols) {
  ForeignKey fk;
  std::string n = d.table.name;
  for (const auto& c : cols) n += "_" + c;
  fk.name = ref.name.value_or(n + "_fkey");
  fk.columns = cols;
  fk.ref_table = {ref.schema.value_or(d.schema), ref.table};
  fk.ref_columns = ref.ref_columns;
  fk.on_delete = ref.on_delete;
  fk.on_update = ref.on_update;
  fk.deferrable = ref.deferrable;
  fk.initially_deferred = ref.initially_deferred;
  return fk;
}

// Every constraint and index name lives in one namespace per schema in PostgreSQL.
void check_item_names(const TableDraft& d, const Table& t, Errors& errors) {
  std::set<std::string> names;
  auto claim = [&](const std::string& n) {
    if (n.size() > kMaxIdentifier)
      errors.push_back(where(d) + ": the name \"" + n + "\" is longer than 63 bytes");
    if (!names.insert(n).second)
      errors.push_back(where(d) + ": two constraints or indexes are named \"" + n + "\"");
  };
  if (t.primary_key) claim(t.primary_key->name);
  for_each_table_item_kind([&]<class Kind>() {
    for (const auto& item : Kind::items(t)) claim(item.name);
  });
}

}  // namespace

Table ModelSet::build_table(const TableDraft& d, std::vector<std::string>& errors) const {
  Table t = d.table;
  std::set<std::string> names;
  for (const auto& c : d.column_names)
    if (!names.insert(c).second) errors.push_back(where(d, c) + ": two columns have this name");
  for (auto& c : t.columns) {
    if (auto it = d.enums.find(c.name); it != d.enums.end()) {
      auto e = m_enums.find(it->second);
      if (e == m_enums.end()) {
        errors.push_back(where(d, c.name) + ": its enum type " + demangle(it->second.name()) +
                         " is not registered with ModelSet::enumeration");
        continue;
      }
      c.type = e->second.schema + "." + e->second.value.name;
      if (d.enum_arrays.at(c.name)) c.type += "[]";
    }
    check_column(d, c, errors);
  }
  if (t.name.size() > kMaxIdentifier)
    errors.push_back(where(d) + ": the name is longer than 63 bytes");
  if (!d.pk_columns.empty()) {
    check_columns(d, t, d.pk_columns, "the primary key", errors);
    for (const auto& c : d.pk_columns)
      if (const auto* col = t.find_column(c); col && col->nullable)
        errors.push_back(where(d, c) +
                         ": a primary-key column cannot be nullable (its member is std::optional)");
    t.primary_key =
        PrimaryKey{d.pk_name.value_or(primary_key_name(t.name)), d.pk_columns,
                   d.pk_deferral.has_value(), d.pk_deferral && d.pk_deferral->initially_deferred};
  }
  for (const auto& u : t.uniques)
    check_columns(d, t, u.columns, "unique constraint \"" + u.name + "\"", errors);
  for (const auto& ix : t.indexes) {
    if (ix.keys.empty()) errors.push_back(where(d) + ": index \"" + ix.name + "\" has no keys");
    for (const auto& k : ix.keys)
      if (k.column) check_columns(d, t, {*k.column}, "index \"" + ix.name + "\"", errors);
    check_columns(d, t, ix.include, "index \"" + ix.name + "\" (INCLUDE)", errors);
  }
  for (const auto& [ref, cols] : d.references) {
    check_columns(d, t, cols, "a foreign key", errors);
    t.foreign_keys.push_back(foreign_key(d, ref, cols));
  }
  check_item_names(d, t, errors);
  return t;
}

void ModelSet::resolve_enums(Schema& s, std::vector<std::string>& errors) const {
  for (const auto& [type, draft] : m_enums) {
    auto& ns = s.schemas[draft.schema];
    ns.name = draft.schema;
    const auto& e = draft.value;
    std::set<std::string> seen;
    for (const auto& l : e.labels)
      if (!seen.insert(l).second)
        errors.push_back(fmt::format("enum \"{}\": label \"{}\" is listed twice", e.name, l));
    if (e.labels.empty()) errors.push_back(fmt::format("enum \"{}\": has no labels", e.name));
    if (!ns.enums.emplace(e.name, e).second)
      errors.push_back(
          fmt::format("enum \"{}\" is registered twice in schema \"{}\"", e.name, draft.schema));
  }
}

// Foreign keys are resolved last: they may point at tables registered later.
void ModelSet::resolve_foreign_keys(const Schema& s, std::vector<std::string>& errors) const {
  for (const auto& d : m_tables) {
    const Table* t = s.find_table({d.schema, d.table.name});
    if (!t) continue;
    for (const auto& fk : t->foreign_keys) {
      auto at = fmt::format("{}, foreign key \"{}\"", where(d), fk.name);
      const Table* target = s.find_table(fk.ref_table);
      if (!target) {
        errors.push_back(fmt::format("{}: references table \"{}.{}\", which no model defines", at,
                                     fk.ref_table.schema, fk.ref_table.name));
        continue;
      }
      if (fk.ref_columns.size() != fk.columns.size())
        errors.push_back(fmt::format("{}: {} column(s) reference {} column(s)", at,
                                     fk.columns.size(), fk.ref_columns.size()));
      for (const auto& rc : fk.ref_columns)
        if (!target->find_column(rc))
          errors.push_back(
              fmt::format("{}: references column \"{}\" of \"{}\", which it does not have", at, rc,
                          target->name));
    }
  }
}

// Extensions, sequences, domains and composite types, each in its schema; the schemas the
// models manage whole.
void ModelSet::add_objects(Schema& s, std::vector<std::string>& errors) const {
  auto add = [&](const auto& drafts, auto member, std::string_view kind) {
    for (const auto& d : drafts) {
      auto& ns = s.schemas[d.schema];
      ns.name = d.schema;
      if (d.value.name.empty())
        errors.push_back(fmt::format("{} in schema \"{}\": empty name", kind, d.schema));
      else if (!(ns.*member).emplace(d.value.name, d.value).second)
        errors.push_back(fmt::format("{} \"{}\" is registered twice in schema \"{}\"", kind,
                                     d.value.name, d.schema));
    }
  };
  add(m_extensions, &Namespace::extensions, "extension");
  add(m_sequences, &Namespace::sequences, "sequence");
  add(m_domains, &Namespace::domains, "domain");
  add(m_composites, &Namespace::composites, "composite type");
  for (auto& [name, ns] : s.schemas) {
    for (const auto& [_, q] : ns.sequences) {
      if (q.type != "smallint" && q.type != "integer" && q.type != "bigint")
        errors.push_back(
            fmt::format("sequence \"{}.{}\": type \"{}\" is not smallint, integer or bigint", name,
                        q.name, q.type));
    }
    for (auto& [_, d] : ns.domains)
      std::sort(d.checks.begin(), d.checks.end(),
                [](const auto& a, const auto& b) { return a.name < b.name; });
  }
  for (const auto& name : m_manage_all) {
    s.schemas[name].name = name;
    s.schemas[name].manage_all = true;
  }
}

Schema ModelSet::schema() const {
  Schema s;
  std::vector<std::string> errors;
  resolve_enums(s, errors);
  add_objects(s, errors);
  for (const auto& d : m_tables) {
    auto& ns = s.schemas[d.schema];
    ns.name = d.schema;
    if (ns.tables.contains(d.table.name)) {
      errors.push_back(where(d) + ": the table is registered twice");
      continue;
    }
    ns.tables.emplace(d.table.name, build_table(d, errors));
  }
  resolve_foreign_keys(s, errors);
  if (!errors.empty()) {
    std::string msg = errors.size() == 1 ? "invalid model: " : "invalid models:";
    if (errors.size() == 1)
      msg += errors.front();
    else
      for (const auto& e : errors) msg += "\n  " + e;
    throw ModelError(msg);
  }
  s.normalize();
  return s;
}

// As PostgreSQL's quote_identifier prints it: bare when lower case, digits and underscores.
std::string collation_sql(std::string_view name) {
  bool bare = !name.empty() && !(name[0] >= '0' && name[0] <= '9');
  for (char c : name) bare = bare && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  if (bare) return std::string(name);
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace retort
