// Ops: the closed set of schema changes a revision is made of. Each is a value with three faces:
// JSON (as stored in a revision file), SQL (every identifier quoted) and an inverse (downgrade).
// An op carries everything its inverse needs (a dropped column's definition, the old type, ...).
// Each op lives with its kind in kinds/<kind>.hpp; this file registers the kinds.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "retort/json_cursor.hpp"
#include "retort/kinds/check.hpp"
#include "retort/kinds/column.hpp"
#include "retort/kinds/composite.hpp"
#include "retort/kinds/domain.hpp"
#include "retort/kinds/enum.hpp"
#include "retort/kinds/exclusion.hpp"
#include "retort/kinds/execute.hpp"
#include "retort/kinds/extension.hpp"
#include "retort/kinds/foreign_key.hpp"
#include "retort/kinds/function.hpp"
#include "retort/kinds/grant.hpp"
#include "retort/kinds/identity.hpp"
#include "retort/kinds/index.hpp"
#include "retort/kinds/namespace.hpp"
#include "retort/kinds/partition.hpp"
#include "retort/kinds/policy.hpp"
#include "retort/kinds/primary_key.hpp"
#include "retort/kinds/rename.hpp"
#include "retort/kinds/sequence.hpp"
#include "retort/kinds/table.hpp"
#include "retort/kinds/trigger.hpp"
#include "retort/kinds/unique.hpp"
#include "retort/kinds/view.hpp"
#include "retort/schema.hpp"

namespace retort {

// Every kind, once. The op family and the table-item kinds are derived from this list.
using Kinds = TypeList<NamespaceKind, EnumKind, TableKind, ColumnKind, IdentityKind, PrimaryKeyKind,
                       UniqueKind, CheckKind, ExclusionKind, ForeignKeyKind, IndexKind, PolicyKind,
                       GrantKind, ViewKind, ExecuteKind, ExtensionKind, SequenceKind, DomainKind,
                       CompositeKind, FunctionKind, TriggerKind, PartitionKind, RenameKind>;

namespace detail {

template <class... Lists>
struct Concat;
template <class... Ts>
struct Concat<TypeList<Ts...>> {
  using type = TypeList<Ts...>;
};
template <class... As, class... Bs, class... Rest>
struct Concat<TypeList<As...>, TypeList<Bs...>, Rest...> {
  using type = typename Concat<TypeList<As..., Bs...>, Rest...>::type;
};

template <class List>
struct OpsOf;
template <class... Ks>
struct OpsOf<TypeList<Ks...>> {
  using type = typename Concat<typename Ks::Ops...>::type;
};

template <class List>
struct VariantOf;
template <class... Ts>
struct VariantOf<TypeList<Ts...>> {
  using type = std::variant<Ts...>;
};

// The kinds whose items live in a table's lists.
template <class List>
struct TableItemsOf;
template <class... Ks>
struct TableItemsOf<TypeList<Ks...>> {
  using type =
      typename Concat<std::conditional_t<TableItemKind<Ks>, TypeList<Ks>, TypeList<>>...>::type;
};

template <class Item, class List>
struct KindOfItem {
  using type = void;
};
template <class Item, class K, class... Ks>
struct KindOfItem<Item, TypeList<K, Ks...>> {
  using type = std::conditional_t<std::is_same_v<typename K::Item, Item>, K,
                                  typename KindOfItem<Item, TypeList<Ks...>>::type>;
};

}  // namespace detail

using Op = detail::VariantOf<detail::OpsOf<Kinds>::type>::type;
using TableItemKinds = detail::TableItemsOf<Kinds>::type;

// The table-item kind whose items are of type Item (void when none is).
template <class Item>
using KindOfItem = typename detail::KindOfItem<Item, TableItemKinds>::type;

// Calls f.template operator()<Kind>() for every table-item kind, in registration order.
template <class F>
void for_each_table_item_kind(F&& f) {
  [&]<class... Ks>(TypeList<Ks...>) { (f.template operator()<Ks>(), ...); }(TableItemKinds{});
}

// The op's name in a revision file: "create_table", "add_column", ...
std::string op_name(const Op& op);

// {"op": "add_column", ...fields}: the revision-file form.
ordered_json to_json(const Op& op);
// Strict: unknown op names, missing fields and wrong types are errors naming the JSON path.
Op op_from_json(const JsonCursor& c);

// The statements that apply the op, in order, each without a trailing semicolon.
std::vector<std::string> to_sql(const Op& op);

// The op that undoes this one; nullopt when it cannot be undone (add_enum_label, an execute
// without down_sql).
std::optional<Op> inverse(const Op& op);

// One human line: "add column public.members.email (text NULL)".
std::string describe(const Op& op);

}  // namespace retort
