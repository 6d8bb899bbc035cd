// The two ops every kind of table item (constraint, index) has: added to a table, dropped from
// it. A changed item is dropped and added again. The kind supplies names, SQL and descriptions.
#pragma once

#include "retort/kinds/kind.hpp"

namespace retort {

std::string display(const QualifiedName& name);  // schema.name, for messages

namespace op {

// AddItem<Kind> and DropItem<Kind>: one template, the direction its parameter; each op is the
// other's inverse.
template <class Kind, bool kAdd>
struct ItemOp {
  static constexpr std::string_view kName = kAdd ? Kind::kAddName : Kind::kDropName;
  QualifiedName table;
  typename Kind::Item item;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("table", o.table);
    f(Kind::kItemKey, o.item);
  }
  std::vector<std::string> sql() const {
    return {kAdd ? Kind::add_sql(table, item) : Kind::drop_sql(table, item)};
  }
  ItemOp<Kind, !kAdd> inverse() const { return {table, item}; }
  std::string describe() const {
    if constexpr (kAdd) return Kind::describe_add(table, item);
    return "drop " + std::string(Kind::kNoun) + " " + item.name + " on " + display(table);
  }
  bool operator==(const ItemOp&) const = default;
};
template <class Kind>
using AddItem = ItemOp<Kind, true>;
template <class Kind>
using DropItem = ItemOp<Kind, false>;

}  // namespace op

// ALTER TABLE t ADD <clause> / ALTER TABLE t DROP CONSTRAINT "name".
std::string add_constraint_sql(const QualifiedName& table, const std::string& clause);
std::string drop_constraint_sql(const QualifiedName& table, const std::string& name);
// " DEFERRABLE [INITIALLY DEFERRED]" or nothing, for unique and primary-key clauses.
std::string deferrable_sql(bool deferrable, bool initially_deferred);

// What every constraint kind shares (the kind derives from it): rendered inside CREATE TABLE
// and added or dropped by name with ALTER TABLE, in the constraint phases, by its two ops. A kind
// redeclares what differs (foreign keys come after every table).
template <class Kind, class ItemT>
struct ConstraintKind {
  using Item = ItemT;
  static constexpr bool kInCreateTable = true;
  static constexpr bool kNeedsDefinition = false;  // the catalog's columns describe it
  static constexpr bool kProbed = false;           // no expression the server must spell
  static constexpr Phase kDropPhase = Phase::drop_constraints, kAddPhase = Phase::add_constraints;
  static std::string add_sql(const QualifiedName& t, const Item& item) {
    return add_constraint_sql(t, Kind::clause(item));
  }
  static std::string drop_sql(const QualifiedName& t, const Item& item) {
    return drop_constraint_sql(t, item.name);
  }
  using Ops = TypeList<op::AddItem<Kind>, op::DropItem<Kind>>;
};

}  // namespace retort
