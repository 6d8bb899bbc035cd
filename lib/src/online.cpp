#include "retort/online.hpp"

#include <set>

#include "retort/hazard.hpp"

namespace retort {

namespace {

// The ops that have an online form, as a pointer to their flag. Every table item op has the
// member; only kinds with an online form (kHasOnlineForm) may set it.
bool* online_flag(Op& op) {
  return std::visit(
      [](auto& o) -> bool* {
        using T = std::decay_t<decltype(o)>;
        if constexpr (requires { o.online; }) {
          if constexpr (requires { T::kHasOnlineForm; })
            if (!T::kHasOnlineForm) return nullptr;
          return &o.online;
        }
        return nullptr;
      },
      op);
}

bool online_table(const Op& op, const Schema& current, const std::set<QualifiedName>& created) {
  auto table = table_of(op);
  if (!table || created.contains(*table)) return false;
  const auto* t = current.find_table(*table);
  // PostgreSQL cannot build an index on a partitioned table CONCURRENTLY.
  return t && !t->partition_by;
}

void rewrite(std::vector<Op>& ops, const Schema& current) {
  std::set<QualifiedName> created;
  for (auto& op : ops) {
    if (std::holds_alternative<op::CreateTable>(op)) created.insert(*table_of(op));
    if (auto* flag = online_flag(op); flag && online_table(op, current, created)) *flag = true;
  }
}

}  // namespace

bool is_online(const Op& op) {
  auto copy = op;
  auto* flag = online_flag(copy);
  return flag && *flag;
}

bool any_online(const std::vector<Op>& ops) {
  return std::any_of(ops.begin(), ops.end(), [](const Op& o) { return is_online(o); });
}

bool runs_in_steps(const std::vector<Op>& ops) {
  for (const auto& op : ops) {
    if (is_online(op)) return true;
    if (auto* e = std::get_if<op::Execute>(&op); e && !e->transactional) return true;
  }
  return false;
}

std::vector<Step> steps_of(const std::vector<Op>& ops) {
  std::vector<Step> out;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const auto& op = ops[i];
    auto sql = to_sql(op);
    if (!is_online(op)) {
      auto* e = std::get_if<op::Execute>(&op);
      out.push_back({i, std::move(sql), !e || e->transactional});
      continue;
    }
    // The CONCURRENTLY statement of an online index or unique op is its first.
    std::optional<QualifiedName> index;
    bool builds = false;
    if (auto* c = std::get_if<op::CreateIndex>(&op)) {
      index = QualifiedName{c->table.schema, c->item.name};
      builds = true;
    } else if (auto* d = std::get_if<op::DropIndex>(&op)) {
      index = QualifiedName{d->table.schema, d->item.name};
    } else if (auto* u = std::get_if<op::AddUnique>(&op)) {
      index = QualifiedName{u->table.schema, u->item.name};
      builds = true;
    }
    for (std::size_t k = 0; k < sql.size(); ++k) {
      bool concurrently = index && k == 0;
      out.push_back({i,
                     {std::move(sql[k])},
                     !concurrently,
                     concurrently ? index : std::nullopt,
                     concurrently && builds});
    }
  }
  return out;
}

Op transactional_form(const Op& op) {
  auto copy = op;
  bool concurrently = std::holds_alternative<op::CreateIndex>(copy) ||
                      std::holds_alternative<op::DropIndex>(copy) ||
                      std::holds_alternative<op::AddUnique>(copy);
  if (auto* flag = online_flag(copy); flag && concurrently) *flag = false;
  return copy;
}

void make_online(SchemaDiff& diff, const Schema& current) {
  rewrite(diff.upgrade, current);
  // As the differ builds it: each op's inverse, in reverse (irreversible ones were warned about).
  diff.downgrade.clear();
  for (auto it = diff.upgrade.rbegin(); it != diff.upgrade.rend(); ++it)
    if (auto inv = inverse(*it)) diff.downgrade.push_back(std::move(*inv));
  rewrite(diff.downgrade, current);
}

}  // namespace retort
