#include "retort/diff.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <set>

#include "retort/error.hpp"
#include "retort/sql.hpp"

namespace retort {

namespace {

// The differ collects ops into phases; the phase order is what makes the result apply cleanly:
// new schemas and enums before the tables using them, foreign keys dropped before what they
// point at, new tables before the foreign keys between them, drops of types and schemas last.
enum Phase {
  kCreateSchemas,
  kCreateEnums,
  kDropForeignKeys,
  kDropIndexes,
  kDropConstraints,
  kDropTables,
  kCreateTables,
  kAlterColumns,
  kDropColumns,
  kAddConstraints,
  kCreateIndexes,
  kAddForeignKeys,
  kComments,
  kDropEnums,
  kDropSchemas,
  kPhaseCount
};

std::string display(const QualifiedName& n) { return n.schema + "." + n.name; }

std::string base_type(const std::string& type) {
  auto p = type.find('(');
  std::string base = p == std::string::npos ? type : type.substr(0, p);
  if (auto q = type.find(')'); p != std::string::npos && q != std::string::npos)
    base += type.substr(q + 1);  // "timestamp(3) with time zone" -> "timestamp with time zone"
  return base;
}

std::vector<int> type_args(const std::string& type) {
  std::vector<int> out;
  auto p = type.find('(');
  if (p == std::string::npos) return out;
  auto q = type.find(')', p);
  std::string inner = type.substr(p + 1, q - p - 1);
  std::size_t start = 0;
  while (start <= inner.size()) {
    auto comma = inner.find(',', start);
    auto part = inner.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    try {
      out.push_back(std::stoi(part));
    } catch (...) {
      return {};
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// Changes PostgreSQL makes without risk of losing or rejecting data; anything else is flagged.
bool is_widening(const std::string& from, const std::string& to) {
  static const std::vector<std::string> ints = {"smallint", "integer", "bigint"};
  auto rank = [](const std::vector<std::string>& order, const std::string& t) {
    auto it = std::find(order.begin(), order.end(), t);
    return it == order.end() ? -1 : static_cast<int>(it - order.begin());
  };
  auto bf = base_type(from), bt = base_type(to);
  if (bt == "text" && (bf == "character varying" || bf == "character" || bf == "text")) return true;
  if (rank(ints, bf) >= 0 && rank(ints, bt) >= rank(ints, bf)) return true;
  if (bf == "real" && bt == "double precision") return true;
  if (bf == bt) {
    auto af = type_args(from), at = type_args(to);
    if (at.empty()) return true;  // unbounded: varchar(n) -> varchar, numeric(p,s) -> numeric
    if (af.empty()) return false;
    if (bf == "numeric") {
      int fs = af.size() > 1 ? af[1] : 0, ts = at.size() > 1 ? at[1] : 0;
      return at[0] - ts >= af[0] - fs && ts >= fs;
    }
    return at[0] >= af[0];
  }
  return false;
}

// PostgreSQL converts these without USING (an implicit or assignment cast exists).
bool needs_using(const std::string& from, const std::string& to) {
  auto bf = base_type(from), bt = base_type(to);
  if (bf == bt) return false;
  static const std::set<std::string> numbers = {"smallint", "integer",          "bigint",
                                                "real",     "double precision", "numeric"};
  static const std::set<std::string> strings = {"text", "character varying", "character"};
  if (numbers.contains(bf) && numbers.contains(bt)) return false;
  if (strings.contains(bf) && strings.contains(bt)) return false;
  if (bt == "text" || bt == "character varying") return false;  // everything casts to text
  return true;
}

std::string normalize_default(const std::string& expr) {
  if (expr == "CURRENT_TIMESTAMP" || expr == "transaction_timestamp()") return "now()";
  return expr;
}

class Differ {
 public:
  Differ(const Schema& current, const Schema& target) : m_current(current), m_target(target) {}

  SchemaDiff run() {
    diff_schemas_and_enums();
    diff_tables();
    rebuild_referring_foreign_keys();
    SchemaDiff out;
    for (auto& phase : m_phases)
      for (auto& op : phase) out.upgrade.push_back(std::move(op));
    for (auto it = out.upgrade.rbegin(); it != out.upgrade.rend(); ++it) {
      if (auto inv = inverse(*it))
        out.downgrade.push_back(std::move(*inv));
      else
        warn(fmt::format("{}: cannot be undone on downgrade", describe(*it)));
    }
    out.warnings = std::move(m_warnings);
    out.row_warnings = std::move(m_row_warnings);
    return out;
  }

 private:
  void emit(Phase phase, Op op) { m_phases[phase].push_back(std::move(op)); }
  void warn(std::string text) { m_warnings.push_back(std::move(text)); }

  // A warning that holds only if `table` has rows.
  void warn_if_rows(const QualifiedName& table, std::string text) {
    m_row_warnings.emplace_back(m_warnings.size(), table);
    warn(std::move(text));
  }

  void diff_schemas_and_enums() {
    for (const auto& [name, ns] : m_target.schemas) {
      if (!m_current.schemas.contains(name)) emit(kCreateSchemas, op::CreateSchema{name});
      const Namespace* cur = find_ns(m_current, name);
      for (const auto& [ename, e] : ns.enums) {
        const Enum* old = cur ? find_enum(*cur, ename) : nullptr;
        if (!old) {
          emit(kCreateEnums, op::CreateEnum{name, e});
          continue;
        }
        diff_enum_labels({name, ename}, *old, e);
      }
    }
    for (const auto& [name, ns] : m_current.schemas) {
      const Namespace* tgt = find_ns(m_target, name);
      for (const auto& [ename, e] : ns.enums)
        if (!tgt || !find_enum(*tgt, ename)) emit(kDropEnums, op::DropEnum{name, e});
      if (!tgt && name != "public") emit(kDropSchemas, op::DropSchema{name});
    }
  }

  // New labels go in position with ADD VALUE; PostgreSQL cannot remove or reorder labels.
  void diff_enum_labels(const QualifiedName& name, const Enum& old, const Enum& wanted) {
    std::vector<std::string> kept;
    for (const auto& l : wanted.labels)
      if (std::find(old.labels.begin(), old.labels.end(), l) != old.labels.end()) kept.push_back(l);
    if (kept != old.labels)
      throw Error(fmt::format(
          "enum {}: labels were removed or reordered ({} -> {}); PostgreSQL cannot do that in "
          "place. Write the revision by hand (rename the type, create the new one, convert the "
          "columns with USING col::text::new_type, drop the old type)",
          display(name), fmt::join(old.labels, ","), fmt::join(wanted.labels, ",")));
    for (std::size_t i = 0; i < wanted.labels.size(); ++i) {
      const auto& l = wanted.labels[i];
      if (std::find(old.labels.begin(), old.labels.end(), l) != old.labels.end()) continue;
      op::AddEnumLabel add{name, l, std::nullopt, std::nullopt};
      if (i > 0)
        add.after = wanted.labels[i - 1];
      else
        add.before = wanted.labels[i + 1];
      emit(kCreateEnums, std::move(add));
    }
  }

  static const Namespace* find_ns(const Schema& s, const std::string& name) {
    auto it = s.schemas.find(name);
    return it == s.schemas.end() ? nullptr : &it->second;
  }
  static const Enum* find_enum(const Namespace& ns, const std::string& name) {
    auto it = ns.enums.find(name);
    return it == ns.enums.end() ? nullptr : &it->second;
  }

  void diff_tables() {
    for (const auto& [sname, ns] : m_target.schemas)
      for (const auto& [tname, t] : ns.tables) {
        QualifiedName q{sname, tname};
        if (const Table* old = m_current.find_table(q))
          diff_table(q, *old, t);
        else
          create_table(q, t);
      }
    for (const auto& [sname, ns] : m_current.schemas)
      for (const auto& [tname, t] : ns.tables) {
        QualifiedName q{sname, tname};
        if (!m_target.find_table(q)) drop_table(q, t);
      }
  }

  static Table bare(Table t) {
    t.foreign_keys.clear();
    t.indexes.clear();
    return t;
  }

  void create_table(const QualifiedName& q, const Table& t) {
    emit(kCreateTables, op::CreateTable{q.schema, bare(t)});
    for (const auto& ix : t.indexes) emit(kCreateIndexes, op::CreateIndex{q, ix});
    for (const auto& fk : t.foreign_keys) emit(kAddForeignKeys, op::AddForeignKey{q, fk});
  }

  void drop_table(const QualifiedName& q, const Table& t) {
    for (const auto& fk : t.foreign_keys) emit(kDropForeignKeys, op::DropForeignKey{q, fk});
    for (const auto& ix : t.indexes) emit(kDropIndexes, op::DropIndex{q, ix});
    emit(kDropTables, op::DropTable{q.schema, bare(t)});
    warn(fmt::format("drops table {} and all its rows", display(q)));
  }

  template <class Item, class Drop, class Add>
  void diff_named(const QualifiedName& q, const std::vector<Item>& old_items,
                  const std::vector<Item>& new_items, Phase drop_phase, Phase add_phase,
                  const std::set<std::string>& rebuilt_columns, Drop, Add) {
    auto find = [](const std::vector<Item>& items, const std::string& name) -> const Item* {
      for (const auto& i : items)
        if (i.name == name) return &i;
      return nullptr;
    };
    for (const auto& o : old_items) {
      const Item* n = find(new_items, o.name);
      if (!n || !(*n == o) || touches(o, rebuilt_columns)) emit(drop_phase, Drop{q, o});
    }
    for (const auto& n : new_items) {
      const Item* o = find(old_items, n.name);
      if (!o || !(*o == n) || touches(n, rebuilt_columns)) emit(add_phase, Add{q, n});
    }
  }

  // Whether a constraint or index uses a column that is dropped and re-added (its definition
  // survives, but PostgreSQL drops it with the column).
  template <class Item>
  static bool touches(const Item& item, const std::set<std::string>& columns) {
    if (columns.empty()) return false;
    auto any = [&](const std::vector<std::string>& cols) {
      return std::any_of(cols.begin(), cols.end(),
                         [&](const auto& c) { return columns.contains(c); });
    };
    if constexpr (std::is_same_v<Item, Index>) {
      for (const auto& k : item.keys)
        if (k.column && columns.contains(*k.column)) return true;
      return any(item.include) ||
             std::any_of(item.keys.begin(), item.keys.end(),
                         [](const IndexKey& k) { return k.expression.has_value(); });
    } else if constexpr (std::is_same_v<Item, CheckConstraint>) {
      return true;  // an expression: assume it may use the column
    } else {
      return any(item.columns);
    }
  }

  void diff_table(const QualifiedName& q, const Table& old, const Table& t) {
    // Columns whose generation expression changed are dropped and added again (PostgreSQL 15
    // cannot alter it); what depends on them is rebuilt too.
    std::set<std::string> rebuilt;
    for (const auto& c : t.columns) {
      const Column* o = old.find_column(c.name);
      if (!o) {
        if (fails_on_rows(nullptr, c))
          warn_if_rows(
              q, fmt::format("adds NOT NULL column {}.{} without a default: fails if {} has rows",
                             display(q), c.name, display(q)));
        emit(kAlterColumns, op::AddColumn{q, c});
        continue;
      }
      if (o->generated != c.generated) {
        rebuilt.insert(c.name);
        emit(kAlterColumns, op::DropColumn{q, *o});
        emit(kAlterColumns, op::AddColumn{q, c});
        if (!o->generated)
          warn(
              fmt::format("replaces column {}.{} by a generated column: its stored values are lost",
                          display(q), c.name));
        continue;
      }
      diff_column(q, *o, c);
    }
    for (const auto& o : old.columns)
      if (!t.find_column(o.name)) {
        emit(kDropColumns, op::DropColumn{q, o});
        warn(fmt::format("drops column {}.{} and its data", display(q), o.name));
      }

    // Constraints and indexes, by name: a changed one is dropped and added again.
    std::vector<PrimaryKey> old_pk, new_pk;
    if (old.primary_key) old_pk.push_back(*old.primary_key);
    if (t.primary_key) new_pk.push_back(*t.primary_key);
    diff_named(q, old_pk, new_pk, kDropConstraints, kAddConstraints, rebuilt, op::DropPrimaryKey{},
               op::AddPrimaryKey{});
    diff_named(q, old.uniques, t.uniques, kDropConstraints, kAddConstraints, rebuilt,
               op::DropUnique{}, op::AddUnique{});
    diff_named(q, old.checks, t.checks, kDropConstraints, kAddConstraints, rebuilt, op::DropCheck{},
               op::AddCheck{});
    diff_named(q, old.indexes, t.indexes, kDropIndexes, kCreateIndexes, rebuilt, op::DropIndex{},
               op::CreateIndex{});
    diff_named(q, old.foreign_keys, t.foreign_keys, kDropForeignKeys, kAddForeignKeys, rebuilt,
               op::DropForeignKey{}, op::AddForeignKey{});

    if (old.comment != t.comment) emit(kComments, op::SetTableComment{q, t.comment, old.comment});
    for (const auto& c : t.columns) {
      const Column* o = old.find_column(c.name);
      std::optional<std::string> before =
          o && !rebuilt.contains(c.name) ? o->comment : std::nullopt;
      // A new column's comment comes with its definition only if the op renders it; keep it
      // explicit so the revision shows it.
      if (o && !rebuilt.contains(c.name) && before != c.comment)
        emit(kComments, op::SetColumnComment{q, c.name, c.comment, before});
    }
  }

  void diff_column(const QualifiedName& q, const Column& o, const Column& c) {
    bool type_changed = o.type != c.type;
    bool default_changed = !same_default(o.default_expr, c.default_expr);
    // A default may not survive a type change (it is cast too), so it is dropped first.
    if (o.default_expr && (default_changed || type_changed))
      emit(kAlterColumns, op::DropDefault{q, c.name, *o.default_expr});
    if (o.identity && c.identity && o.identity != c.identity)
      emit(kAlterColumns, op::AlterIdentity{q, c.name, *c.identity, *o.identity});
    else if (o.identity && !c.identity)
      emit(kAlterColumns, op::DropIdentity{q, c.name, *o.identity});
    if (type_changed) {
      op::AlterColumnType alter{q, c.name, c.type, o.type, std::nullopt, std::nullopt};
      if (needs_using(o.type, c.type)) alter.using_expr = quote_cast(c.name, c.type);
      if (needs_using(c.type, o.type)) alter.old_using_expr = quote_cast(c.name, o.type);
      if (!is_widening(o.type, c.type))
        warn(
            fmt::format("changes the type of {}.{} from {} to {}: may fail or lose precision on "
                        "existing rows",
                        display(q), c.name, o.type, c.type));
      emit(kAlterColumns, std::move(alter));
    }
    if (o.serial != c.serial)
      warn(fmt::format("{}.{}: serial (owned sequence default) differs; retort leaves it as is",
                       display(q), c.name));
    if (c.default_expr && (default_changed || type_changed))
      emit(kAlterColumns, op::SetDefault{q, c.name, *c.default_expr, std::nullopt});
    if (c.identity && !o.identity) emit(kAlterColumns, op::AddIdentity{q, c.name, *c.identity});
    if (o.nullable && !c.nullable) {
      if (fails_on_rows(&o, c))
        warn_if_rows(q, fmt::format("sets NOT NULL on {}.{}: fails if any row holds NULL",
                                    display(q), c.name));
      emit(kAlterColumns, op::SetNotNull{q, c.name});
    } else if (!o.nullable && c.nullable) {
      emit(kAlterColumns, op::DropNotNull{q, c.name});
    }
  }

  static std::string quote_cast(const std::string& column, const std::string& type) {
    return quote_ident(column) + "::" + type;
  }

  // A primary key or unique constraint that is dropped and added again takes the foreign keys
  // referring to it along: PostgreSQL refuses to drop it while they exist.
  void rebuild_referring_foreign_keys() {
    std::set<std::pair<QualifiedName, std::vector<std::string>>> dropped;
    for (const auto& op : m_phases[kDropConstraints]) {
      if (auto* pk = std::get_if<op::DropPrimaryKey>(&op))
        dropped.insert({pk->table, pk->primary_key.columns});
      if (auto* u = std::get_if<op::DropUnique>(&op)) dropped.insert({u->table, u->unique.columns});
    }
    if (dropped.empty()) return;
    std::set<std::pair<QualifiedName, std::string>> handled;
    for (const auto& op : m_phases[kDropForeignKeys])
      if (auto* f = std::get_if<op::DropForeignKey>(&op))
        handled.insert({f->table, f->foreign_key.name});
    for (const auto& [sname, ns] : m_current.schemas)
      for (const auto& [tname, t] : ns.tables) {
        QualifiedName q{sname, tname};
        const Table* kept = m_target.find_table(q);
        if (!kept) continue;
        for (const auto& fk : t.foreign_keys) {
          if (!dropped.contains({fk.ref_table, fk.ref_columns}) || handled.contains({q, fk.name}))
            continue;
          emit(kDropForeignKeys, op::DropForeignKey{q, fk});
          for (const auto& nfk : kept->foreign_keys)
            if (nfk.name == fk.name) emit(kAddForeignKeys, op::AddForeignKey{q, nfk});
        }
      }
  }

  const Schema& m_current;
  const Schema& m_target;
  std::vector<std::pair<std::size_t, QualifiedName>> m_row_warnings;
  std::vector<Op> m_phases[kPhaseCount];
  std::vector<std::string> m_warnings;
};

}  // namespace

bool same_default(const std::optional<std::string>& a, const std::optional<std::string>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || normalize_default(*a) == normalize_default(*b);
}

bool fails_on_rows(const Column* from, const Column& to) {
  if (!from) return !to.nullable && !to.default_expr && !to.identity && !to.generated;
  return from->nullable && !to.nullable && !to.identity;
}

std::vector<QualifiedName> SchemaDiff::tables_asked() const {
  std::set<QualifiedName> tables;
  for (const auto& [_, table] : row_warnings) tables.insert(table);
  return {tables.begin(), tables.end()};
}

void SchemaDiff::keep_row_warnings(const std::function<bool(const QualifiedName&)>& has_rows) {
  std::vector<bool> drop(warnings.size(), false);
  for (const auto& [index, table] : row_warnings) drop[index] = !has_rows(table);
  std::vector<std::string> kept;
  for (std::size_t i = 0; i < warnings.size(); ++i)
    if (!drop[i]) kept.push_back(std::move(warnings[i]));
  warnings = std::move(kept);
  row_warnings.clear();
}

SchemaDiff diff(const Schema& current, const Schema& target) {
  return Differ(current, target).run();
}

}  // namespace retort
