#include "retort/introspect.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <future>
#include <limits>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "retort/connection.hpp"
#include "retort/error.hpp"
#include "retort/ops.hpp"
#include "retort/sql.hpp"

namespace retort {

namespace {

// pg_catalog rather than information_schema: its views are slow on large catalogs and lack
// indexes, enums and identity details anyway. One query per object kind, filtered by schema.

constexpr const char* kTablesQuery = R"(
SELECT c.oid, n.nspname, c.relname
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND c.relname <> 'retort_version'
  AND ($2::text[] IS NULL OR c.relname = ANY($2::text[]))
)";
static_assert(std::string_view(kVersionTable) == "retort_version", "kTablesQuery spells it out");

// Columns with their defaults, and nothing else: every further join here multiplies across
// all columns, so comments and sequences come in queries of their own. Defaults cannot refer
// to columns, so they are deparsed without their table (relid 0), which spares opening every
// relation; generated expressions need it. No ORDER BY: columns are put in attnum order here.
constexpr const char* kColumnsQuery = R"(
SELECT a.attrelid, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_get_expr(d.adbin, CASE WHEN a.attgenerated = '' THEN 0 ELSE d.adrelid END),
       a.attidentity, a.attgenerated, a.atttypid
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND a.attnum > 0 AND NOT a.attisdropped
  AND ($2::text[] IS NULL OR c.relname = ANY($2::text[]))
)";

// Table comments (objsubid 0) and column comments (objsubid = attnum).
constexpr const char* kCommentsQuery = R"(
SELECT ds.objoid, ds.objsubid, ds.description
FROM pg_description ds
JOIN pg_class c ON c.oid = ds.objoid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE ds.classoid = 'pg_class'::regclass AND n.nspname = ANY($1::text[])
  AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND ($2::text[] IS NULL OR c.relname = ANY($2::text[]))
)";

// Identity and serial sequences, found through pg_depend: 'i' (internal) for identity, 'a'
// (auto) for a sequence OWNED BY the column.
constexpr const char* kSequencesQuery = R"(
SELECT dep.refobjid, dep.refobjsubid, dep.deptype, seq.seqstart, seq.seqincrement, seq.seqmin,
       seq.seqmax, seq.seqcache, seq.seqcycle
FROM pg_depend dep
JOIN pg_sequence seq ON seq.seqrelid = dep.objid
JOIN pg_class c ON c.oid = dep.refobjid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass
  AND dep.deptype IN ('a', 'i') AND n.nspname = ANY($1::text[])
  AND ($2::text[] IS NULL OR c.relname = ANY($2::text[]))
)";

// A foreign key's referenced columns are named here only when the referenced table is not among
// those read; otherwise they are resolved from its attnums, sparing a subquery per key. The
// constraint types read, and those whose definition is printed, come from the registered kinds.
std::string constraints_query() {
  std::string types = "'p'", defined;
  for_each_table_item_kind([&]<class Kind>() {
    if constexpr (Kind::kConstraintType != 0) {
      types += fmt::format(", '{}'", Kind::kConstraintType);
      if (Kind::kNeedsDefinition)
        defined += fmt::format("{}'{}'", defined.empty() ? "" : ", ", Kind::kConstraintType);
    }
  });
  return fmt::format(R"(
SELECT con.conrelid, con.conname, con.contype, con.conkey, fn.nspname, fc.relname,
       CASE WHEN con.contype = 'f' AND NOT (
              fn.nspname = ANY($1::text[]) AND fc.relkind IN ('r', 'p') AND NOT fc.relispartition
              AND fc.relname <> 'retort_version'
              AND ($2::text[] IS NULL OR fc.relname = ANY($2::text[]))) THEN
         (SELECT json_agg(a.attname ORDER BY k.o) FROM unnest(con.confkey) WITH ORDINALITY k(n, o)
            JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n) END,
       con.confdeltype, con.confupdtype, con.condeferrable, con.condeferred,
       CASE WHEN con.contype IN ({}) THEN pg_get_constraintdef(con.oid, true) END,
       coalesce(i.indnullsnotdistinct, false), con.confrelid, con.confkey
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
LEFT JOIN pg_index i ON i.indexrelid = con.conindid AND con.contype IN ('p', 'u')
WHERE n.nspname = ANY($1::text[]) AND con.contype IN ({})
  AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND con.conparentid = 0
  AND ($2::text[] IS NULL OR c.relname = ANY($2::text[]))
)",
                     defined.empty() ? "NULL" : defined, types);
}

