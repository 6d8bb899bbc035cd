#include "retort/retarget.hpp"

#include <fmt/format.h>

#include <cctype>
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

// Whether text[at] opens the first argument of nextval, currval or setval.
bool after_sequence_call(const std::string& text, std::size_t at) {
  std::size_t p = at;
  while (p > 0 && std::isspace(static_cast<unsigned char>(text[p - 1]))) --p;
  if (p == 0 || text[p - 1] != '(') return false;
  --p;
  while (p > 0 && std::isspace(static_cast<unsigned char>(text[p - 1]))) --p;
  std::size_t start = p;
  while (start > 0 && ident_char(text[start - 1])) --start;
  std::string word = text.substr(start, p - start);
  for (auto& ch : word) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return word == "nextval" || word == "currval" || word == "setval";
}

// A string literal's body and back: '' is one quote inside it.
std::string single_quotes(std::string s) {
  for (auto p = s.find("''"); p != std::string::npos; p = s.find("''", p + 1)) s.erase(p, 1);
  return s;
}
std::string doubled_quotes(std::string s) {
  for (auto p = s.find('\''); p != std::string::npos; p = s.find('\'', p + 2)) s.insert(p, 1, '\'');
  return s;
}

// Op fields holding SQL text (a type, an expression), in which names qualified with the template
// schema are rewritten. Any other text field is a name in the op's schema, a comment or
// hand-written SQL, none of which moves.
bool holds_sql_text(std::string_view key) {
  return key == "type" || key == "old_type" || key == "using" || key == "old_using" ||
         key == "default" || key == "old_default";
}

// Renames schema references in one op by walking its fields (`O::fields`, the list its JSON is
// written from) by JSON key and type, so an op may name its members as it likes. One `value`
// overload per type a field or a schema holds: a new type does not compile until it is handled.
class Retargeter {
 public:
  Retargeter(const std::string& from, const std::string& to) : m_from(from), m_to(to) {}

  void schema(std::string& name) const {
    if (name == m_from) name = m_to;
  }
  void text(std::string& t) const { t = retarget_qualified_names(t, m_from, m_to); }
  void text(std::optional<std::string>& t) const {
    if (t) text(*t);
  }
  void value(QualifiedName& q) const { schema(q.schema); }
  void value(Column& c) const {
    text(c.type);
    text(c.default_expr);
    text(c.generated);
  }
  // Table items.
  void value(PrimaryKey&) const {}
  void value(UniqueConstraint&) const {}
  void value(CheckConstraint& ck) const { text(ck.expression); }
  void value(ExclusionConstraint& x) const { text(x.definition); }
  void value(ForeignKey& fk) const { value(fk.ref_table); }
  void value(Index& ix) const {
    for (auto& k : ix.keys) text(k.expression);
    text(ix.where);
  }
  void value(Grant&) const {}
  void value(Policy& p) const {
    text(p.using_expr);
    text(p.check_expr);
  }
  void value(Trigger& tg) const {
    text(tg.timing);
    text(tg.action);
  }
  // Argument types, result and body (a body's dollar-quoted text is retargeted like SQL).
  void value(Function& f) const {
    text(f.arguments);
    text(f.result);
    text(f.definition);
  }
  void value(Table& t) const {
    for (auto& c : t.columns) value(c);
    text(t.partition_by);
    for_each_table_item_kind([&]<class Kind>() {
      for (auto& i : Kind::items(t)) value(i);
    });
  }
  // Schema-level objects.
  void value(Extension&) const {}
  void value(Sequence&) const {}  // OWNED BY names a table of the sequence's own schema
  void value(Domain& d) const {
    text(d.type);
    text(d.default_expr);
    for (auto& c : d.checks) text(c.expression);
  }
  void value(CompositeType& t) const {
    for (auto& a : t.attributes) text(a.type);
  }
  void value(View& v) const {
    text(v.definition);
    for (auto& ix : v.indexes) text(ix);
  }
  void value(Enum&) const {}       // its schema is the op's
  void value(Identity&) const {}   // its sequence follows the column
  void value(Partition&) const {}  // in its parent's schema

  // One field of an op: text by its key, the rest by its type.
  void operator()(std::string_view key, std::string& v) const {
    if (key == "schema")
      schema(v);
    else if (holds_sql_text(key))
      text(v);
  }
  void operator()(std::string_view key, std::optional<std::string>& v,
                  Absent = Absent::null) const {
    if (holds_sql_text(key)) text(v);
  }
  void operator()(std::string_view, std::vector<std::string>&) const {}  // storage options
  void operator()(std::string_view, bool&, bool) const {}
  template <class T>
  void operator()(std::string_view, T& v) const {
    value(v);
  }

  template <class O>
  void op(O& o) const {
    O::fields(o, *this);
  }

 private:
  const std::string& m_from;
  const std::string& m_to;
};

// The schema an op creates, changes or drops objects in: its "schema" field, else the schema of
// its qualified name (a table's, an enum type's); nullopt for execute.
std::optional<std::string> changed_schema(const Op& op) {
  return std::visit(
      []<class O>(const O& o) {
        std::optional<std::string> schema;
        auto find = [&]<class T>(std::string_view key, const T& v, auto...) {
          if constexpr (std::is_same_v<T, std::string>) {
            if (key == "schema") schema = v;
          } else if constexpr (std::is_same_v<T, QualifiedName>) {
            if (!schema) schema = v.schema;
          }
        };
        O::fields(o, find);
        return schema;
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
      // A relation's name in a literal is a reference: cast to regclass, or a sequence
      // function's argument (nextval('tmpl.s'), as the server prints it
      // nextval('tmpl.s'::regclass)).
      bool closed = end < text.size();
      if (c == '\'' && closed &&
          (text.compare(end + 1, 10, "::regclass") == 0 || after_sequence_call(text, i))) {
        out += '\'' +
               doubled_quotes(retarget_qualified_names(
                   single_quotes(text.substr(i + 1, end - i - 1)), from, to)) +
               '\'';
        i = end + 1;
        continue;
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
  std::visit([&](auto& o) { r.op(o); }, op);
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
    for (auto& [table_name, t] : ns.tables) r.value(t);
    for (auto& [_, d] : ns.domains) r.value(d);
    for (auto& [_, c] : ns.composites) r.value(c);
    for (auto& [view_name, v] : ns.views) r.value(v);
    std::map<std::string, Function> functions;
    for (auto& [_, f] : ns.functions) {
      r.value(f);
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
