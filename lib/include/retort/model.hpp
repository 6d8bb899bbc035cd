// The model layer: an application's own structs, registered with member pointers, describe the
// schema it wants. See docs/models.md.
//
//   retort::ModelSet m;
//   m.enumeration<Kind>("event_kind", {"match", "training"});
//   m.table<Member>("members")
//       .column(&Member::id, "id", retort::primary_key, retort::identity())
//       .column(&Member::email, "email", retort::unique);
//   retort::Schema wanted = m.schema();  // validated; throws ModelError naming table and column
#pragma once

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <typeindex>
#include <typeinfo>
#include <utility>
#include <vector>

#include "retort/error.hpp"
#include "retort/model_objects.hpp"
#include "retort/ops.hpp"
#include "retort/schema.hpp"
#include "retort/type_mapping.hpp"

namespace retort {

// ---- column options -------------------------------------------------------------------------

struct PrimaryKeyTag {};
inline constexpr PrimaryKeyTag primary_key{};
struct UniqueTag {};
inline constexpr UniqueTag unique{};
// Allows NULL in a column whose member is not std::optional (rarely wanted; prefer optional).
struct NullableTag {};
inline constexpr NullableTag nullable{};

struct TypeOption {
  std::string sql;
};
inline TypeOption type(std::string sql) { return {std::move(sql)}; }  // explicit SQL type
inline TypeOption varchar(int length) {
  return {"character varying(" + std::to_string(length) + ")"};
}
inline TypeOption numeric(int precision, int scale = 0) {
  return {"numeric(" + std::to_string(precision) + "," + std::to_string(scale) + ")"};
}

inline Identity identity(bool always = false) {
  Identity id;
  id.always = always;
  return id;
}
inline Identity identity_always() { return identity(true); }

struct DefaultOption {
  std::string expr;
};
inline DefaultOption server_default(std::string sql_expr) { return {std::move(sql_expr)}; }

struct GeneratedOption {
  std::string expr;
};
inline GeneratedOption generated(std::string sql_expr) { return {std::move(sql_expr)}; }

// COLLATE: collate("C"), collate("de-x-icu"); a collation outside pg_catalog is qualified:
// collate("public", "mine"). Stored as the catalog prints it, quoted only where needed.
struct CollateOption {
  std::string sql;
};
std::string collation_sql(std::string_view name);
inline CollateOption collate(std::string_view name) { return {collation_sql(name)}; }
inline CollateOption collate(std::string_view schema, std::string_view name) {
  return {collation_sql(schema) + "." + collation_sql(name)};
}

// DEFERRABLE [INITIALLY DEFERRED], for a unique constraint or the primary key.
struct DeferrableOption {
  bool initially_deferred = false;
};
inline constexpr DeferrableOption deferrable{};
inline constexpr DeferrableOption deferrable_initially_deferred{true};

struct CommentOption {
  std::string text;
};
inline CommentOption comment(std::string text) { return {std::move(text)}; }

// The column's old name: the differ renames it (keeping its values) instead of dropping it and
// adding a new one. Harmless once applied (the old name no longer exists). See autogenerate.md.
struct RenamedFromOption {
  std::string old_name;
};
inline RenamedFromOption renamed_from(std::string old_name) { return {std::move(old_name)}; }

struct CheckOption {
  std::string expr;
  std::optional<std::string> name;
};
inline CheckOption check(std::string expr) { return {std::move(expr), std::nullopt}; }
inline CheckOption check(std::string name, std::string expr) {
  return {std::move(expr), std::move(name)};
}

// A foreign key: references("teams", {"id"}) looks the table up in the referring table's schema;
// references({"other", "teams"}, {"id"}) names the schema.
struct ReferencesOption {
  std::optional<std::string> schema;
  std::string table;
  std::vector<std::string> ref_columns;
  FkAction on_delete = FkAction::no_action;
  FkAction on_update = FkAction::no_action;
  bool deferrable = false;
  bool initially_deferred = false;
  std::optional<std::string> name;

