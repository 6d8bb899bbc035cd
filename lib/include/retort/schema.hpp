// The one in-memory description of a database schema, shared by every stage: the model layer and
// the introspector produce it, snapshots serialize it, the differ compares two of them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace retort {

// A schema-qualified name of a table or type.
struct QualifiedName {
  std::string schema;
  std::string name;

  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  auto operator<=>(const QualifiedName&) const = default;
};

// A rename hint: what the target calls the object's old name ("renamed_from" in models and
// snapshots). It takes no part in comparisons: it tells the differ how to get there, it is not a
// property of the object (an introspected schema has none).
template <class T>
struct Hint {
  T value{};
  bool operator==(const Hint&) const { return true; }
};

// The options of a sequence, an identity column's included; nullopt means PostgreSQL's default
// for the sequence's type.
struct SequenceOptions {
  std::optional<std::int64_t> start;
  std::optional<std::int64_t> increment;
  std::optional<std::int64_t> min_value;
  std::optional<std::int64_t> max_value;
  std::optional<std::int64_t> cache;
  bool cycle = false;

  bool operator==(const SequenceOptions&) const = default;
};

struct Identity : SequenceOptions {
  bool always = false;  // GENERATED ALWAYS vs BY DEFAULT

  bool operator==(const Identity&) const = default;
};

struct Column {
  std::string name;
  std::string
      type;  // canonical, as format_type() prints it ("character varying(100)", "public.kind[]")
  bool nullable = true;
  std::optional<std::string> default_expr;
  std::optional<Identity> identity;
  std::optional<std::string> generated;  // GENERATED ALWAYS AS (expr) STORED
  bool serial = false;                   // default is nextval() of a sequence the column owns
  std::optional<std::string> comment;
  std::optional<std::string> collation;  // COLLATE, as regcollation prints it ("C" quoted)
  Hint<std::optional<std::string>> renamed_from = {};

  bool operator==(const Column&) const = default;
};

struct PrimaryKey {
  std::string name;
  std::vector<std::string> columns;
  bool deferrable = false;
  bool initially_deferred = false;

  bool operator==(const PrimaryKey&) const = default;
};

struct UniqueConstraint {
  std::string name;
  std::vector<std::string> columns;
  bool nulls_not_distinct = false;
  bool deferrable = false;
  bool initially_deferred = false;

  bool operator==(const UniqueConstraint&) const = default;
};

struct CheckConstraint {
  std::string name;
  std::string expression;  // without the CHECK ( ) wrapper
  bool no_inherit = false;

  bool operator==(const CheckConstraint&) const = default;
};

// EXCLUDE USING gist (during WITH &&): no two rows whose keys all match under the operators.
struct ExclusionConstraint {
  std::string name;
  std::string definition;  // after EXCLUDE, as pg_get_constraintdef prints it: "USING gist (...)"

  bool operator==(const ExclusionConstraint&) const = default;
};

enum class FkAction { no_action, restrict, cascade, set_null, set_default };

struct ForeignKey {
  std::string name;
  std::vector<std::string> columns;
  QualifiedName ref_table;
  std::vector<std::string> ref_columns;
  FkAction on_delete = FkAction::no_action;
  FkAction on_update = FkAction::no_action;
  bool deferrable = false;
  bool initially_deferred = false;

  bool operator==(const ForeignKey&) const = default;
};

// One key of an index: a column name or an expression, with its options.
struct IndexKey {
  std::optional<std::string> column;      // exactly one of column and expression is set
  std::optional<std::string> expression;  // as pg_get_indexdef prints it, without parentheses
  std::optional<std::string> opclass;     // nullopt: the type's default operator class
  bool descending = false;
  std::optional<bool> nulls_first;  // nullopt: the default (NULLS LAST for ASC, FIRST for DESC)
  std::optional<std::string> collation;      // nullopt: the column's (expression's) own
  std::vector<std::string> opclass_options;  // "siglen=32"; needs opclass

  bool operator==(const IndexKey&) const = default;
};

struct Index {
  std::string name;
  bool unique = false;
  std::string method = "btree";
  std::vector<IndexKey> keys;
  std::vector<std::string> include;
  std::optional<std::string> where;
  bool nulls_not_distinct = false;   // a unique index treating NULLs as equal
  std::vector<std::string> options;  // storage parameters, "fillfactor=70"
  // The server marks it INVALID: a CREATE INDEX CONCURRENTLY failed or was interrupted. It is
  // kept up to date but never used, so the differ builds it again. Never set by models.
  bool invalid = false;
  Hint<std::optional<std::string>> renamed_from = {};

  bool operator==(const Index&) const = default;
};

