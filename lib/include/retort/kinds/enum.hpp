// Enum types: CREATE TYPE ... AS ENUM, DROP TYPE, ALTER TYPE ... ADD VALUE.
#pragma once

#include "retort/kinds/kind.hpp"

namespace retort {

ordered_json to_json(const Enum& e);
void from_json(const JsonCursor& c, Enum& out);

namespace op {

struct DropEnum;
struct CreateEnum {
  static constexpr std::string_view kName = "create_enum";
  std::string schema;
  Enum enum_type;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("schema", o.schema);
    f("enum", o.enum_type);
  }
  std::vector<std::string> sql() const;
  DropEnum inverse() const;
  std::string describe() const;
  bool operator==(const CreateEnum&) const = default;
};
struct DropEnum {
  static constexpr std::string_view kName = "drop_enum";
  std::string schema;
  Enum enum_type;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("schema", o.schema);
    f("enum", o.enum_type);
  }
  std::vector<std::string> sql() const;
  CreateEnum inverse() const;
  std::string describe() const;
  bool operator==(const DropEnum&) const = default;
};
// ALTER TYPE ... ADD VALUE: PostgreSQL cannot remove an enum label, so it is irreversible.
struct AddEnumLabel {
  static constexpr std::string_view kName = "add_enum_label";
  QualifiedName enum_name;
  std::string label;
  std::optional<std::string> before;  // at most one of before/after; neither means at the end
  std::optional<std::string> after;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("enum", o.enum_name);
    f("label", o.label);
    f("before", o.before, Absent::omit);
    f("after", o.after, Absent::omit);
  }
  void validate(const JsonCursor& c) const;
  std::vector<std::string> sql() const;
  Irreversible inverse() const;
  std::string describe() const;
  bool operator==(const AddEnumLabel&) const = default;
};

}  // namespace op

struct EnumKind {
  using Ops = TypeList<op::CreateEnum, op::DropEnum, op::AddEnumLabel>;
};

}  // namespace retort