  ReferencesOption& on_delete_do(FkAction a) {
    on_delete = a;
    return *this;
  }
  ReferencesOption& on_update_do(FkAction a) {
    on_update = a;
    return *this;
  }
  ReferencesOption& deferred(bool initially = true) {
    deferrable = true;
    initially_deferred = initially;
    return *this;
  }
  ReferencesOption& named(std::string n) {
    name = std::move(n);
    return *this;
  }
};
inline ReferencesOption references(std::string table, std::vector<std::string> columns) {
  ReferencesOption r;
  r.table = std::move(table);
  r.ref_columns = std::move(columns);
  return r;
}
inline ReferencesOption references(QualifiedName table, std::vector<std::string> columns) {
  auto r = references(std::move(table.name), std::move(columns));
  r.schema = std::move(table.schema);
  return r;
}

// ---- table-level options ----------------------------------------------------------------------

// An index, built fluently: index("events_starts_idx").on("starts_at").desc().where("...").
class IndexBuilder {
 public:
  explicit IndexBuilder(std::string name) { m_index.name = std::move(name); }
  IndexBuilder& on(std::string column) {
    IndexKey k;
    k.column = std::move(column);
    return add(std::move(k));
  }
  IndexBuilder& on_expression(std::string expr) {
    IndexKey k;
    k.expression = std::move(expr);
    return add(std::move(k));
  }
  IndexBuilder& desc() {
    last().descending = true;
    return *this;
  }
  IndexBuilder& nulls_first(bool first = true) {
    last().nulls_first = first;
    return *this;
  }
  IndexBuilder& opclass(std::string name, std::vector<std::string> options = {}) {
    last().opclass = std::move(name);
    last().opclass_options = std::move(options);  // "siglen=32"
    return *this;
  }
  IndexBuilder& collate(const CollateOption& c) {
    last().collation = c.sql;
    return *this;
  }
  IndexBuilder& nulls_not_distinct() {
    m_index.nulls_not_distinct = true;
    return *this;
  }
  IndexBuilder& with(std::string option) {  // a storage parameter: "fillfactor=70"
    m_index.options.push_back(std::move(option));
    return *this;
  }
  IndexBuilder& unique() {
    m_index.unique = true;
    return *this;
  }
  IndexBuilder& using_method(std::string method) {
    m_index.method = std::move(method);
    return *this;
  }
  IndexBuilder& include(std::string column) {
    m_index.include.push_back(std::move(column));
    return *this;
  }
  IndexBuilder& where(std::string predicate) {
    m_index.where = std::move(predicate);
    return *this;
  }
  // The index's old name: renamed in place (ALTER INDEX ... RENAME), never rebuilt.
  IndexBuilder& renamed_from(std::string old_name) {
    m_index.renamed_from.value = std::move(old_name);
    return *this;
  }
  const Index& build() const { return m_index; }

 private:
  IndexBuilder& add(IndexKey key) {
    m_index.keys.push_back(std::move(key));
    return *this;
  }
  IndexKey& last();
  Index m_index;
};
inline IndexBuilder index(std::string name) { return IndexBuilder(std::move(name)); }

// ---- the model set --------------------------------------------------------------------------

// A table as registered, before validation: the Table plus what only the whole set can resolve.
struct TableDraft {
  std::string schema;
  Table table;
  std::string struct_name;                       // for messages: the C++ type registered
  std::map<std::string, std::type_index> enums;  // column -> enum class, resolved in schema()
  std::map<std::string, bool> enum_arrays;
  std::vector<std::string> pk_columns;
  std::optional<std::string> pk_name;
  std::optional<DeferrableOption> pk_deferral;
  std::vector<std::pair<ReferencesOption, std::vector<std::string>>> references;  // with columns
  std::vector<std::string> column_names;  // in order, duplicates kept for validation
};

class ModelSet;

// An enum type as registered: rename hints for its name and labels.
class EnumBuilder {
 public:
  explicit EnumBuilder(Enum& e) : m_enum(&e) {}
  // The type's old name (same schema): ALTER TYPE ... RENAME TO, columns follow.
  EnumBuilder& renamed_from(std::string old_name) {
    m_enum->renamed_from.value = std::move(old_name);
    return *this;
  }
  // A label's old spelling: ALTER TYPE ... RENAME VALUE, rows holding it follow.
  EnumBuilder& label_renamed_from(std::string label, std::string old_label) {
    m_enum->label_renamed_from.value[std::move(label)] = std::move(old_label);
    return *this;
  }

