// Views and materialized views: CREATE [MATERIALIZED] VIEW, DROP, CREATE OR REPLACE VIEW. Their
// definitions are compared as the server prints them (pg_get_viewdef). Views that read a column
// being retyped or dropped are dropped before the change and created again after it.
#pragma once

#include "retort/kinds/kind.hpp"

namespace retort {

ordered_json to_json(const View& v);
void from_json(const JsonCursor& c, View& out);

// CREATE [MATERIALIZED] VIEW "s"."v" [WITH (...)] AS <definition>
std::string create_view_sql(const QualifiedName& name, const View& view);

namespace op {

std::vector<std::string> view_sql(const std::string& schema, const View& view, bool create);
std::string describe_view(const std::string& schema, const View& view, bool create);

// CreateView and DropView: one template, the direction its parameter.
template <bool kCreate>
struct ViewOp {
  static constexpr std::string_view kName = kCreate ? "create_view" : "drop_view";
  std::string schema;
  View view;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("schema", o.schema);
    f("view", o.view);
  }
  std::vector<std::string> sql() const { return view_sql(schema, view, kCreate); }
  ViewOp<!kCreate> inverse() const { return {schema, view}; }
  std::string describe() const { return describe_view(schema, view, kCreate); }
  bool operator==(const ViewOp&) const = default;
};
using CreateView = ViewOp<true>;
using DropView = ViewOp<false>;

// CREATE OR REPLACE VIEW: a plain view whose new query keeps the old columns (new ones at the
// end), so views and grants depending on it stay.
struct ReplaceView {
  static constexpr std::string_view kName = "replace_view";
  std::string schema;
  View view;
  View old_view;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("schema", o.schema);
    f("view", o.view);
    f("old_view", o.old_view);
  }
  void validate(const JsonCursor& c) const;
  std::vector<std::string> sql() const;
  ReplaceView inverse() const { return {schema, old_view, view}; }
  std::string describe() const;
  bool operator==(const ReplaceView&) const = default;
};

}  // namespace op

struct ViewKind {
  using Ops = TypeList<op::CreateView, op::DropView, op::ReplaceView>;
};

}  // namespace retort
