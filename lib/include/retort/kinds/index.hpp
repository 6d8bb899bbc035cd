// Indexes that do not back a constraint: CREATE [UNIQUE] INDEX / DROP INDEX. Keys, INCLUDE and
// the predicate are compared in the server's canonical form.
#pragma once

#include "retort/kinds/table_item.hpp"

namespace retort {

ordered_json to_json(const Index& ix);
void from_json(const JsonCursor& c, Index& out);

struct IndexKind {
  using Item = Index;
  static constexpr std::string_view kAddName = "create_index", kDropName = "drop_index";
  static constexpr std::string_view kItemKey = "index", kJsonKey = "indexes", kNoun = "index";
  static constexpr char kConstraintType = 0;  // read by a query of its own
  static constexpr bool kNeedsDefinition = false;
  static constexpr bool kInCreateTable = false;
  static constexpr bool kProbed = true;
  static constexpr Phase kDropPhase = Phase::drop_indexes, kAddPhase = Phase::create_indexes;
  static auto& items(auto& table) { return table.indexes; }
  static std::string add_sql(const QualifiedName& t, const Item& ix);
  static std::string drop_sql(const QualifiedName& t, const Item& ix);
  // Online: CREATE / DROP INDEX CONCURRENTLY, outside a transaction (online.hpp).
  static std::vector<std::string> add_online_sql(const QualifiedName& t, const Item& ix);
  static std::vector<std::string> drop_online_sql(const QualifiedName& t, const Item& ix);
  static std::string describe_add(const QualifiedName& t, const Item& ix);
  static bool uses_any(const Item& ix, const std::set<std::string>& columns);
  using Ops = TypeList<op::AddItem<IndexKind>, op::DropItem<IndexKind>>;
};

namespace op {
using CreateIndex = AddItem<IndexKind>;
using DropIndex = DropItem<IndexKind>;
}  // namespace op

}  // namespace retort
