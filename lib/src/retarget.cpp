#include "retort/retarget.hpp"

#include <fmt/format.h>

#include <type_traits>

#include "retort/error.hpp"
#include "retort/sql.hpp"

namespace retort {

namespace {

bool ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$' || static_cast<unsigned char>(c) >= 0x80;
}

// How format_type and pg_get_expr spell a schema name: bare when it is a plain lower-case
// identifier, quoted otherwise.
bool bare_ok(const std::string& name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

std::string spelled(const std::string& name) { return bare_ok(name) ? name : quote_ident(name); }

// Renames schema references in one op. Fields are found by name, so every op kind with a schema,
// a qualified name, a table, a column or an expression is covered without a case per kind.
class Retargeter {
 public:
  Retargeter(const std::string& from, const std::string& to) : m_from(from), m_to(to) {}

  void schema(std::string& name) const {
    if (name == m_from) name = m_to;
  }
  void name(QualifiedName& q) const { schema(q.schema); }
  void text(std::string& t) const { t = retarget_qualified_names(t, m_from, m_to); }
  void text(std::optional<std::string>& t) const {
    if (t) text(*t);
  }
  void column(Column& c) const {
    text(c.type);
    text(c.default_expr);
    text(c.generated);
  }
  void column(std::string&) const {}  // a column's name
  void index(Index& ix) const {
    for (auto& k : ix.keys) text(k.expression);
    text(ix.where);
  }
  // One overload per kind of table item: a new kind does not compile until it is handled here.
  void item(PrimaryKey&) const {}
  void item(UniqueConstraint&) const {}
  void item(CheckConstraint& ck) const { text(ck.expression); }
  void item(ExclusionConstraint& x) const { text(x.definition); }
  void item(ForeignKey& fk) const { name(fk.ref_table); }
  void item(Index& ix) const { index(ix); }
  void item(Grant&) const {}
  void item(Policy& p) const {
    text(p.using_expr);
    text(p.check_expr);
  }
  void item(Trigger& tg) const {
    text(tg.timing);
    text(tg.action);
  }
  // Argument types, result and body (a body's dollar-quoted text is retargeted like SQL).
  void function(Function& f) const {
    text(f.arguments);
    text(f.result);
    text(f.definition);
  }
  void table(Table& t) const {
    for (auto& c : t.columns) column(c);
    text(t.partition_by);
    for_each_table_item_kind([&]<class Kind>() {
      for (auto& i : Kind::items(t)) item(i);
    });
  }
  void table(QualifiedName& q) const { name(q); }
  // One overload per kind of schema-level object (the op's `object` and `old_object`).
  void object(Extension&) const {}
  void object(Sequence&) const {}  // OWNED BY names a table of the sequence's own schema
  void object(Domain& d) const {
    text(d.type);
    text(d.default_expr);
    for (auto& c : d.checks) text(c.expression);
  }
  void object(CompositeType& t) const {
    for (auto& a : t.attributes) text(a.type);
  }
  void view(View& v) const {
    text(v.definition);
    for (auto& ix : v.indexes) text(ix);
  }

  template <class O>
  void operator()(O& o) const {
    if constexpr (requires { o.schema; }) schema(o.schema);
    if constexpr (requires { o.table; }) table(o.table);
    if constexpr (requires { o.enum_name; }) name(o.enum_name);
    if constexpr (requires { o.column; }) column(o.column);
    if constexpr (requires { o.type; }) text(o.type);
    if constexpr (requires { o.old_type; }) text(o.old_type);
    if constexpr (requires { o.using_expr; }) text(o.using_expr);
    if constexpr (requires { o.old_using_expr; }) text(o.old_using_expr);
    if constexpr (requires { o.default_expr; }) text(o.default_expr);
    if constexpr (requires { o.old_default; }) text(o.old_default);
    if constexpr (requires { o.item; }) item(o.item);
    if constexpr (requires { o.object; }) object(o.object);
    if constexpr (requires { o.old_object; }) object(o.old_object);
    if constexpr (requires { o.view; }) view(o.view);
    if constexpr (requires { o.old_view; }) view(o.old_view);
    if constexpr (requires { o.function; }) function(o.function);
    if constexpr (requires { o.old_function; }) function(o.old_function);
  }

 private:
  const std::string& m_from;
  const std::string& m_to;
};

// The schema an op creates, changes or drops objects in; nullopt for execute.
std::optional<std::string> changed_schema(const Op& op) {
  return std::visit(
      [](const auto& o) -> std::optional<std::string> {
        if constexpr (requires { o.schema; })
          return o.schema;
        else if constexpr (requires { o.table.schema; })
          return o.table.schema;
        else if constexpr (requires { o.enum_name; })
          return o.enum_name.schema;
        else
          return std::nullopt;
      },
      op);
}

std::vector<Op> retarget_ops(std::vector<Op> ops, const Revision& r, const char* direction,
                             const std::string& from, const std::string& to) {
  for (std::size_t i = 0; i < ops.size(); ++i) {
    auto where = changed_schema(ops[i]);
    if (where && *where != from)
      throw Error(fmt::format(
          "revision {} ({}): {} op #{} ({}) changes schema \"{}\", not the template schema \"{}\": "
          "with --tenant-schemas it would run once per tenant. Move shared objects to their own "
          "revisions and apply them without --tenant-schemas",
          r.id, r.file.string(), direction, i + 1, describe(ops[i]), *where, from));
    ops[i] = retarget(std::move(ops[i]), from, to);
  }
  return ops;
}

}  // namespace

std::string retarget_qualified_names(const std::string& text, const std::string& from,
                                     const std::string& to) {
  const std::string quoted = quote_ident(from) + ".";
  const std::string bare = from + ".";
  const std::string replacement = spelled(to) + ".";
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    bool boundary = i == 0 || (!ident_char(text[i - 1]) && text[i - 1] != '.');
    if (boundary && text.compare(i, quoted.size(), quoted) == 0) {
      out += replacement;
      i += quoted.size();
      continue;
    }
    if (boundary && bare_ok(from) && text.compare(i, bare.size(), bare) == 0) {
      out += replacement;
      i += bare.size();
      continue;
    }
    if (c == '\'' || c == '"') {
      // A literal or another quoted identifier: copied whole (a doubled quote stays inside).
      std::size_t end = i + 1;
      while (end < text.size()) {
        if (text[end] == c) {
          if (end + 1 < text.size() && text[end + 1] == c) {
            end += 2;
            continue;
          }
          break;
        }
        if (c == '\'' && text[end] == '\\' && i > 0 && (text[i - 1] == 'E' || text[i - 1] == 'e'))
          ++end;  // E'...\'...'
        ++end;
      }
      out.append(text, i, end + 1 - i);
      i = end + 1;
      continue;
    }
    if (ident_char(c)) {
      // The rest of a word cannot start a qualified name.
      std::size_t end = i;
      while (end < text.size() && ident_char(text[end])) ++end;
      out.append(text, i, end - i);
      i = end;
      continue;
    }
    out += c;
    ++i;
  }
  return out;
}

