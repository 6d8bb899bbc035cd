#include "retort/introspect.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <future>
#include <limits>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "catalog.hpp"
#include "retort/connection.hpp"
#include "retort/error.hpp"
#include "retort/ops.hpp"
#include "retort/sql.hpp"

namespace retort {

using namespace catalog;  // catalog.hpp: the reading tools the kinds share

namespace {

// pg_catalog rather than information_schema: its views are slow on large catalogs and lack
// indexes, enums and identity details anyway. One query per object kind, filtered by schema.

// Members of an extension are found from the extension's side of pg_depend (its reference index
// holds a few rows), not probed per object: at 1,000 tables, 2.5 ms of the query's 5. A table's
// grants come along (kinds/grant.cpp).
std::string tables_query() {
  return fmt::format(R"(
SELECT c.oid, n.nspname, c.relname, c.relpersistence = 'u', array_to_json(c.reloptions),
       c.relrowsecurity, c.relforcerowsecurity,{}
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND c.relname NOT IN ('retort_version', 'retort_version_progress')
  AND ($2::text[] IS NULL OR c.relname = ANY($2::text[]))
  AND c.oid NOT IN (SELECT e.objid FROM pg_depend e
    WHERE e.refclassid = 'pg_extension'::regclass AND e.classid = 'pg_class'::regclass
      AND e.deptype = 'e')
)",
                     kGrantsColumn);
}
static_assert(std::string_view(kVersionTable) == "retort_version", "tables_query spells it out");

// Columns with their defaults, and nothing else: every further join here multiplies across
// all columns, so comments and sequences come in queries of their own. Defaults cannot refer
// to columns, so they are deparsed without their table (relid 0), which spares opening every
// relation; generated expressions need it. No ORDER BY: columns are put in attnum order here.
// A collation is named only when it is not the type's own (the inner CASE spares the lookup of
// the type for the usual default collation).
constexpr const char* kColumnsQuery = R"(
SELECT a.attrelid, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_get_expr(d.adbin, CASE WHEN a.attgenerated = '' THEN 0 ELSE d.adrelid END),
       a.attidentity, a.attgenerated,
       CASE WHEN a.attcollation NOT IN (0, 100) THEN
         CASE WHEN a.attcollation <> (SELECT ty.typcollation FROM pg_type ty
                                      WHERE ty.oid = a.atttypid)
              THEN a.attcollation::regcollation::text END END
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

// A sequence behind a column: an identity's ('i') or a serial's ('a').
struct ColumnSequence {
  char deptype = 0;
  std::int64_t start = 0, increment = 0, min = 0, max = 0, cache = 0;
  bool cycle = false;
};

// Identity options equal to PostgreSQL's defaults for the type are left out, so a model that
// says just "identity" compares equal.
Identity identity_of(char kind, const std::string& type, const std::optional<ColumnSequence>& seq) {
  Identity id;
  id.always = kind == 'a';
  if (!seq) return id;
  std::int64_t type_max = type == "smallint"  ? std::numeric_limits<std::int16_t>::max()
                          : type == "integer" ? std::numeric_limits<std::int32_t>::max()
                                              : std::numeric_limits<std::int64_t>::max();
  std::int64_t type_min = type == "smallint"  ? std::numeric_limits<std::int16_t>::min()
                          : type == "integer" ? std::numeric_limits<std::int32_t>::min()
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

// Sequences by (table oid, attnum).
std::uint64_t column_key(std::uint32_t table, int attnum) {
  return (std::uint64_t{table} << 16) | static_cast<std::uint16_t>(attnum);
}

constexpr const char* kSchemasQuery =
    "SELECT nspname FROM pg_namespace WHERE nspname = ANY($1::text[])";

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
    t.unlogged = boolean(row[3]);
    t.options = names(row[4]);
    t.row_security = boolean(row[5]);
    t.force_row_security = boolean(row[6]);
    read_grants(t, row[7]);
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
    ref->facts.push_back({static_cast<int>(integer(row[1])), row[6].c_str()[0]});
    Column& c = ref->table->columns.emplace_back();
    c.name = row[2].c_str();
    c.type = row[3].c_str();
    c.nullable = !boolean(row[4]);
    c.default_expr = text(row[5]);
    c.collation = text(row[8]);
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
// The identity and OWNED BY sequences among kSequencesQuery's rows (kinds/sequence.cpp).
void read_column_sequences(Catalog& catalog, const pqxx::result& rows) {
  std::unordered_map<std::uint64_t, ColumnSequence> sequence_of;
  for (auto row : Rows(rows)) {
    if (row[9].is_null()) continue;
    auto deptype = row[9].c_str()[0];
    sequence_of.emplace(column_key(oid(row[10]), static_cast<int>(integer(row[11]))),
                        ColumnSequence{deptype, integer(row[3]), integer(row[4]), integer(row[5]),
                                       integer(row[6]), integer(row[7]), boolean(row[8])});
  }
  for (auto& [table_oid, ref] : catalog.tables()) {
    for (std::size_t i = 0; i < ref.facts.size(); ++i) {
      const auto& facts = ref.facts[i];
      Column& c = ref.table->columns[i];
      std::optional<ColumnSequence> seq;
      if (auto it = sequence_of.find(column_key(table_oid, facts.attnum)); it != sequence_of.end())
        seq = it->second;
      // format_type() names pg_catalog's types bare (search_path is empty): a domain over
      // integer is never taken for one.
      bool integer_type = c.type == "smallint" || c.type == "integer" || c.type == "bigint";
      if (facts.identity == 'a' || facts.identity == 'd') {
        c.identity = identity_of(facts.identity, c.type, seq);
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

// What the rows of one catalog query are read into.
struct Reading {
  Schema& schema;
  Catalog& catalog;
  const std::vector<std::string>& wanted;
  MissingSchema missing;
};

// One query of the fixed set and its reader. Queries take the schemas as $1 and, those about
// tables, the tables asked for as $2 (NULL: all); schema-level kinds are read whole even when
// only some tables are asked for (probes). Readers run in this order: tables, then columns,
// before anything that names a column.
struct CatalogQuery {
  std::string sql;
  void (*read)(Reading&, const pqxx::result&);
  bool probed = false;  // what canonicalization's probes create (IntrospectOptions::probes_only)
};

const std::vector<CatalogQuery>& catalog_queries() {
  static const std::vector<CatalogQuery> queries = {
      {kSchemasQuery,
       [](Reading& r, const pqxx::result& rows) {
         read_schemas(r.schema, rows, r.wanted, r.missing);
       },
       true},
      {tables_query(),
       [](Reading& r, const pqxx::result& rows) { read_tables(r.schema, r.catalog, rows); }, true},
      {kColumnsQuery, [](Reading& r, const pqxx::result& rows) { read_columns(r.catalog, rows); },
       true},
      {kCommentsQuery,
       [](Reading& r, const pqxx::result& rows) { read_comments(r.catalog, rows); }},
      {kSequencesQuery,
       [](Reading& r, const pqxx::result& rows) {
         read_column_sequences(r.catalog, rows);
         read_sequence_objects(r.schema, rows);
       },
       true},
      {constraints_query(),
       [](Reading& r, const pqxx::result& rows) { read_constraints(r.catalog, rows); }, true},
      {kIndexesQuery, [](Reading& r, const pqxx::result& rows) { read_indexes(r.catalog, rows); },
       true},
      {kPoliciesQuery, [](Reading& r, const pqxx::result& rows) { read_policies(r.catalog, rows); },
       true},
      {kEnumsQuery, [](Reading& r, const pqxx::result& rows) { read_enums(r.schema, rows); }},
      {kExtensionsQuery,
       [](Reading& r, const pqxx::result& rows) { read_extensions(r.schema, rows); }},
      {kDomainsQuery, [](Reading& r, const pqxx::result& rows) { read_domains(r.schema, rows); },
       true},
      {kCompositesQuery,
       [](Reading& r, const pqxx::result& rows) { read_composites(r.schema, rows); }, true},
      {kViewsQuery, [](Reading& r, const pqxx::result& rows) { read_views(r.schema, rows); }},
      {kDependenciesQuery,
       [](Reading& r, const pqxx::result& rows) { read_dependencies(r.schema, rows); }},
      {kTriggersQuery, [](Reading& r, const pqxx::result& rows) { read_triggers(r.catalog, rows); },
       true},
      {kPartitionsQuery,
       [](Reading& r, const pqxx::result& rows) { read_partitions(r.catalog, rows); }},
      {kFunctionsQuery,
       [](Reading& r, const pqxx::result& rows) { read_functions(r.schema, rows); }},
  };
  return queries;
}

// A query with its parameters written in as literals: the pipeline sends plain queries only.
// The server plans them as it plans a bound statement's (a custom plan for these values).
std::string with_parameters(std::string sql, const std::string& wanted,
                            const std::optional<std::string>& only) {
  auto replace = [&](const std::string& from, const std::string& to) {
    for (auto p = sql.find(from); p != std::string::npos; p = sql.find(from, p + to.size()))
      sql.replace(p, from.size(), to);
  };
  replace("$1", quote_literal(wanted));
  replace("$2", only ? quote_literal(*only) : "NULL");
  return sql;
}

}  // namespace

std::string introspection_script(const std::vector<std::string>& schemas) {
  std::string out = "SET search_path = '';\n";
  for (const auto& q : catalog_queries())
    out += with_parameters(q.sql, array_literal(schemas), std::nullopt) + ";\n";
  return out;
}

Schema introspect(pqxx::transaction_base& tx, const std::vector<std::string>& schemas,
                  const IntrospectOptions& options) {
  const auto wanted = array_literal(schemas);
  const auto only =
      options.tables ? std::optional<std::string>(array_literal(*options.tables)) : std::nullopt;
  const auto& queries = catalog_queries();
  std::size_t count = 0;
  // The column query, the largest, runs on the helper (in the same snapshot) meanwhile.
  std::future<pqxx::result> columns;
  auto* columns_tx = options.columns_tx;
  if (columns_tx) {
    count += 2;
    auto sql = with_parameters(kColumnsQuery, wanted, only);
    columns = std::async(std::launch::async, [columns_tx, sql = std::move(sql)] {
      columns_tx->exec("SET LOCAL search_path = ''");
      return columns_tx->exec(sql);
    });
  }
  // The rest go out together, one round trip rather than one per query (16 of them, and each
  // costs a wake-up of both processes on a loaded machine). Each result is read as it arrives,
  // while the server runs the queries after it.
  auto on_helper = [&](const CatalogQuery& q) { return columns_tx && q.sql == kColumnsQuery; };
  auto skipped = [&](const CatalogQuery& q) { return options.probes_only && !q.probed; };
  Schema schema;
  Catalog catalog;
  Reading reading{schema, catalog, schemas, options.missing};
  {
    pqxx::pipeline pipe(tx);
    pipe.retain(static_cast<int>(queries.size() + 1));
    auto setting = pipe.insert("SET LOCAL search_path = ''");
    std::vector<std::optional<pqxx::pipeline::query_id>> ids(queries.size());
    for (std::size_t i = 0; i < queries.size(); ++i)
      if (!on_helper(queries[i]) && !skipped(queries[i]))
        ids[i] = pipe.insert(with_parameters(queries[i].sql, wanted, only));
    pipe.resume();
    count += 1;
    pipe.retrieve(setting);
    // A reader's error (a missing schema) waits until every result is in: the connection must
    // be idle for the caller's transaction to end.
    std::exception_ptr failed;
    for (std::size_t i = 0; i < queries.size() && !failed; ++i) {
      if (skipped(queries[i])) continue;
      auto rows = on_helper(queries[i]) ? columns.get() : pipe.retrieve(*ids[i]);
      if (ids[i]) ++count;
      try {
        queries[i].read(reading, rows);
      } catch (...) {
        failed = std::current_exception();
      }
    }
    pipe.complete();
    if (failed) std::rethrow_exception(failed);
  }
  schema.normalize();
  if (options.query_count) *options.query_count += count;
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
