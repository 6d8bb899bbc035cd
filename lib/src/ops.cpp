// The op family's generic faces: each op's name, JSON fields, SQL, inverse and description are
// declared with its kind (kinds/); this file dispatches over the variant and turns the one field
// list of each op into both JSON directions.
#include "retort/ops.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

#include "retort/error.hpp"

namespace retort {

namespace {

// Writes fields in the order the op lists them.
class JsonWriter {
 public:
  explicit JsonWriter(ordered_json& j) : m_json(j) {}
  // A table or type name is two keys: "schema" and its own.
  void operator()(std::string_view key, const QualifiedName& q) {
    m_json["schema"] = q.schema;
    m_json[std::string(key)] = q.name;
  }
  void operator()(std::string_view key, const std::string& v) { m_json[std::string(key)] = v; }
  void operator()(std::string_view key, const std::vector<std::string>& v) {
    m_json[std::string(key)] = v;
  }
  void operator()(std::string_view key, const std::optional<std::string>& v,
                  Absent absent = Absent::null) {
    if (v)
      m_json[std::string(key)] = *v;
    else if (absent == Absent::null)
      m_json[std::string(key)] = nullptr;
  }
  // A flag is written only when it differs from its default.
  void operator()(std::string_view key, bool v, bool fallback) {
    if (v != fallback) m_json[std::string(key)] = v;
  }
  template <class T>
  void operator()(std::string_view key, const T& v) {
    m_json[std::string(key)] = to_json(v);
  }

 private:
  ordered_json& m_json;
};

// The keys an op's fields use, for strictness about unknown ones.
class KeyLister {
 public:
  template <class T, class Option = Absent>
  void operator()(std::string_view key, const T&, Option = {}) {
    if constexpr (std::is_same_v<T, QualifiedName>) m_keys.push_back("schema");
    m_keys.push_back(key);
  }
  std::vector<std::string_view> m_keys{"op"};
};

class JsonReader {
 public:
  explicit JsonReader(const JsonCursor& c) : m_cursor(c) {}
  void operator()(std::string_view key, QualifiedName& q) {
    q = {m_cursor.string_at("schema"), m_cursor.string_at(key)};
  }
  void operator()(std::string_view key, std::string& v) { v = m_cursor.string_at(key); }
  void operator()(std::string_view key, std::vector<std::string>& v) {
    v = m_cursor.at(key).as_strings();
  }
  void operator()(std::string_view key, std::optional<std::string>& v, Absent = Absent::null) {
    v = m_cursor.optional_string(key);
  }
  void operator()(std::string_view key, bool& v, bool fallback) {
    v = m_cursor.bool_or(key, fallback);
  }
  template <class T>
  void operator()(std::string_view key, T& v) {
    from_json(m_cursor.at(key), v);
  }

 private:
  const JsonCursor& m_cursor;
};

template <class O>
Op read_op(const JsonCursor& c) {
  // The keys an op may have, listed once per op type rather than for every op read.
  static const std::vector<std::string_view> keys = [] {
    KeyLister lister;
    const O blank{};
    O::fields(blank, lister);
    return lister.m_keys;
  }();
  c.allow_keys(keys);
  O o{};
  JsonReader reader(c);
  O::fields(o, reader);
  if constexpr (requires { o.validate(c); }) o.validate(c);
  return o;
}

using OpReader = Op (*)(const JsonCursor&);

// Op names to readers, from the variant's alternatives: no list to keep in step by hand.
template <std::size_t... I>
constexpr auto make_readers(std::index_sequence<I...>) {
  return std::array<std::pair<std::string_view, OpReader>, sizeof...(I)>{std::pair{
      std::variant_alternative_t<I, Op>::kName, &read_op<std::variant_alternative_t<I, Op>>}...};
}
constexpr auto kReaders = make_readers(std::make_index_sequence<std::variant_size_v<Op>>{});

template <class T>
std::optional<Op> as_optional_op(T&& inv) {
  using R = std::decay_t<T>;
  if constexpr (std::is_same_v<R, Irreversible>) {
    return std::nullopt;
  } else if constexpr (requires { inv.has_value(); }) {
    if (!inv) return std::nullopt;
    return Op(*std::forward<T>(inv));
  } else if constexpr (requires { inv.index(); }) {
    return std::visit([](auto&& o) { return std::optional<Op>(Op(std::forward<decltype(o)>(o))); },
                      std::forward<T>(inv));
  } else {
    return Op(std::forward<T>(inv));
  }
}

}  // namespace

std::string op_name(const Op& op) {
  return std::visit([](const auto& o) { return std::string(o.kName); }, op);
}

ordered_json to_json(const Op& op) {
  ordered_json j;
  j["op"] = op_name(op);
  JsonWriter writer(j);
  std::visit([&](const auto& o) { o.fields(o, writer); }, op);
  return j;
}

Op op_from_json(const JsonCursor& c) {
  auto name = c.string_at("op");
  auto it = std::find_if(kReaders.begin(), kReaders.end(),
                         [&](const auto& r) { return r.first == name; });
  if (it == kReaders.end()) {
    std::string known;
    for (const auto& r : kReaders) known += (known.empty() ? "" : ", ") + std::string(r.first);
    c.at("op").fail("a known op (" + known + ")");
  }
  return it->second(c);
}

std::vector<std::string> to_sql(const Op& op) {
  return std::visit([](const auto& o) { return o.sql(); }, op);
}

std::optional<Op> inverse(const Op& op) {
  return std::visit([](const auto& o) { return as_optional_op(o.inverse()); }, op);
}

std::string describe(const Op& op) {
  return std::visit([](const auto& o) { return o.describe(); }, op);
}

}  // namespace retort