Op retarget(Op op, const std::string& from, const std::string& to) {
  Retargeter r(from, to);
  std::visit(r, op);
  return op;
}

Schema retarget(Schema schema, const std::string& from, const std::string& to) {
  if (auto node = schema.schemas.extract(from)) {
    node.key() = to;
    node.mapped().name = to;
    schema.schemas.insert(std::move(node));
  }
  Retargeter r(from, to);
  for (auto& [ns_name, ns] : schema.schemas) {
    for (auto& [table_name, t] : ns.tables) r.table(t);
    for (auto& [_, d] : ns.domains) r.object(d);
    for (auto& [_, c] : ns.composites) r.object(c);
    for (auto& [view_name, v] : ns.views) r.view(v);
    std::map<std::string, Function> functions;
    for (auto& [_, f] : ns.functions) {
      r.function(f);
      functions.emplace(f.signature(), std::move(f));
    }
    ns.functions = std::move(functions);
  }
  return schema;
}

Revision retarget(Revision revision, const std::string& from, const std::string& to) {
  revision.upgrade = retarget_ops(std::move(revision.upgrade), revision, "upgrade", from, to);
  revision.downgrade = retarget_ops(std::move(revision.downgrade), revision, "downgrade", from, to);
  return revision;
}

RevisionGraph retarget(const RevisionGraph& graph, const std::string& from, const std::string& to) {
  std::vector<Revision> out;
  out.reserve(graph.size());
  for (const auto& id : graph.ordered()) out.push_back(retarget(graph.at(id), from, to));
  return RevisionGraph(std::move(out));
}

}  // namespace retort
