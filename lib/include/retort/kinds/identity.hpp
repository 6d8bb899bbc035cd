// Identity columns: GENERATED ... AS IDENTITY added, dropped, or changed in place.
#pragma once

#include "retort/kinds/kind.hpp"

namespace retort {

ordered_json to_json(const Identity& id);
void from_json(const JsonCursor& c, Identity& out);

namespace op {

struct DropIdentity;
struct AddIdentity {
  static constexpr std::string_view kName = "add_identity";
  QualifiedName table;
  std::string column;
  Identity identity;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("table", o.table);
    f("column", o.column);
    f("identity", o.identity);
  }
  std::vector<std::string> sql() const;
  DropIdentity inverse() const;
  std::string describe() const;
  bool operator==(const AddIdentity&) const = default;
};
struct DropIdentity {
  static constexpr std::string_view kName = "drop_identity";
  QualifiedName table;
  std::string column;
  Identity identity;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("table", o.table);
    f("column", o.column);
    f("identity", o.identity);
  }
  std::vector<std::string> sql() const;
  AddIdentity inverse() const { return {table, column, identity}; }
  std::string describe() const;
  bool operator==(const DropIdentity&) const = default;
};
// Changes an identity's kind or options in place: the sequence keeps its position.
struct AlterIdentity {
  static constexpr std::string_view kName = "alter_identity";
  QualifiedName table;
  std::string column;
  Identity identity;
  Identity old_identity;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("table", o.table);
    f("column", o.column);
    f("identity", o.identity);
    f("old_identity", o.old_identity);
  }
  std::vector<std::string> sql() const;
  AlterIdentity inverse() const { return {table, column, old_identity, identity}; }
  std::string describe() const;
  bool operator==(const AlterIdentity&) const = default;
};

}  // namespace op

struct IdentityKind {
  using Ops = TypeList<op::AddIdentity, op::DropIdentity, op::AlterIdentity>;
};

}  // namespace retort