const std::string& constraint_query_text() {
  static const std::string query = constraints_query();
  return query;
}

// One row per index key (INCLUDE columns too), joined flat rather than aggregated in a subquery
// per index. Indexes that back a constraint are part of that constraint, not listed here. (NOT
// IN becomes one hashed subplan; pg_constraint has no index on conindid for a NOT EXISTS.)
constexpr const char* kIndexesQuery = R"(
SELECT i.indexrelid, i.indrelid, ic.relname, i.indisunique, am.amname, i.indnkeyatts, k.o, k.n,
       a.attname,
       CASE WHEN k.n = 0 THEN pg_get_indexdef(i.indexrelid, k.o::int, true) END,
       CASE WHEN k.o <= i.indnkeyatts THEN i.indoption[k.o - 1] END,
       CASE WHEN k.o <= i.indnkeyatts AND NOT oc.opcdefault
            THEN CASE WHEN ocn.nspname = 'pg_catalog' THEN quote_ident(oc.opcname)
                      ELSE quote_ident(ocn.nspname) || '.' || quote_ident(oc.opcname) END
       END,
       CASE WHEN k.o = 1 THEN pg_get_expr(i.indpred, i.indrelid, true) END
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_am am ON am.oid = ic.relam
CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY k(n, o)
LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n AND k.n > 0
LEFT JOIN pg_opclass oc ON oc.oid = (i.indclass::oid[])[k.o - 1]
LEFT JOIN pg_namespace ocn ON ocn.oid = oc.opcnamespace
WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND i.indexrelid NOT IN (SELECT con.conindid FROM pg_constraint con
                           WHERE con.contype IN ('p', 'u', 'x'))
  AND ic.relkind IN ('i', 'I') AND NOT ic.relispartition
  AND ($2::text[] IS NULL OR c.relname = ANY($2::text[]))
)";

constexpr const char* kEnumsQuery = R"(
SELECT n.nspname, t.typname, json_agg(e.enumlabel ORDER BY e.enumsortorder)
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_enum e ON e.enumtypid = t.oid
WHERE n.nspname = ANY($1::text[])
GROUP BY n.nspname, t.typname
)";

// A row's values by column number, read through one pqxx::field that moves along the row. In
// libpqxx 6, row[i] and *iterator copy the whole result handle (two atomic reference counts)
// for every value; on 200,000 columns that costs more than reading them. A returned field is
// valid until the next operator[] call.
class Values {
 public:
  explicit Values(const pqxx::row& row) : m_field(row.begin()) {}
  const pqxx::field& operator[](pqxx::row::difference_type col) const {
    m_field += col - m_col;
    m_col = col;
    return m_field;
  }

 private:
  mutable pqxx::const_row_iterator m_field;
  mutable pqxx::row::difference_type m_col = 0;
};

// A result's rows as Values, for range-for. Holds the result, so a temporary may be passed.
class Rows {
 public:
  explicit Rows(const pqxx::result& result) : m_result(result) {}
  class iterator {
   public:
    explicit iterator(pqxx::result::const_iterator it) : m_it(std::move(it)) {}
    Values operator*() const { return Values(m_it); }
    iterator& operator++() {
      ++m_it;
      return *this;
    }
    bool operator!=(const iterator& other) const { return m_it != other.m_it; }

   private:
    pqxx::result::const_iterator m_it;
  };
  iterator begin() const { return iterator(m_result.begin()); }
  iterator end() const { return iterator(m_result.end()); }

 private:
  pqxx::result m_result;
};

std::optional<std::string> text(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return std::string(f.c_str(), f.size());
}

bool boolean(const pqxx::field& f) { return !f.is_null() && f.c_str()[0] == 't'; }

