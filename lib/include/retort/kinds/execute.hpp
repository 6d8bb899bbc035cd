// Hand-written SQL in a revision file, with its own downgrade SQL (or none: irreversible).
#pragma once

#include "retort/kinds/kind.hpp"

namespace retort {

namespace op {

struct Execute {
  static constexpr std::string_view kName = "execute";
  std::string sql_text;
  std::optional<std::string> down_sql;
  template <class Self, class F>
  static void fields(Self& o, F& f) {
    f("sql", o.sql_text);
    f("down_sql", o.down_sql);
  }
  std::vector<std::string> sql() const { return {sql_text}; }
  std::optional<Execute> inverse() const {
    if (!down_sql) return std::nullopt;
    return Execute{*down_sql, sql_text};
  }
  std::string describe() const;
  bool operator==(const Execute&) const = default;
};

}  // namespace op

struct ExecuteKind {
  using Ops = TypeList<op::Execute>;
};

}  // namespace retort
