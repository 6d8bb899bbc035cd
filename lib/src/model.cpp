#include "retort/model.hpp"

#include <cxxabi.h>
#include <fmt/format.h>

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

Schema ModelSet::schema() const {
  Schema s;
  std::vector<std::string> errors;

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

  for (const auto& d : m_tables) {
    auto& ns = s.schemas[d.schema];
    ns.name = d.schema;
    auto where = [&](const std::string& column) {
      return column.empty() ? fmt::format("table \"{}\" (struct {})", d.table.name, d.struct_name)
                            : fmt::format("table \"{}\" (struct {}), column \"{}\"", d.table.name,
                                          d.struct_name, column);
    };
    if (ns.tables.contains(d.table.name)) {
      errors.push_back(where("") + ": the table is registered twice");
      continue;
    }
    Table t = d.table;
    std::set<std::string> names;
    for (const auto& c : d.column_names)
      if (!names.insert(c).second) errors.push_back(where(c) + ": two columns have this name");
    auto check_columns = [&](const std::vector<std::string>& cols, const std::string& what) {
      for (const auto& c : cols)
        if (!t.find_column(c))
          errors.push_back(where(c) + ": " + what + " names a column the table does not have");
    };

    for (auto& c : t.columns) {
      if (auto it = d.enums.find(c.name); it != d.enums.end()) {
        auto e = m_enums.find(it->second);
        if (e == m_enums.end()) {
          errors.push_back(where(c.name) + ": its enum type " + demangle(it->second.name()) +
                           " is not registered with ModelSet::enumeration");
          continue;
        }
        c.type = e->second.schema + "." + e->second.value.name;
        if (d.enum_arrays.at(c.name)) c.type += "[]";
      }
      if (c.type.empty()) errors.push_back(where(c.name) + ": no SQL type");
      if (c.identity && c.nullable)
        errors.push_back(where(c.name) + ": an identity column cannot be nullable");
      if (c.identity && c.default_expr)
        errors.push_back(where(c.name) + ": an identity column cannot have a server default");
      if (c.generated && (c.default_expr || c.identity))
        errors.push_back(where(c.name) + ": a generated column cannot have a default or identity");
      if (c.name.size() > kMaxIdentifier)
        errors.push_back(where(c.name) + ": the name is longer than 63 bytes");
    }
    if (t.name.size() > kMaxIdentifier)
      errors.push_back(where("") + ": the name is longer than 63 bytes");

    if (!d.pk_columns.empty()) {
      check_columns(d.pk_columns, "the primary key");
      for (const auto& c : d.pk_columns)
        if (const auto* col = t.find_column(c); col && col->nullable)
          errors.push_back(
              where(c) + ": a primary-key column cannot be nullable (its member is std::optional)");
      t.primary_key = PrimaryKey{d.pk_name.value_or(primary_key_name(t.name)), d.pk_columns};
    }
    for (const auto& u : t.uniques)
      check_columns(u.columns, "unique constraint \"" + u.name + "\"");
    for (const auto& ix : t.indexes) {
      if (ix.keys.empty()) errors.push_back(where("") + ": index \"" + ix.name + "\" has no keys");
      for (const auto& k : ix.keys)
        if (k.column) check_columns({*k.column}, "index \"" + ix.name + "\"");
      check_columns(ix.include, "index \"" + ix.name + "\" (INCLUDE)");
    }
    for (const auto& [ref, cols] : d.references) {
      check_columns(cols, "a foreign key");
      ForeignKey fk;
      std::string n = t.name;
      for (const auto& c : cols) n += "_" + c;
      fk.name = ref.name.value_or(n + "_fkey");
      fk.columns = cols;
      fk.ref_table = {ref.schema.value_or(d.schema), ref.table};
      fk.ref_columns = ref.ref_columns;
      fk.on_delete = ref.on_delete;
      fk.on_update = ref.on_update;
      fk.deferrable = ref.deferrable;
      fk.initially_deferred = ref.initially_deferred;
      t.foreign_keys.push_back(std::move(fk));
    }
    // Every constraint and index name lives in one namespace per schema in PostgreSQL.
    std::set<std::string> object_names;
    auto claim = [&](const std::string& n) {
      if (n.size() > kMaxIdentifier)
        errors.push_back(where("") + ": the name \"" + n + "\" is longer than 63 bytes");
      if (!object_names.insert(n).second)
        errors.push_back(where("") + ": two constraints or indexes are named \"" + n + "\"");
    };
    if (t.primary_key) claim(t.primary_key->name);
    for (const auto& u : t.uniques) claim(u.name);
    for (const auto& c : t.checks) claim(c.name);
    for (const auto& f : t.foreign_keys) claim(f.name);
    for (const auto& i : t.indexes) claim(i.name);
    ns.tables.emplace(t.name, std::move(t));
  }

  // Foreign keys are resolved last: they may point at tables registered later.
  for (const auto& d : m_tables) {
    const Table* t = s.find_table({d.schema, d.table.name});
    if (!t) continue;
    for (const auto& fk : t->foreign_keys) {
      auto where = fmt::format("table \"{}\" (struct {}), foreign key \"{}\"", t->name,
                               d.struct_name, fk.name);
      const Table* target = s.find_table(fk.ref_table);
      if (!target) {
        errors.push_back(fmt::format("{}: references table \"{}.{}\", which no model defines",
                                     where, fk.ref_table.schema, fk.ref_table.name));
        continue;
      }
      if (fk.ref_columns.size() != fk.columns.size())
        errors.push_back(fmt::format("{}: {} column(s) reference {} column(s)", where,
                                     fk.columns.size(), fk.ref_columns.size()));
      for (const auto& rc : fk.ref_columns)
        if (!target->find_column(rc))
          errors.push_back(
              fmt::format("{}: references column \"{}\" of \"{}\", which it does not have", where,
                          rc, target->name));
    }
  }

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

}  // namespace retort
