#include "retort/schema.hpp"

#include <algorithm>
#include <utility>

#include "retort/error.hpp"
#include "retort/ops.hpp"

namespace retort {

const Column* Table::find_column(std::string_view name, std::size_t hint) const {
  if (hint < columns.size() && columns[hint].name == name) return &columns[hint];
  for (const auto& c : columns)
    if (c.name == name) return &c;
  return nullptr;
}

const Table* Schema::find_table(const QualifiedName& name) const {
  auto ns = schemas.find(name.schema);
  if (ns == schemas.end()) return nullptr;
  auto t = ns->second.tables.find(name.name);
  return t == ns->second.tables.end() ? nullptr : &t->second;
}

Table* Schema::find_table(const QualifiedName& name) {
  return const_cast<Table*>(std::as_const(*this).find_table(name));
}

const Enum* Schema::find_enum(const QualifiedName& name) const {
  auto ns = schemas.find(name.schema);
  if (ns == schemas.end()) return nullptr;
  auto e = ns->second.enums.find(name.name);
  return e == ns->second.enums.end() ? nullptr : &e->second;
}

void Schema::normalize() {
  auto by_name = [](auto& items) {
    std::sort(items.begin(), items.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
  };
  for (auto& [_, ns] : schemas)
    for (auto& entry : ns.tables) {
      Table& t = entry.second;  // not a structured binding: clang 14 cannot capture those
      for_each_table_item_kind([&]<class Kind>() { by_name(Kind::items(t)); });
      // Storage parameters are a set; the catalog keeps them in the order they were set.
      std::sort(t.options.begin(), t.options.end());
      for (auto& ix : t.indexes) std::sort(ix.options.begin(), ix.options.end());
      by_name(t.partitions);
    }
}

std::string to_string(FkAction action) {
  switch (action) {
    case FkAction::no_action:
      return "NO ACTION";
    case FkAction::restrict:
      return "RESTRICT";
    case FkAction::cascade:
      return "CASCADE";
    case FkAction::set_null:
      return "SET NULL";
    case FkAction::set_default:
      return "SET DEFAULT";
  }
  return "NO ACTION";
}

}  // namespace retort
