// Functions declared in the models, with their body as SQL: CREATE FUNCTION, CREATE OR REPLACE
// FUNCTION when the arguments and result allow it, DROP FUNCTION. Compared as
// pg_get_functiondef prints them (the models' text is canonicalized by the server first).
// Functions that belong to an extension are never read, so never managed.
#pragma once

#include "retort/kinds/kind.hpp"

namespace retort {

ordered_json to_json(const Function& f);
void from_json(const JsonCursor& c, Function& out);

namespace op {

std::vector<std::string> function_sql(const std::string& schema, const Function& f, bool create);
std::string describe_function(const std::string& schema, const Function& f, bool create);

// CreateFunction and DropFunction: one template, the direction its parameter.
template <bool kCreate>
struct FunctionOp {
  static constexpr std::string_view kName = kCreate ? "create_function" : "drop_function";
  std::string schema;
  Function function;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("schema", o.schema);
    f("function", o.function);
  }
  std::vector<std::string> sql() const { return function_sql(schema, function, kCreate); }
  FunctionOp<!kCreate> inverse() const { return {schema, function}; }
  std::string describe() const { return describe_function(schema, function, kCreate); }
  bool operator==(const FunctionOp&) const = default;
};
using CreateFunction = FunctionOp<true>;
using DropFunction = FunctionOp<false>;

// CREATE OR REPLACE FUNCTION: same arguments (with their defaults) and result, another body or
// options. Its inverse puts the old definition back.
struct ReplaceFunction {
  static constexpr std::string_view kName = "replace_function";
  std::string schema;
  Function function;
  Function old_function;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("schema", o.schema);
    f("function", o.function);
    f("old_function", o.old_function);
  }
  std::vector<std::string> sql() const;
  ReplaceFunction inverse() const { return {schema, old_function, function}; }
  std::string describe() const;
  bool operator==(const ReplaceFunction&) const = default;
};

}  // namespace op

struct FunctionKind {
  using Ops = TypeList<op::CreateFunction, op::DropFunction, op::ReplaceFunction>;
};

// "public.touch_updated_at()" -> the function as the models declare it (schema defaulting to
// `schema`), its definition `rest` ("RETURNS trigger LANGUAGE plpgsql AS $$...$$"). Throws
// Error on a malformed signature.
std::pair<std::string, Function> function_from_model(const std::string& signature,
                                                     const std::string& rest,
                                                     const std::string& schema);

}  // namespace retort