// CREATE POLICY name ON t AS PERMISSIVE|RESTRICTIVE FOR command TO roles USING (...) WITH CHECK.
struct Policy {
  std::string name;
  bool permissive = true;
  std::string command = "ALL";                  // ALL, SELECT, INSERT, UPDATE or DELETE
  std::vector<std::string> roles = {"public"};  // sorted; "public" stands for PUBLIC
  std::optional<std::string> using_expr;        // as pg_get_expr prints it
  std::optional<std::string> check_expr;

  bool operator==(const Policy&) const = default;
};

// CREATE TRIGGER name <timing> ON table <action>: both parts as pg_get_triggerdef prints them.
struct Trigger {
  std::string name;
  std::string timing;  // "BEFORE UPDATE", "AFTER INSERT OR DELETE", "BEFORE UPDATE OF status"
  std::string action;  // "FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at()"

  bool operator==(const Trigger&) const = default;
};

// A partition of a partitioned table, in its parent's schema: CREATE TABLE name PARTITION OF
// parent <bound>. Its columns, constraints and indexes are the parent's.
struct Partition {
  std::string name;
  std::string bound;  // pg_get_expr(relpartbound): "FOR VALUES FROM ('a') TO ('b')", "DEFAULT"

  bool operator==(const Partition&) const = default;
};

// GRANT privileges ON a table TO a role (the owner's own rights are never listed).
struct Grant {
  std::string name;                     // the role; "public" for PUBLIC
  std::vector<std::string> privileges;  // sorted: "DELETE", "INSERT", "SELECT", ...

  bool operator==(const Grant&) const = default;
};

struct Table {
  std::string name;
  std::vector<Column> columns;  // in declaration order
  std::optional<PrimaryKey> primary_key;
  std::vector<UniqueConstraint> uniques;  // sorted by name, as are the lists below
  std::vector<CheckConstraint> checks;
  std::vector<ExclusionConstraint> exclusions;
  std::vector<ForeignKey> foreign_keys;
  std::vector<Index> indexes;  // indexes that do not back a constraint
  std::optional<std::string> comment;
  bool unlogged = false;
  std::vector<std::string>
      options;                      // storage parameters, "fillfactor=70", as reloptions holds them
  bool row_security = false;        // ENABLE ROW LEVEL SECURITY
  bool force_row_security = false;  // FORCE ROW LEVEL SECURITY (the owner too)
  std::vector<Policy> policies;
  std::vector<Grant> grants;
  std::vector<Trigger> triggers;
  std::optional<std::string> partition_by;  // pg_get_partkeydef: "RANGE (starts_at)"
  std::vector<Partition> partitions;        // sorted by name
  Hint<std::optional<std::string>> renamed_from = {};

  // Looks at position `hint` first: two versions of a table mostly list their columns in the
  // same order, and whole-schema walks then stay linear in the number of columns.
  const Column* find_column(std::string_view name, std::size_t hint = 0) const;
  bool operator==(const Table&) const = default;
};

struct Enum {
  std::string name;
  std::vector<std::string> labels;  // in sort order
  Hint<std::optional<std::string>> renamed_from = {};
  Hint<std::map<std::string, std::string>> label_renamed_from = {};  // new label -> old label

  bool operator==(const Enum&) const = default;
};

// CREATE EXTENSION: installed into the namespace that holds it. Objects that belong to an
// extension are never read as the models' own.
struct Extension {
  std::string name;
  std::optional<std::string> version;  // nullopt: the default version (and any installed one)

  bool operator==(const Extension&) const = default;
};

// A free-standing sequence (not a serial's or an identity's). Options equal to PostgreSQL's
// defaults for its type are nullopt (see normalized()).
struct Sequence : SequenceOptions {
  std::string name;
  std::string type = "bigint";                // AS: smallint, integer or bigint
  std::optional<std::string> owned_by_table;  // OWNED BY table.column, in the sequence's schema
  std::optional<std::string> owned_by_column;

  bool operator==(const Sequence&) const = default;
};

struct DomainCheck {
  std::string name;
  std::string expression;  // without the CHECK ( ) wrapper

  bool operator==(const DomainCheck&) const = default;
};

// CREATE DOMAIN name AS type [DEFAULT expr] [NOT NULL] [CONSTRAINT c CHECK (...)]...
struct Domain {
  std::string name;
  std::string type;  // canonical, as format_type() prints it
  std::optional<std::string> default_expr;
  bool not_null = false;
  std::vector<DomainCheck> checks;  // sorted by name

  bool operator==(const Domain&) const = default;
};

struct CompositeAttribute {
  std::string name;
  std::string type;  // canonical

