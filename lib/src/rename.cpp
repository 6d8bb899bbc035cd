#include "retort/rename.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "retort/error.hpp"
#include "retort/kinds/table_item.hpp"

namespace retort {

RenameRequest RenameRequest::parse(const std::string& text) {
  RenameRequest r;
  r.text = text;
  auto eq = text.find('=');
  auto bad = [&](const char* why) {
    return Error(fmt::format(
        "--rename \"{}\": {}; expected schema.table.column=new_name, schema.table=new_name (a "
        "table or enum type, or with a third name an enum label) or old_schema=new_schema",
        text, why));
  };
  if (eq == std::string::npos) throw bad("no '='");
  r.to = text.substr(eq + 1);
  if (r.to.empty() || r.to.find('.') != std::string::npos)
    throw bad("the new name after '=' must be one plain name");
  auto path = text.substr(0, eq);
  std::size_t start = 0;
  while (true) {
    auto dot = path.find('.', start);
    r.path.push_back(path.substr(start, dot - start));
    if (r.path.back().empty()) throw bad("an empty name before '='");
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (r.path.size() > 3) throw bad("more than three names before '='");
  return r;
}

std::string RenameCandidate::spec() const {
  return column ? fmt::format("{}.{}.{}={}", table.schema, table.name, *column, to)
                : fmt::format("{}.{}={}", table.schema, table.name, to);
}

std::string RenameCandidate::describe() const {
  return column ? fmt::format("column {}.{} -> {}", display(table), *column, to)
                : fmt::format("table {} -> {}", display(table), to);
}

namespace {

// Whether a hint or request from `from` to `to` is still to be applied: not when only `to`
// exists (applied before) or neither does (for a hint: the object is new); an error when both do.
bool pending(bool from_exists, bool to_exists, const std::string& from, const std::string& to,
             const std::string& asked_by) {
  if (from_exists && to_exists)
    throw Error(fmt::format(
        "{} asks to rename {} to {}, but both exist: drop or rename one of them first, or remove "
        "the hint",
        asked_by, from, to));
  return from_exists;
}

bool same_columns(const Table& a, const Table& b) {
  if (a.columns.size() != b.columns.size()) return false;
  return std::all_of(a.columns.begin(), a.columns.end(), [&](const Column& c) {
    const Column* o = b.find_column(c.name);
    return o && o->type == c.type;
  });
}

}  // namespace

RenamePlan::RenamePlan(const Schema& current, const Schema& target,
                       const std::vector<RenameRequest>& requested)
    : m_base(current), m_target(target) {
  resolve_hints_and_requests(requested);
}

// One pass in the order the renames apply (schemas, enum types, labels, tables, columns,
// indexes): each step reads the schema as the steps before it left it.
// NOLINTNEXTLINE(readability-function-size)
void RenamePlan::resolve_hints_and_requests(const std::vector<RenameRequest>& requested) {
  auto flag = [](const RenameRequest& r) { return "--rename " + r.text; };
  auto has_schema = [&](const std::string& s) { return schema().schemas.contains(s); };
  for (const auto& r : requested)
    if (r.path.size() == 1) {
      if (!has_schema(r.path[0]) && !has_schema(r.to))
        throw Error(flag(r) + ": the database has neither schema \"" + r.path[0] + "\" nor \"" +
                    r.to + "\" (is it in --schema?)");
      if (pending(has_schema(r.path[0]), has_schema(r.to), "schema " + r.path[0], "schema " + r.to,
                  flag(r)))
        rename_schema(r.path[0], r.to);
    }

  auto is_enum = [&](const QualifiedName& q) { return schema().find_enum(q) != nullptr; };
  auto is_table = [&](const QualifiedName& q) { return schema().find_table(q) != nullptr; };
  // Enum types: hints, then requests naming an enum.
  for (const auto& [sname, ns] : m_target.schemas)
    for (const auto& [ename, e] : ns.enums)
      if (const auto& old = e.renamed_from.value)
        if (pending(is_enum({sname, *old}), is_enum({sname, ename}),
                    fmt::format("enum {}.{}", sname, *old), fmt::format("enum {}.{}", sname, ename),
                    fmt::format("the hint renamed_from \"{}\" on enum {}.{}", *old, sname, ename)))
          rename_enum({sname, *old}, ename);
  std::vector<const RenameRequest*> tables, columns;
  for (const auto& r : requested) {
    if (r.path.size() == 2) {
      QualifiedName from{r.path[0], r.path[1]}, to{r.path[0], r.to};
      bool table_like = is_table(from) || is_table(to) || m_target.find_table(to);
      if (!table_like && (is_enum(from) || is_enum(to))) {
        if (pending(is_enum(from), is_enum(to), "enum " + display(from), "enum " + display(to),
                    flag(r)))
          rename_enum(from, r.to);
      } else if (!table_like) {
        throw Error(flag(r) + ": the database has no table or enum type " + display(from) +
                    " (nor " + display(to) + ")");
      } else {
        tables.push_back(&r);
      }
    } else if (r.path.size() == 3) {
      columns.push_back(&r);
    }
  }
  // Enum labels: hints, then requests whose first two names are an enum type.
  for (const auto& [sname, ns] : m_target.schemas)
    for (const auto& [ename, e] : ns.enums)
      for (const auto& [label, old] : e.label_renamed_from.value) {
        const Enum* cur = schema().find_enum({sname, ename});
        auto has = [&](const std::string& l) {
          return cur && std::find(cur->labels.begin(), cur->labels.end(), l) != cur->labels.end();
        };
        if (pending(
                has(old), has(label), fmt::format("label {} of {}.{}", old, sname, ename), label,
                fmt::format("the hint label_renamed_from \"{}\" on enum {}.{}", old, sname, ename)))
          rename_label({sname, ename}, old, label);
      }
  std::erase_if(columns, [&](const RenameRequest* r) {
    QualifiedName e{r->path[0], r->path[1]};
    const Enum* cur = schema().find_enum(e);
    if (!cur || is_table(e)) return false;
    auto has = [&](const std::string& l) {
      return std::find(cur->labels.begin(), cur->labels.end(), l) != cur->labels.end();
    };
    if (!has(r->path[2]) && !has(r->to))
      throw Error(flag(*r) + ": enum " + display(e) + " has no label \"" + r->path[2] + "\"");
    if (pending(has(r->path[2]), has(r->to), "label " + r->path[2], r->to, flag(*r)))
      rename_label(e, r->path[2], r->to);
    return true;
  });
  // Tables: hints, then requests.
  for (const auto& [sname, ns] : m_target.schemas)
    for (const auto& [tname, t] : ns.tables)
      if (const auto& old = t.renamed_from.value)
        if (pending(is_table({sname, *old}), is_table({sname, tname}),
                    fmt::format("table {}.{}", sname, *old),
                    fmt::format("table {}.{}", sname, tname),
                    fmt::format("the hint renamed_from \"{}\" on table {}.{}", *old, sname, tname)))
          rename_table({sname, *old}, tname);
  for (const auto* r : tables) {
    QualifiedName from{r->path[0], r->path[1]}, to{r->path[0], r->to};
    if (pending(is_table(from), is_table(to), "table " + display(from), "table " + display(to),
                flag(*r)))
      rename_table(from, r->to);
  }
  // Columns: hints, then requests.
  for (const auto& [sname, ns] : m_target.schemas)
    for (const auto& [tname, t] : ns.tables) {
      for (const auto& c : t.columns)
        if (const auto& old = c.renamed_from.value)
          if (const Table* cur = schema().find_table({sname, tname});
              pending(cur && cur->find_column(*old), cur && cur->find_column(c.name),
                      fmt::format("column {}.{}.{}", sname, tname, *old),
                      fmt::format("column {}.{}.{}", sname, tname, c.name),
                      fmt::format("the hint renamed_from \"{}\" on column {}.{}.{}", *old, sname,
                                  tname, c.name)))
            rename_column({sname, tname}, *old, c.name);
    }
  for (const auto* r : columns) {
    QualifiedName t{r->path[0], r->path[1]};
    const Table* cur = schema().find_table(t);
    if (!cur) throw Error(flag(*r) + ": the database has no table or enum type " + display(t));
    if (!cur->find_column(r->path[2]) && !cur->find_column(r->to))
      throw Error(flag(*r) + ": table " + display(t) + " has no column \"" + r->path[2] + "\"");
    if (pending(cur->find_column(r->path[2]), cur->find_column(r->to), "column " + r->path[2],
                "column " + r->to, flag(*r)))
      rename_column(t, r->path[2], r->to);
  }
  // Indexes: hints (an index's name is unique in its schema).
  for (const auto& [sname, ns] : m_target.schemas)
    for (const auto& [tname, t] : ns.tables) {
      for (const auto& ix : t.indexes)
        if (const auto& old = ix.renamed_from.value) {
          const Table* cur = schema().find_table({sname, tname});
          auto has = [&](const std::string& name) {
            return cur && std::any_of(cur->indexes.begin(), cur->indexes.end(),
                                      [&](const Index& i) { return i.name == name; });
          };
          bool has_old = has(*old);
          bool has_new = has(ix.name);
          if (pending(has_old, has_new, fmt::format("index {}.{}", sname, *old),
                      fmt::format("index {}.{}", sname, ix.name),
                      fmt::format("the hint renamed_from \"{}\" on index {}.{}", *old, sname,
                                  ix.name))) {
            for (auto& i : renamed().find_table({sname, tname})->indexes)
              if (i.name == *old) i.name = ix.name;
            m_ops.push_back(op::RenameIndex{sname, *old, ix.name});
          }
        }
    }
}

void RenamePlan::rename_schema(const std::string& from, const std::string& to) {
  auto node = renamed().schemas.extract(from);
  node.key() = to;
  node.mapped().name = to;
  renamed().schemas.insert(std::move(node));
  m_ops.push_back(op::RenameSchema{from, to});
}

void RenamePlan::rename_table(const QualifiedName& from, const std::string& to) {
  auto& tables = renamed().schemas[from.schema].tables;
  auto node = tables.extract(from.name);
  node.key() = to;
  node.mapped().name = to;
  tables.insert(std::move(node));
  for (auto& [sname, ns] : renamed().schemas)
    for (auto& [tname, t] : ns.tables)
      for (auto& fk : t.foreign_keys)
        if (fk.ref_table == from) fk.ref_table.name = to;
  m_ops.push_back(op::RenameTable{from, to});
}

void RenamePlan::rename_column(const QualifiedName& table, const std::string& from,
                               const std::string& to) {
  for (auto& c : renamed().find_table(table)->columns)
    if (c.name == from) c.name = to;
  m_ops.push_back(op::RenameColumn{table, from, to});
}

void RenamePlan::rename_enum(const QualifiedName& from, const std::string& to) {
  auto& enums = renamed().schemas[from.schema].enums;
  auto node = enums.extract(from.name);
  node.key() = to;
  node.mapped().name = to;
  enums.insert(std::move(node));
  m_ops.push_back(op::RenameEnum{from, to});
}

void RenamePlan::rename_label(const QualifiedName& e, const std::string& from,
                              const std::string& to) {
  for (auto& l : renamed().schemas[e.schema].enums[e.name].labels)
    if (l == from) l = to;
  m_ops.push_back(op::RenameEnumLabel{e, from, to});
}

std::vector<RenameCandidate> RenamePlan::candidates() const {
  std::vector<RenameCandidate> out;
  for (const auto& [sname, ns] : m_target.schemas) {
    auto cur = schema().schemas.find(sname);
    if (cur == schema().schemas.end()) continue;
    for (const auto& [old_name, old] : cur->second.tables) {
      if (ns.tables.contains(old_name)) continue;
      for (const auto& [new_name, wanted] : ns.tables)
        if (!cur->second.tables.contains(new_name) && same_columns(old, wanted))
          out.push_back({{sname, old_name}, std::nullopt, new_name});
    }
  }
  for (const auto& [sname, ns] : m_target.schemas)
    for (const auto& [tname, wanted] : ns.tables) {
      const Table* old = schema().find_table({sname, tname});
      if (!old) continue;
      for (std::size_t i = 0; i < old->columns.size(); ++i) {
        const auto& o = old->columns[i];
        if (wanted.find_column(o.name, i)) continue;
        for (std::size_t j = 0; j < wanted.columns.size(); ++j)
          if (const auto& n = wanted.columns[j]; !old->find_column(n.name, j) && n.type == o.type)
            out.push_back({{sname, tname}, o.name, n.name});
      }
    }
  return out;
}

bool RenamePlan::open(const RenameCandidate& c) const {
  const Table* t = schema().find_table(c.table);
  if (!c.column) return t && !schema().find_table({c.table.schema, c.to});
  return t && t->find_column(*c.column) && !t->find_column(c.to);
}

void RenamePlan::accept(const RenameCandidate& c) {
  if (c.column)
    rename_column(c.table, *c.column, c.to);
  else
    rename_table(c.table, c.to);
}

}  // namespace retort