 private:
  Enum* m_enum;
};

template <class T>
class TableBuilder {
 public:
  TableBuilder(TableDraft& draft) : m_draft(&draft) {}

  template <class M, class... Options>
  TableBuilder& column(M T::*member, std::string name, Options&&... options);

  TableBuilder& primary_key(std::vector<std::string> columns, std::optional<std::string> name = {},
                            std::optional<DeferrableOption> deferral = {}) {
    m_draft->pk_columns = std::move(columns);
    m_draft->pk_name = std::move(name);
    m_draft->pk_deferral = deferral;
    return *this;
  }
  TableBuilder& unique(std::vector<std::string> columns,
                       const std::optional<std::string>& name = {},
                       std::optional<DeferrableOption> deferral = {});
  TableBuilder& unlogged() {
    m_draft->table.unlogged = true;
    return *this;
  }
  TableBuilder& with(std::string option) {  // a storage parameter: "fillfactor=70"
    m_draft->table.options.push_back(std::move(option));
    return *this;
  }
  TableBuilder& check(std::string name, std::string expr) {
    m_draft->table.checks.push_back({std::move(name), std::move(expr)});
    return *this;
  }
  TableBuilder& foreign_key(std::vector<std::string> columns, ReferencesOption ref) {
    m_draft->references.emplace_back(std::move(ref), std::move(columns));
    return *this;
  }
  TableBuilder& index(const IndexBuilder& ix) {
    m_draft->table.indexes.push_back(ix.build());
    return *this;
  }
  // ENABLE ROW LEVEL SECURITY, and FORCE (the owner too) when asked.
  TableBuilder& row_security(bool force = false) {
    m_draft->table.row_security = true;
    m_draft->table.force_row_security = force;
    return *this;
  }
  // .policy({.name = "own_rows", .command = "SELECT", .roles = {"member"},
  //          .using_expr = "owner = current_user"})
  TableBuilder& policy(Policy p) {
    std::sort(p.roles.begin(), p.roles.end());
    m_draft->table.policies.push_back(std::move(p));
    return *this;
  }
  // GRANT privileges ON the table TO role: .grant("member", {"SELECT", "INSERT"}); "ALL" for all.
  // Only roles named so are managed: grants to other roles are left alone.
  TableBuilder& grant(std::string role, const std::vector<std::string>& privileges) {
    try {
      m_draft->table.grants.push_back(Grant{std::move(role), table_privileges(privileges)});
    } catch (const Error& e) {
      throw ModelError("invalid model: table \"" + m_draft->table.name + "\": " + e.what());
    }
    return *this;
  }
  TableBuilder& comment(std::string text) {
    m_draft->table.comment = std::move(text);
    return *this;
  }
  // A partitioned table: .partition_by("RANGE (starts_at)"), then its partitions, each
  // .partition("events_2026", "FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')") or "DEFAULT".
  TableBuilder& partition_by(std::string key) {
    m_draft->table.partition_by = std::move(key);
    return *this;
  }
  TableBuilder& partition(std::string name, std::string bound) {
    m_draft->table.partitions.push_back({std::move(name), std::move(bound)});
    return *this;
  }
  // CREATE TRIGGER name <timing> ON this table <action>:
  // .trigger("events_touch", "BEFORE UPDATE", "FOR EACH ROW EXECUTE FUNCTION touch_updated_at()")
  TableBuilder& trigger(std::string name, std::string timing, std::string action) {
    m_draft->table.triggers.push_back({std::move(name), std::move(timing), std::move(action)});
    return *this;
  }
  // The table's old name (same schema): renamed in place, rows kept.
  TableBuilder& renamed_from(std::string old_name) {
    m_draft->table.renamed_from.value = std::move(old_name);
    return *this;
  }
  // Any table item (constraint or index) as the schema spells it, for kinds without a builder
  // of their own: .constraint(retort::ExclusionConstraint{"no_overlap", "USING gist (...)"}).
  template <class Item>
  TableBuilder& constraint(Item item) {
    using Kind = KindOfItem<Item>;
    static_assert(!std::is_void_v<Kind>, "constraint(): no kind of table item holds this type");
    Kind::items(m_draft->table).push_back(std::move(item));
    return *this;
  }