  bool operator==(const CompositeAttribute&) const = default;
};

// CREATE TYPE name AS (attribute type, ...)
struct CompositeType {
  std::string name;
  std::vector<CompositeAttribute> attributes;  // in order

  bool operator==(const CompositeType&) const = default;
};

// A view or materialized view: its query as pg_get_viewdef prints it (no trailing semicolon).
struct View {
  std::string name;
  std::string definition;
  bool materialized = false;
  std::vector<std::string>
      options;  // reloptions as the catalog prints them: "security_barrier=true"
  // A materialized view's indexes, as pg_get_indexdef prints them ("CREATE UNIQUE INDEX mv_id ON
  // public.mv USING btree (id)"), by name. Kept when the target lists none: they are created
  // again whenever the view is.
  std::vector<std::string> indexes;

  bool operator==(const View&) const = default;
};

// An object that depends on a column (or, with an empty column, on a whole relation), as
// pg_depend records it: what must be out of the way while the column changes.
struct Dependency {
  QualifiedName dependent;  // a view or materialized view
  QualifiedName relation;   // the table or view it reads
  std::string column;       // empty: the relation as a whole (a whole-row reference)

  bool operator==(const Dependency&) const = default;
};

// A policy whose expressions read a column (or a relation as a whole), as pg_depend records it.
struct PolicyDependency {
  QualifiedName table;  // the policy's table
  std::string policy;
  QualifiedName relation;  // the table it reads (its own, or another in a subquery)
  std::string column;      // empty: the relation as a whole

  bool operator==(const PolicyDependency&) const = default;
};

// What the server says about a schema beyond its objects; never part of a comparison.
struct CatalogFacts {
  std::vector<Dependency> dependencies;               // read by the introspector
  std::vector<PolicyDependency> policy_dependencies;  // read with them
  // Views of a target whose new definition CREATE OR REPLACE VIEW accepts (set by canonicalize).
  std::vector<QualifiedName> replaceable_views;
};

// A function, known by its name and identity arguments; its definition is what follows
// "CREATE FUNCTION schema.name" in pg_get_functiondef (arguments with defaults, RETURNS, LANGUAGE,
// options, body). In the models, until canonicalized: the text as written.
struct Function {
  std::string name;
  std::string arguments;   // pg_get_function_identity_arguments: "a integer, b text"
  std::string result;      // pg_get_function_result: "trigger", "TABLE(n integer)"; "" unknown
  std::string definition;  // "(a integer DEFAULT 1)\n RETURNS integer\n LANGUAGE sql\nAS ..."

  std::string signature() const { return name + "(" + arguments + ")"; }
  bool operator==(const Function&) const = default;
};

// A PostgreSQL schema (pg_namespace); "schema" names the whole below.
struct Namespace {
  std::string name;
  std::map<std::string, Table> tables;
  std::map<std::string, Enum> enums;
  std::map<std::string, Extension> extensions;
  std::map<std::string, Sequence> sequences;
  std::map<std::string, Domain> domains;
  std::map<std::string, CompositeType> composites;
  // The models declare everything of the new kinds here: undeclared ones are dropped rather than
  // reported as unmanaged (m.manage_all("schema"); see docs/autogenerate.md, "Scope").
  bool manage_all = false;
  std::map<std::string, View> views;
  std::map<std::string, Function> functions;  // by signature()

  // A copy with only the tables `keep` accepts (by name): the rest of a namespace is small, its
  // tables may be thousands. Every member is listed: one left out (without a default member
  // initializer) does not compile.
  template <class Keep>
  Namespace with_tables(Keep&& keep) const {
#pragma GCC diagnostic push
#pragma GCC diagnostic error "-Wmissing-field-initializers"
    Namespace out{name,    {},         enums,      extensions, sequences,
                  domains, composites, manage_all, views,      functions};
#pragma GCC diagnostic pop
    for (const auto& entry : tables)
      if (keep(entry.first)) out.tables.insert(entry);
    return out;
  }
  bool operator==(const Namespace&) const = default;
};

// A database's (or a model set's) schema: named namespaces, each with tables and enum types.
struct Schema {
  std::map<std::string, Namespace> schemas;
  CatalogFacts facts;

  const Table* find_table(const QualifiedName& name) const;
  Table* find_table(const QualifiedName& name);
  const Enum* find_enum(const QualifiedName& name) const;
  // Sorts every constraint and index list by name, so equal schemas compare equal.
  void normalize();
  bool operator==(const Schema& other) const { return schemas == other.schemas; }
};

std::string to_string(FkAction action);  // "NO ACTION", "CASCADE", ...

}  // namespace retort
