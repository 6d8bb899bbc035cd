// Composite types: CREATE TYPE ... AS (...) before the tables using them, changed in place with
// ALTER TYPE (attributes added, dropped, retyped), dropped after the last column using them.
#pragma once

#include "retort/kinds/schema_object.hpp"

namespace retort {

ordered_json to_json(const CompositeType& t);
void from_json(const JsonCursor& c, CompositeType& out);

struct CompositeKind {
  using Object = CompositeType;
  static constexpr std::string_view kCreateName = "create_composite_type";
  static constexpr std::string_view kDropName = "drop_composite_type";
  static constexpr std::string_view kAlterName = "alter_composite_type";
  static constexpr std::string_view kJsonKey = "type";
  static constexpr std::string_view kNoun = "composite type";
  static std::vector<std::string> create_sql(const std::string& schema, const CompositeType& t);
  static std::vector<std::string> drop_sql(const std::string& schema, const CompositeType& t);
  static std::vector<std::string> alter_sql(const std::string& schema, const CompositeType& from,
                                            const CompositeType& to);
  static std::string describe_create(const std::string& schema, const CompositeType& t);
  static std::string describe_alter(const std::string& schema, const CompositeType& from,
                                    const CompositeType& to);
  using Ops = TypeList<op::CreateObject<CompositeKind>, op::DropObject<CompositeKind>,
                       op::AlterObject<CompositeKind>>;
};

namespace op {
using CreateCompositeType = CreateObject<CompositeKind>;
using DropCompositeType = DropObject<CompositeKind>;
using AlterCompositeType = AlterObject<CompositeKind>;
}  // namespace op

}  // namespace retort
