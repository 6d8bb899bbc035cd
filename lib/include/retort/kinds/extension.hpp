// Extensions: CREATE EXTENSION IF NOT EXISTS before their first use, DROP EXTENSION after the
// last. The objects an extension brings (types, functions, ...) are its own, never the models'.
#pragma once

#include "retort/kinds/schema_object.hpp"

namespace retort {

ordered_json to_json(const Extension& e);
void from_json(const JsonCursor& c, Extension& out);

struct ExtensionKind {
  using Object = Extension;
  static constexpr std::string_view kCreateName = "create_extension";
  static constexpr std::string_view kDropName = "drop_extension";
  static constexpr std::string_view kJsonKey = "extension";
  static constexpr std::string_view kNoun = "extension";
  static std::vector<std::string> create_sql(const std::string& schema, const Extension& e);
  static std::vector<std::string> drop_sql(const std::string& schema, const Extension& e);
  static std::string describe_create(const std::string& schema, const Extension& e);
  using Ops = TypeList<op::CreateObject<ExtensionKind>, op::DropObject<ExtensionKind>>;
};

namespace op {
using CreateExtension = CreateObject<ExtensionKind>;
using DropExtension = DropObject<ExtensionKind>;
}  // namespace op

}  // namespace retort