 private:
  void apply(Column&, const PrimaryKeyTag&) { m_draft->pk_columns.push_back(m_current); }
  void apply(Column&, const UniqueTag&) { unique({m_current}); }
  void apply(Column& c, const NullableTag&) { c.nullable = true; }
  void apply(Column& c, const TypeOption& o) {
    c.type = canonical_type(o.sql);
    m_typed = true;
  }
  void apply(Column& c, const Identity& o) { c.identity = o; }
  void apply(Column& c, const DefaultOption& o) { c.default_expr = o.expr; }
  void apply(Column& c, const GeneratedOption& o) { c.generated = o.expr; }
  void apply(Column& c, const CommentOption& o) { c.comment = o.text; }
  void apply(Column& c, const CollateOption& o) { c.collation = o.sql; }
  void apply(Column& c, const RenamedFromOption& o) { c.renamed_from.value = o.old_name; }
  void apply(Column&, const CheckOption& o) {
    check(o.name.value_or(m_draft->table.name + "_" + m_current + "_check"), o.expr);
  }
  void apply(Column&, const ReferencesOption& o) {
    m_draft->references.emplace_back(o, std::vector<std::string>{m_current});
  }

  TableDraft* m_draft;
  std::string m_current;
  bool m_typed = false;
};

class ModelSet {
 public:
  // The schema that tables and enums registered from now on belong to (default "public").
  ModelSet& in_schema(std::string name) {
    m_schema = std::move(name);
    return *this;
  }

  // Returns the registered type, for rename hints:
  //   m.enumeration<Kind>("event_kind", {...}).renamed_from("kind").label_renamed_from("match",
  //   "game");
  template <class E>
  EnumBuilder enumeration(std::string name, std::vector<std::string> labels) {
    static_assert(std::is_enum_v<E>, "enumeration<E>: E must be an enum type");
    auto it = m_enums.insert_or_assign(
        std::type_index(typeid(E)), EnumDraft{m_schema, Enum{std::move(name), std::move(labels)}});
    return EnumBuilder(it.first->second.value);
  }

  template <class T>
  TableBuilder<T> table(std::string name) {
    auto& d = m_tables.emplace_back();
    d.schema = m_schema;
    d.table.name = std::move(name);
    d.struct_name = demangle(typeid(T).name());
    return TableBuilder<T>(d);
  }

  // Schema-level objects, in the current schema unless `name` is "schema.name".
  // CREATE EXTENSION IF NOT EXISTS, before anything else is created.
  ModelSet& extension(std::string name, std::optional<std::string> version = std::nullopt) {
    m_extensions.push_back({m_schema, Extension{std::move(name), std::move(version)}});
    return *this;
  }
  SequenceBuilder sequence(const std::string& name) {
    auto& d = m_sequences.emplace_back(draft<Sequence>(name));
    return SequenceBuilder(d.value);
  }
  DomainBuilder domain(const std::string& name, std::string_view base_type) {
    auto& d = m_domains.emplace_back(draft<Domain>(name));
    d.value.type = canonical_type(base_type);
    return DomainBuilder(d.value);
  }
  CompositeBuilder composite(const std::string& name) {
    auto& d = m_composites.emplace_back(draft<CompositeType>(name));
    return CompositeBuilder(d.value);
  }
  // The models declare every sequence, extension, domain, ... of `schema`: those the database
  // holds there undeclared are dropped instead of reported as unmanaged (docs/autogenerate.md).
  ModelSet& manage_all(std::string schema) {
    m_manage_all.push_back(std::move(schema));
    return *this;
  }
  // A view: m.view("upcoming_events", "SELECT ... FROM events WHERE ...") in the current schema,
  // or "schema.name". Unqualified names in the query resolve in the view's schema. Options as
  // PostgreSQL spells them: {"security_barrier=true", "check_option=local"}.
  ModelSet& view(const std::string& name, std::string sql, std::vector<std::string> options = {}) {
    return add_view(name, std::move(sql), false, std::move(options));
  }
  // A materialized view (created WITH DATA); options are storage parameters ("fillfactor=70").
  ModelSet& materialized_view(const std::string& name, std::string sql,
                              std::vector<std::string> options = {}) {
    return add_view(name, std::move(sql), true, std::move(options));
  }
  // A function with its body as SQL, everything after CREATE FUNCTION name(args):
  // function("touch_updated_at()", "RETURNS trigger LANGUAGE plpgsql AS $$ ... $$"). The schema
  // is the signature's ("audit.f()") or the current one.
  ModelSet& function(const std::string& signature, const std::string& definition) {
    m_functions.push_back(function_from_model(signature, definition, m_schema));
    return *this;
  }