std::int64_t integer(const pqxx::field& f) { return std::strtoll(f.c_str(), nullptr, 10); }

std::vector<std::string> names(const pqxx::field& f) {
  std::vector<std::string> out;
  if (f.is_null()) return out;
  for (const auto& v : nlohmann::json::parse(f.c_str())) out.push_back(v.get<std::string>());
  return out;
}

std::uint32_t oid(const pqxx::field& f) {
  return static_cast<std::uint32_t>(std::strtoul(f.c_str(), nullptr, 10));
}

// "{2,1}" (an int2[] of attnums) -> the attnums, in that order.
std::vector<int> attnum_list(const pqxx::field& f) {
  std::vector<int> out;
  const char* p = f.c_str();
  while (*p) {
    if (*p < '0' || *p > '9') {
      ++p;
      continue;
    }
    int n = 0;
    while (*p >= '0' && *p <= '9') n = n * 10 + (*p++ - '0');
    out.push_back(n);
  }
  return out;
}

// A sequence behind a column: an identity's ('i') or a serial's ('a').
struct Sequence {
  char deptype = 0;
  std::int64_t start = 0, increment = 0, min = 0, max = 0, cache = 0;
  bool cycle = false;
};

constexpr std::uint32_t kInt2Oid = 21, kInt4Oid = 23, kInt8Oid = 20;

// Identity options equal to PostgreSQL's defaults for the type are left out, so a model that
// says just "identity" compares equal.
Identity identity_of(char kind, std::uint32_t type, const std::optional<Sequence>& seq) {
  Identity id;
  id.always = kind == 'a';
  if (!seq) return id;
  std::int64_t type_max = type == kInt2Oid   ? std::numeric_limits<std::int16_t>::max()
                          : type == kInt4Oid ? std::numeric_limits<std::int32_t>::max()
                                             : std::numeric_limits<std::int64_t>::max();
  std::int64_t type_min = type == kInt2Oid   ? std::numeric_limits<std::int16_t>::min()
                          : type == kInt4Oid ? std::numeric_limits<std::int32_t>::min()
                                             : std::numeric_limits<std::int64_t>::min();
  const auto inc = seq->increment;
  std::int64_t def_min = inc > 0 ? 1 : type_min, def_max = inc > 0 ? type_max : -1;
  std::int64_t def_start = inc > 0 ? seq->min : seq->max;
  if (inc != 1) id.increment = inc;
  if (seq->min != def_min) id.min_value = seq->min;
  if (seq->max != def_max) id.max_value = seq->max;
  if (seq->start != def_start) id.start = seq->start;
  if (seq->cache != 1) id.cache = seq->cache;
  id.cycle = seq->cycle;
  return id;
}

// What the queries say about a column beyond the Column itself, until identity and serial are
// settled.
struct ColumnFacts {
  int attnum = 0;
  char identity = 0;
  std::uint32_t type = 0;
};

// A table being read, found by oid, with its columns' facts parallel to table->columns.
struct TableRef {
  Table* table;
  std::vector<ColumnFacts> facts;

  Column* column(int attnum) {
    auto it = std::lower_bound(facts.begin(), facts.end(), attnum,
                               [](const auto& f, int n) { return f.attnum < n; });
    return it != facts.end() && it->attnum == attnum ? &table->columns[it - facts.begin()]
                                                     : nullptr;
  }
  std::vector<std::string> names(const std::vector<int>& attnums) {
    std::vector<std::string> out;
    for (int n : attnums)
      if (auto* c = column(n)) out.push_back(c->name);
    return out;
  }
  // The query gives no order; attnum order is the table's.
  void sort() {
    auto by_attnum = [](const ColumnFacts& a, const ColumnFacts& b) { return a.attnum < b.attnum; };
    if (std::is_sorted(facts.begin(), facts.end(), by_attnum)) return;
    std::vector<std::size_t> order(facts.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return facts[a].attnum < facts[b].attnum; });
    std::vector<ColumnFacts> sorted_facts;
    std::vector<Column> sorted_columns;
    for (auto i : order) {
      sorted_facts.push_back(facts[i]);
      sorted_columns.push_back(std::move(table->columns[i]));
    }
    facts = std::move(sorted_facts);
    table->columns = std::move(sorted_columns);
  }
};

