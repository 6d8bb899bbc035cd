// The two ops every kind of table item (constraint, index) has: added to a table, dropped from
// it. A changed item is dropped and added again. The kind supplies names, SQL and descriptions.
#pragma once

#include "retort/kinds/kind.hpp"

namespace retort {

std::string display(const QualifiedName& name);  // schema.name, for messages
// schema.table.member: a column, index or constraint, for messages and warnings' objects.
std::string display(const QualifiedName& table, std::string_view member);

namespace op {

// Whether a kind has an online form for adding / dropping its items (online.hpp): it declares
// add_online_sql / drop_online_sql, the statements of that form, each run as a step of its own.
template <class Kind>
concept AddsOnline = requires(const QualifiedName& t, const typename Kind::Item& item) {
  { Kind::add_online_sql(t, item) } -> std::same_as<std::vector<std::string>>;
};
template <class Kind>
concept DropsOnline = requires(const QualifiedName& t, const typename Kind::Item& item) {
  { Kind::drop_online_sql(t, item) } -> std::same_as<std::vector<std::string>>;
};
template <class Kind, bool kAdd>
concept HasOnlineForm = (kAdd && AddsOnline<Kind>) || (!kAdd && DropsOnline<Kind>);

// AddItem<Kind> and DropItem<Kind>: one template, the direction its parameter; each op is the
// other's inverse.
template <class Kind, bool kAdd>
struct ItemOp {
  static constexpr std::string_view kName = kAdd ? Kind::kAddName : Kind::kDropName;
  // Only then is `online` ever set (online.hpp reads this); every item op has the member.
  static constexpr bool kHasOnlineForm = HasOnlineForm<Kind, kAdd>;
  QualifiedName table;
  typename Kind::Item item;
  bool online = false;  // the kind's online form ("online": true; kinds that have one)
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("table", o.table);
    f(Kind::kItemKey, o.item);
    if constexpr (kHasOnlineForm) f("online", o.online, false);
  }
  std::vector<std::string> sql() const {
    if constexpr (kAdd && AddsOnline<Kind>)
      if (online) return Kind::add_online_sql(table, item);
    if constexpr (!kAdd && DropsOnline<Kind>)
      if (online) return Kind::drop_online_sql(table, item);
    return {kAdd ? Kind::add_sql(table, item) : Kind::drop_sql(table, item)};
  }
  ItemOp<Kind, !kAdd> inverse() const {
    return {table, item, online && HasOnlineForm<Kind, !kAdd>};
  }
  std::string describe() const {
    std::string online_tag = online ? " (online)" : "";
    if constexpr (kAdd) return Kind::describe_add(table, item) + online_tag;
    return "drop " + std::string(Kind::kNoun) + " " + item.name + " on " + display(table) +
           online_tag;
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
// ALTER TABLE t ADD <clause> NOT VALID, then ALTER TABLE t VALIDATE CONSTRAINT "name": the
// online form of checks and foreign keys.
std::vector<std::string> not_valid_then_validate(const QualifiedName& table,
                                                 const std::string& clause,
                                                 const std::string& name);
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
