// PostgreSQL schemas (pg_namespace): CREATE SCHEMA / DROP SCHEMA.
#pragma once

#include "retort/kinds/kind.hpp"

namespace retort {

namespace op {

struct DropSchema;
struct CreateSchema {
  static constexpr std::string_view kName = "create_schema";
  std::string schema;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("schema", o.schema);
  }
  std::vector<std::string> sql() const;
  DropSchema inverse() const;
  std::string describe() const;
  bool operator==(const CreateSchema&) const = default;
};
struct DropSchema {
  static constexpr std::string_view kName = "drop_schema";
  std::string schema;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("schema", o.schema);
  }
  std::vector<std::string> sql() const;
  CreateSchema inverse() const;
  std::string describe() const;
  bool operator==(const DropSchema&) const = default;
};

}  // namespace op

struct NamespaceKind {
  using Ops = TypeList<op::CreateSchema, op::DropSchema>;
};

}  // namespace retort