// Sequences by (table oid, attnum).
std::uint64_t column_key(std::uint32_t table, int attnum) {
  return (std::uint64_t{table} << 16) | static_cast<std::uint16_t>(attnum);
}

constexpr const char* kSchemasQuery =
    "SELECT nspname FROM pg_namespace WHERE nspname = ANY($1::text[])";

}  // namespace

std::string introspection_script(const std::vector<std::string>& schemas) {
  std::string out = "SET search_path = '';\n";
  auto fill = [&](std::string sql) {
    auto replace = [&](const std::string& from, const std::string& to) {
      for (auto p = sql.find(from); p != std::string::npos; p = sql.find(from, p + to.size()))
        sql.replace(p, from.size(), to);
    };
    replace("$1", quote_literal(array_literal(schemas)));
    replace("$2", "NULL");
    return sql;
  };
  for (const char* q :
       {kSchemasQuery, kTablesQuery, kColumnsQuery, kCommentsQuery, kSequencesQuery})
    out += fill(q) + ";\n";
  for (const std::string& q :
       {constraint_query_text(), std::string(kIndexesQuery), std::string(kEnumsQuery)})
    out += fill(q) + ";\n";
  return out;
}

namespace {

// The tables being read, by oid.
class Catalog {
 public:
  TableRef* table(const pqxx::field& f) {
    auto it = m_by_oid.find(oid(f));
    return it == m_by_oid.end() ? nullptr : &it->second;
  }
  std::unordered_map<std::uint32_t, TableRef>& tables() { return m_by_oid; }

