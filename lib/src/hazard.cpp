#include "retort/hazard.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

namespace retort {

namespace {

using H = HazardKind;
using Hazards = std::vector<HazardKind>;

// A default PostgreSQL cannot store once for all rows (PostgreSQL 11+ keeps a constant default in
// the catalog instead of rewriting): the volatile functions a default commonly calls.
bool volatile_default(const std::optional<std::string>& expr) {
  if (!expr) return false;
  static const std::array<std::string_view, 6> calls = {"nextval(",         "random(",
                                                        "gen_random_uuid(", "uuid_generate_",
                                                        "clock_timestamp(", "timeofday("};
  return std::any_of(calls.begin(), calls.end(),
                     [&](std::string_view c) { return expr->find(c) != std::string::npos; });
}

// varchar(n) -> varchar(m >= n), text or unbounded varchar: PostgreSQL relabels without a rewrite.
bool relabel_only(const std::string& from, const std::string& to) {
  static const std::string varchar = "character varying";
  if (!from.starts_with(varchar)) return false;
  if (to == "text" || to == varchar) return true;
  if (!to.starts_with(varchar + "(") || from == varchar) return false;
  auto length = [&](const std::string& t) {
    return std::stoi(t.substr(varchar.size() + 1, t.find(')') - varchar.size() - 1));
  };
  return length(to) >= length(from);
}

Hazards of(const op::AddColumn& o) {
  Hazards h;
  const auto& c = o.column;
  if (c.generated || c.identity || c.serial || volatile_default(c.default_expr))
    h.push_back(H::rewrites_table);
  if (!c.nullable && !c.default_expr && !c.identity && !c.generated && !c.serial)
    h.push_back(H::may_fail_on_data);
  return h;
}
Hazards of(const op::DropColumn&) { return {H::deletes_data}; }
Hazards of(const op::DropTable&) { return {H::deletes_data}; }
Hazards of(const op::AlterColumnType& o) {
  if (relabel_only(o.old_type, o.type)) return {};
  return {H::rewrites_table, H::may_fail_on_data};
}
// Online forms (online.hpp) scan under SHARE UPDATE EXCLUSIVE (reads and writes go on) and take
// their strong locks only for catalog changes.
Hazards of(const op::SetNotNull& o) {
  if (o.online) return {H::validates_rows, H::may_fail_on_data};
  return {H::access_exclusive_scan, H::may_fail_on_data};
}
// Unique, primary-key and exclusion constraints build their index under ACCESS EXCLUSIVE.
Hazards of(const op::AddPrimaryKey&) {
  return {H::access_exclusive_scan, H::builds_index, H::may_fail_on_data};
}
Hazards of(const op::AddUnique& o) {
  if (o.online) return {H::builds_index, H::may_fail_on_data};
  return {H::access_exclusive_scan, H::builds_index, H::may_fail_on_data};
}
Hazards of(const op::AddExclusion&) {
  return {H::access_exclusive_scan, H::builds_index, H::may_fail_on_data};
}
Hazards of(const op::AddCheck& o) {
  if (o.online) return {H::validates_rows, H::may_fail_on_data};
  return {H::access_exclusive_scan, H::validates_rows, H::may_fail_on_data};
}
// A foreign key scans under SHARE ROW EXCLUSIVE: writes wait, reads go on.
Hazards of(const op::AddForeignKey&) { return {H::validates_rows, H::may_fail_on_data}; }
Hazards of(const op::CreateIndex& o) {
  if (o.item.unique) return {H::builds_index, H::may_fail_on_data};
  return {H::builds_index};
}
// SET LOGGED / UNLOGGED rewrites the table.
Hazards of(const op::SetTablePersistence&) { return {H::rewrites_table}; }
// The sequence's position is gone: a re-created one starts again.
Hazards of(const op::DropSequence&) { return {H::deletes_data}; }
// A new domain constraint or NOT NULL is checked against every column of the domain's type.
Hazards of(const op::AlterDomain&) { return {H::validates_rows, H::may_fail_on_data}; }
// PostgreSQL refuses to change attributes of a type that a table column uses.
Hazards of(const op::AlterCompositeType&) { return {H::may_fail_on_data}; }
// A dropped partition takes its rows; an attached one is scanned against its bound.
Hazards of(const op::DropPartition&) { return {H::deletes_data}; }
Hazards of(const op::AttachPartition&) { return {H::validates_rows, H::may_fail_on_data}; }
// Who may read or write what changes.
Hazards of(const op::SetRowSecurity&) { return {H::changes_authorization}; }
Hazards of(const op::CreatePolicy&) { return {H::changes_authorization}; }
Hazards of(const op::DropPolicy&) { return {H::changes_authorization}; }
Hazards of(const op::GrantPrivileges&) { return {H::changes_authorization}; }
Hazards of(const op::RevokePrivileges&) { return {H::changes_authorization}; }
// Every other op: nothing beyond what its inverse says (irreversible).
template <class O>
Hazards of(const O&) {
  return {};
}

// The op's field "table" when it is a table's name (found through the op's field list, so any
// member may hold it).
template <class O>
std::optional<QualifiedName> table_of_op(const O& o) {
  if constexpr (std::is_same_v<O, op::CreateTable> || std::is_same_v<O, op::DropTable>) {
    return QualifiedName{o.schema, o.table.name};
  } else {
    std::optional<QualifiedName> table;
    auto find = [&]<class T>(std::string_view key, const T& v, auto...) {
      if constexpr (std::is_same_v<T, QualifiedName>)
        if (key == "table") table = v;
    };
    O::fields(o, find);
    return table;
  }
}

bool is_data_hazard(HazardKind k) {
  return k == H::rewrites_table || k == H::access_exclusive_scan || k == H::builds_index ||
         k == H::validates_rows || k == H::may_fail_on_data;
}

Hazards in_order(const std::set<HazardKind>& kinds) { return {kinds.begin(), kinds.end()}; }

}  // namespace

std::optional<QualifiedName> table_of(const Op& op) {
  return std::visit([](const auto& o) { return table_of_op(o); }, op);
}

std::vector<HazardKind> hazards(const Op& op) {
  std::set<HazardKind> kinds;
  for (auto k : std::visit([](const auto& o) { return of(o); }, op)) kinds.insert(k);
  if (!inverse(op)) kinds.insert(H::irreversible);
  return in_order(kinds);
}

std::vector<std::vector<HazardKind>> hazards(const std::vector<Op>& ops) {
  std::vector<std::vector<HazardKind>> out;
  std::set<QualifiedName> created;
  for (const auto& op : ops) {
    auto kinds = hazards(op);
    auto table = table_of(op);
    if (table && created.count(*table))
      std::erase_if(kinds, is_data_hazard);
    else if (table && std::holds_alternative<op::CreateTable>(op))
      created.insert(*table);
    out.push_back(std::move(kinds));
  }
  return out;
}

std::vector<HazardKind> merge_hazards(const std::vector<HazardKind>& declared,
                                      const std::vector<HazardKind>& computed) {
  std::set<HazardKind> kinds(declared.begin(), declared.end());
  kinds.insert(computed.begin(), computed.end());
  return in_order(kinds);
}

std::string join(const std::vector<HazardKind>& kinds) {
  std::string out;
  for (auto k : kinds) out += fmt::format("{}{}", out.empty() ? "" : ", ", to_string(k));
  return out;
}

std::vector<std::string> hazard_lines(const std::vector<Op>& ops,
                                      const std::vector<std::vector<HazardKind>>& per_op) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < ops.size() && i < per_op.size(); ++i)
    if (!per_op[i].empty())
      out.push_back(fmt::format("op #{} {}: {}", i + 1, describe(ops[i]), join(per_op[i])));
  return out;
}

std::string summarize(const std::vector<std::vector<HazardKind>>& per_op) {
  std::map<HazardKind, int> counts;
  for (const auto& kinds : per_op)
    for (auto k : kinds) ++counts[k];
  std::string out;
  for (const auto& [kind, n] : counts)
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", n, to_string(kind));
  return out;
}

}  // namespace retort
