// The two ops every kind of schema-level object (extension, sequence, domain, composite type)
// has: created in a schema, dropped from it. The kind supplies names, SQL and descriptions:
//   using Object;  kCreateName, kDropName, kJsonKey, kNoun;
//   create_sql(schema, object), drop_sql(schema, object), describe_create(schema, object)
#pragma once

#include "retort/kinds/kind.hpp"

namespace retort {

std::string display(const QualifiedName& name);  // schema.name, for messages

namespace op {

// CreateObject<Kind> and DropObject<Kind>: one template, the direction its parameter; each op
// is the other's inverse.
template <class Kind, bool kCreate>
struct ObjectOp {
  static constexpr std::string_view kName = kCreate ? Kind::kCreateName : Kind::kDropName;
  std::string schema;
  typename Kind::Object object;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("schema", o.schema);
    f(Kind::kJsonKey, o.object);
  }
  std::vector<std::string> sql() const {
    return kCreate ? Kind::create_sql(schema, object) : Kind::drop_sql(schema, object);
  }
  ObjectOp<Kind, !kCreate> inverse() const { return {schema, object}; }
  std::string describe() const {
    if constexpr (kCreate) return Kind::describe_create(schema, object);
    return "drop " + std::string(Kind::kNoun) + " " + display({schema, object.name});
  }
  bool operator==(const ObjectOp&) const = default;
};
template <class Kind>
using CreateObject = ObjectOp<Kind, true>;
template <class Kind>
using DropObject = ObjectOp<Kind, false>;

// An object changed in place (ALTER ...): the kind renders the statements from old to new; the
// inverse renders them back.
template <class Kind>
struct AlterObject {
  static constexpr std::string_view kName = Kind::kAlterName;
  std::string schema;
  typename Kind::Object object;
  typename Kind::Object old_object;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("schema", o.schema);
    f(Kind::kJsonKey, o.object);
    f("old", o.old_object);
  }
  std::vector<std::string> sql() const { return Kind::alter_sql(schema, old_object, object); }
  AlterObject inverse() const { return {schema, old_object, object}; }
  std::string describe() const { return Kind::describe_alter(schema, old_object, object); }
  bool operator==(const AlterObject&) const = default;
};

}  // namespace op

}  // namespace retort