 private:
  std::unordered_map<std::uint32_t, TableRef> m_by_oid;
};

void read_schemas(Schema& schema, const pqxx::result& rows, const std::vector<std::string>& wanted,
                  MissingSchema missing) {
  for (const auto& row : rows) {
    std::string name = row[0].c_str();
    schema.schemas[name].name = name;
  }
  for (const auto& s : wanted)
    if (!schema.schemas.contains(s) && missing == MissingSchema::error)
      throw Error(fmt::format("schema \"{}\" does not exist in the database", s));
}

void read_tables(Schema& schema, Catalog& catalog, const pqxx::result& rows) {
  for (auto row : Rows(rows)) {
    auto& ns = schema.schemas[row[1].c_str()];
    auto& t = ns.tables[row[2].c_str()];
    t.name = row[2].c_str();
    catalog.tables().emplace(oid(row[0]), TableRef{&t, {}});
  }
}

void read_columns(Catalog& catalog, const pqxx::result& rows) {
  // Column vectors sized exactly: on 10,000 tables the slack of grown vectors is tens of MB.
  std::unordered_map<TableRef*, std::size_t> counts;
  for (auto row : Rows(rows))
    if (auto* ref = catalog.table(row[0])) ++counts[ref];
  for (auto& [ref, count] : counts) {
    ref->facts.reserve(count);
    ref->table->columns.reserve(count);
  }
  for (auto row : Rows(rows)) {
    auto* ref = catalog.table(row[0]);
    if (!ref) continue;
    ref->facts.push_back({static_cast<int>(integer(row[1])), row[6].c_str()[0], oid(row[8])});
    Column& c = ref->table->columns.emplace_back();
    c.name = row[2].c_str();
    c.type = row[3].c_str();
    c.nullable = !boolean(row[4]);
    c.default_expr = text(row[5]);
    if (row[7].c_str()[0] == 's') {
      c.generated = std::move(c.default_expr);
      c.default_expr.reset();
    }
  }
  for (auto& [_, ref] : catalog.tables()) ref.sort();
}

void read_comments(Catalog& catalog, const pqxx::result& rows) {
  for (auto row : Rows(rows)) {
    auto* ref = catalog.table(row[0]);
    if (!ref) continue;
    if (int attnum = static_cast<int>(integer(row[1])); attnum == 0)
      ref->table->comment = text(row[2]);
    else if (auto* c = ref->column(attnum))
      c->comment = text(row[2]);
  }
}

// Identity options, and serial columns: a nextval() default of a sequence the column owns.
void read_sequences(Catalog& catalog, const pqxx::result& rows) {
  std::unordered_map<std::uint64_t, Sequence> sequence_of;
  for (auto row : Rows(rows))
    sequence_of.emplace(
        column_key(oid(row[0]), static_cast<int>(integer(row[1]))),
        Sequence{row[2].c_str()[0], integer(row[3]), integer(row[4]), integer(row[5]),
                 integer(row[6]), integer(row[7]), boolean(row[8])});
  for (auto& [table_oid, ref] : catalog.tables()) {
    for (std::size_t i = 0; i < ref.facts.size(); ++i) {
      const auto& facts = ref.facts[i];
      Column& c = ref.table->columns[i];
      std::optional<Sequence> seq;
      if (auto it = sequence_of.find(column_key(table_oid, facts.attnum)); it != sequence_of.end())
        seq = it->second;
      bool integer_type =
          facts.type == kInt2Oid || facts.type == kInt4Oid || facts.type == kInt8Oid;
      if (facts.identity == 'a' || facts.identity == 'd') {
        c.identity = identity_of(facts.identity, facts.type, seq);
      } else if (seq && seq->deptype == 'a' && integer_type && c.default_expr &&
                 c.default_expr->starts_with("nextval(")) {
        c.serial = true;
        c.default_expr.reset();
      }
    }
  }
}

// Each row goes to the kind registered for its constraint type.
void read_constraints(Catalog& catalog, const pqxx::result& rows) {
  for (auto row : Rows(rows)) {
    auto* ref = catalog.table(row[0]);
    if (!ref) continue;
    ConstraintRow con;
    con.name = row[1].c_str();
    con.type = row[2].c_str()[0];
    con.columns = ref->names(attnum_list(row[3]));
    if (con.type == 'f') {
      con.ref_table = {row[4].c_str(), row[5].c_str()};
      if (auto* target = catalog.table(row[13]))
        con.ref_columns = target->names(attnum_list(row[14]));
      else
        con.ref_columns = names(row[6]);
      con.on_delete = row[7].c_str()[0];
      con.on_update = row[8].c_str()[0];
    }
    con.deferrable = boolean(row[9]);
    con.initially_deferred = boolean(row[10]);
    if (!row[11].is_null()) con.definition = row[11].c_str();
    con.nulls_not_distinct = boolean(row[12]);
    Table& t = *ref->table;
    if (con.type == PrimaryKeyKind::kConstraintType)
      t.primary_key = PrimaryKeyKind::from_catalog(con);
    for_each_table_item_kind([&]<class Kind>() {
      if constexpr (Kind::kConstraintType != 0)
        if (con.type == Kind::kConstraintType) Kind::items(t).push_back(Kind::from_catalog(con));
    });
  }
}

// Index keys arrive one per row; they are gathered per index, in key order.
void read_indexes(Catalog& catalog, const pqxx::result& rows) {
  struct IndexRef {
    TableRef* table;
    Index index;
    std::size_t key_count = 0;
    std::vector<std::pair<int, IndexKey>> keys;
    std::vector<std::pair<int, std::string>> include;
  };
  std::unordered_map<std::uint32_t, IndexRef> by_index;
  std::vector<std::uint32_t> index_order;
  for (auto row : Rows(rows)) {
    auto* ref = catalog.table(row[1]);
    if (!ref) continue;
    auto [it, fresh] = by_index.try_emplace(oid(row[0]));
    IndexRef& ix = it->second;
    if (fresh) {
      index_order.push_back(it->first);
      ix.table = ref;
      ix.index.name = row[2].c_str();
      ix.index.unique = boolean(row[3]);
      ix.index.method = row[4].c_str();
      ix.key_count = static_cast<std::size_t>(integer(row[5]));
    }
    auto position = static_cast<int>(integer(row[6]));
    bool is_column = integer(row[7]) != 0;
    if (static_cast<std::size_t>(position) > ix.key_count) {  // an INCLUDE column
      ix.include.emplace_back(position, row[8].c_str());
      continue;
    }
    if (position == 1) ix.index.where = text(row[12]);
    IndexKey key;
    if (is_column)
      key.column = row[8].c_str();
    else
      key.expression = row[9].c_str();
    key.opclass = text(row[11]);
    int option = row[10].is_null() ? 0 : static_cast<int>(integer(row[10]));
    key.descending = option & 1;
    bool nulls_first = option & 2;
    // Only a NULLS placement that differs from the direction's default is recorded.
    if (nulls_first != key.descending) key.nulls_first = nulls_first;
    ix.keys.emplace_back(position, std::move(key));
  }
  for (auto index_oid : index_order) {
    auto& ix = by_index.at(index_oid);
    auto by_position = [](const auto& a, const auto& b) { return a.first < b.first; };
    std::sort(ix.keys.begin(), ix.keys.end(), by_position);
    std::sort(ix.include.begin(), ix.include.end(), by_position);
    for (auto& [_, key] : ix.keys) ix.index.keys.push_back(std::move(key));
    for (auto& [_, column] : ix.include) ix.index.include.push_back(std::move(column));
    ix.table->table->indexes.push_back(std::move(ix.index));
  }
}

void read_enums(Schema& schema, const pqxx::result& rows) {
  for (auto row : Rows(rows)) {
    auto& ns = schema.schemas[row[0].c_str()];
    Enum e{row[1].c_str(), names(row[2])};
    ns.enums.emplace(e.name, std::move(e));
  }
}

}  // namespace