  // The validated schema. Throws ModelError listing every contradiction, each naming its table
  // and column.
  Schema schema() const;

  static std::string demangle(const char* mangled);

 private:
  void resolve_enums(Schema& s, std::vector<std::string>& errors) const;
  Table build_table(const TableDraft& d, std::vector<std::string>& errors) const;
  void resolve_foreign_keys(const Schema& s, std::vector<std::string>& errors) const;
  void add_objects(Schema& s, std::vector<std::string>& errors) const;

  template <class T>
  struct ObjectDraft {
    std::string schema;
    T value;
  };
  template <class T>
  ObjectDraft<T> draft(const std::string& name) const {
    ObjectDraft<T> d{m_schema, {}};
    d.value.name = name;
    if (auto dot = name.find('.'); dot != std::string::npos) {
      d.schema = name.substr(0, dot);
      d.value.name = name.substr(dot + 1);
    }
    return d;
  }
  std::vector<ObjectDraft<Extension>> m_extensions;
  std::deque<ObjectDraft<Sequence>> m_sequences;
  std::deque<ObjectDraft<Domain>> m_domains;
  std::deque<ObjectDraft<CompositeType>> m_composites;
  std::vector<std::string> m_manage_all;
  ModelSet& add_view(const std::string& name, std::string sql, bool materialized,
                     std::vector<std::string> options);
  void add_views(Schema& s, std::vector<std::string>& errors) const;

  struct EnumDraft {
    std::string schema;
    Enum value;
  };
  std::string m_schema = "public";
  std::deque<TableDraft> m_tables;
  std::map<std::type_index, EnumDraft> m_enums;
  std::vector<std::pair<std::string, View>> m_views;          // with their schema
  std::vector<std::pair<std::string, Function>> m_functions;  // with their schema
};

// ---- TableBuilder implementation ----------------------------------------------------------------

template <class T>
template <class M, class... Options>
TableBuilder<T>& TableBuilder<T>::column(M T::*, std::string name, Options&&... options) {
  using Info = member_type<M>;
  using Value = typename Info::value_type;
  Column c;
  c.name = name;
  c.nullable = Info::nullable;
  m_current = name;
  m_typed = false;
  (apply(c, options), ...);
  if constexpr (requires { pg_type<Value>::name(); }) {
    if (!m_typed) c.type = pg_type<Value>::name();
  } else if constexpr (std::is_enum_v<typename enum_element<Value>::type>) {
    if (!m_typed) {
      m_draft->enums.emplace(name, std::type_index(typeid(typename enum_element<Value>::type)));
      m_draft->enum_arrays[name] = enum_element<Value>::array;
    }
  } else {
    static_assert(
        requires { pg_type<Value>::name(); },
        "no PostgreSQL type for this member: specialize retort::pg_type or pass retort::type(...)");
  }
  m_draft->column_names.push_back(name);
  m_draft->table.columns.push_back(std::move(c));
  return *this;
}

template <class T>
TableBuilder<T>& TableBuilder<T>::unique(std::vector<std::string> columns,
                                         const std::optional<std::string>& name,
                                         std::optional<DeferrableOption> deferral) {
  std::string n = m_draft->table.name;
  for (const auto& c : columns) n += "_" + c;
  m_draft->table.uniques.push_back({name.value_or(n + "_key"), std::move(columns), false,
                                    deferral.has_value(),
                                    deferral && deferral->initially_deferred});
  return *this;
}

}  // namespace retort