Schema introspect(pqxx::transaction_base& tx, const std::vector<std::string>& schemas,
                  const IntrospectOptions& options) {
  std::size_t queries = 0;
  const auto wanted = array_literal(schemas);
  const auto only =
      options.tables ? std::optional<std::string>(array_literal(*options.tables)) : std::nullopt;
  auto run = [&](const std::string& sql) {
    ++queries;
    return tx.exec_params(sql, wanted, only);
  };
  std::future<pqxx::result> columns;
  auto* columns_tx = options.columns_tx;
  if (columns_tx) {
    queries += 2;
    columns = std::async(std::launch::async, [columns_tx, &wanted, &only] {
      columns_tx->exec("SET LOCAL search_path = ''");
      return columns_tx->exec_params(kColumnsQuery, wanted, only);
    });
  }
  tx.exec("SET LOCAL search_path = ''");
  queries += 2;
  Schema schema;
  read_schemas(schema, tx.exec_params(kSchemasQuery, wanted), schemas, options.missing);
  Catalog catalog;
  read_tables(schema, catalog, run(kTablesQuery));

  // The other queries go out while the column query runs on the helper; results are read after.
  auto comments = run(kCommentsQuery);
  auto sequences = run(kSequencesQuery);
  auto constraints = run(constraint_query_text());
  auto indexes = run(kIndexesQuery);
  ++queries;
  auto enums = tx.exec_params(kEnumsQuery, wanted);

  read_columns(catalog, columns_tx ? columns.get() : run(kColumnsQuery));
  read_comments(catalog, comments);
  read_sequences(catalog, sequences);
  read_constraints(catalog, constraints);
  read_indexes(catalog, indexes);
  read_enums(schema, enums);

  schema.normalize();
  if (options.query_count) *options.query_count += queries;
  return schema;
}

Schema introspect(const std::string& url, const std::vector<std::string>& schemas,
                  MissingSchema missing) {
  auto conns = connect_pair(url);
  SnapshotPair pair(*conns.main, *conns.helper);
  return introspect(pair.main(), schemas, {.missing = missing, .columns_tx = &pair.helper()});
}

SnapshotPair::SnapshotPair(pqxx::connection_base& main, pqxx::connection_base& helper)
    : m_main(main), m_helper(helper) {
  auto id = m_main.exec("SELECT pg_export_snapshot()")[0][0].as<std::string>();
  m_helper.exec("SET TRANSACTION SNAPSHOT " + m_helper.quote(id));
}

}  // namespace retort
