#include "retort/json_cursor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <unordered_set>

#include "retort/error.hpp"

namespace retort {

namespace {

std::string_view kind(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "an array";
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::boolean:
      return "a boolean";
    case nlohmann::json::value_t::number_float:
      return "a fractional number";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
      return "a number";
    default:
      return "an unknown value";
  }
}

// JSON Pointer escaping, so a key with '/' or '~' still gives an unambiguous path.
std::string escape_key(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

// Appends to `path` the JSON path from `root` down to `target`; false when `target` is not below.
// Iterative: a document's depth must not become this process's stack depth.
bool find_path(const nlohmann::json& root, const nlohmann::json* target, std::string& path) {
  constexpr auto kNone = static_cast<std::size_t>(-1);
  struct Entry {
    const nlohmann::json* node;
    std::size_t parent;
    std::string segment;
  };
  std::vector<Entry> entries{{&root, kNone, ""}};
  std::vector<std::size_t> todo{0};
  while (!todo.empty()) {
    auto index = todo.back();
    todo.pop_back();
    const nlohmann::json* node = entries[index].node;
    if (node == target) {
      std::vector<std::size_t> chain;
      for (auto i = index; i != kNone; i = entries[i].parent) chain.push_back(i);
      for (auto it = chain.rbegin(); it != chain.rend(); ++it) path += entries[*it].segment;
      return true;
    }
    if (node->is_object()) {
      for (auto it = node->begin(); it != node->end(); ++it) {
        std::string segment = "/";
        segment += escape_key(it.key());
        entries.push_back({&it.value(), index, std::move(segment)});
        todo.push_back(entries.size() - 1);
      }
    } else if (node->is_array()) {
      for (std::size_t i = 0; i < node->size(); ++i) {
        std::string segment = "/";
        segment += std::to_string(i);
        entries.push_back({&(*node)[i], index, std::move(segment)});
        todo.push_back(entries.size() - 1);
      }
    }
  }
  return false;
}

// Keys whose value is free text: may be empty and may hold newlines and tabs.
bool is_free_text(std::string_view key) {
  for (auto k : {"message", "comment", "old_comment", "down_sql", "created_at"})
    if (key == k) return true;
  return false;
}

// Keys whose value is a PostgreSQL name: no control characters at all.
bool is_name(std::string_view key) {
  for (auto k : {"name", "schema", "table", "column", "enum", "label", "before", "after",
                 "ref_schema", "ref_table", "revision", "op"})
    if (key == k) return true;
  return false;
}

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

// What parse_strict_json checks while nlohmann::json parses: depth, repeated keys, and the JSON
// path of each open container for the error message. Keys are kept in per-depth slots that are
// reused, so a document of 10,000 tables costs few allocations.
class StrictChecker {
 public:
  explicit StrictChecker(const std::string& file) : m_file(file) {}

  void open(bool object) {
    if (m_depth >= static_cast<std::size_t>(kMaxJsonDepth))
      fail(fmt::format("nested deeper than {} levels", kMaxJsonDepth));
    if (m_frames.size() <= m_depth) m_frames.emplace_back();
    auto& frame = m_frames[m_depth++];
    frame.object = object;
    frame.index = 0;
    frame.count = 0;
    frame.many.clear();
  }

  void key(const std::string& k) {
    auto& frame = m_frames[m_depth - 1];
    bool repeated = false;
    if (frame.count < kLinear) {
      for (std::size_t i = 0; i < frame.count && !repeated; ++i) repeated = frame.keys[i] == k;
    } else {
      if (frame.many.empty())
        frame.many.insert(frame.keys.begin(),
                          frame.keys.begin() + static_cast<std::ptrdiff_t>(frame.count));
      repeated = !frame.many.insert(k).second;
    }
    if (frame.count < frame.keys.size())
      frame.keys[frame.count].assign(k);
    else
      frame.keys.push_back(k);
    ++frame.count;
    if (repeated) fail(fmt::format("the key \"{}\" appears twice in one object", printable(k)));
  }

  void close() {
    --m_depth;
    value();
  }

  void value() {
    if (m_depth > 0 && !m_frames[m_depth - 1].object) ++m_frames[m_depth - 1].index;
  }

 private:
  static constexpr std::size_t kLinear = 16;  // objects this small are scanned, not hashed
  struct Frame {
    bool object = false;
    std::size_t index = 0;          // arrays: the element being read
    std::size_t count = 0;          // objects: keys read so far, in keys[0, count)
    std::vector<std::string> keys;  // the last is the key being read
    std::unordered_set<std::string> many;
  };

  [[noreturn]] void fail(const std::string& message) const {
    std::string path;
    for (std::size_t i = 0; i < m_depth; ++i) {
      const auto& f = m_frames[i];
      path += '/';
      path += f.object ? (f.count > 0 ? escape_key(f.keys[f.count - 1]) : std::string())
                       : std::to_string(f.index);
    }
    throw FormatError(
        fmt::format("{}: at {}: {}", m_file, path.empty() ? "/" : printable(path), message));
  }

  const std::string& m_file;
  std::vector<Frame> m_frames;  // by depth, reused
  std::size_t m_depth = 0;
};

// nlohmann::json's own DOM builders (with or without a callback), with StrictChecker watching
// every event. sax_parse calls these methods on the derived type, so nothing is virtual.
template <class Base>
class StrictSax : public Base {
 public:
  using json = nlohmann::json;
  template <class... Args>
  explicit StrictSax(const std::string& file, Args&&... args)
      : Base(std::forward<Args>(args)...), m_check(file) {}

  bool null() {
    m_check.value();
    return Base::null();
  }
  bool boolean(bool v) {
    m_check.value();
    return Base::boolean(v);
  }
  bool number_integer(json::number_integer_t v) {
    m_check.value();
    return Base::number_integer(v);
  }
  bool number_unsigned(json::number_unsigned_t v) {
    m_check.value();
    return Base::number_unsigned(v);
  }
  bool number_float(json::number_float_t v, const json::string_t& s) {
    m_check.value();
    return Base::number_float(v, s);
  }
  bool string(json::string_t& v) {
    m_check.value();
    return Base::string(v);
  }
  bool binary(json::binary_t& v) {
    m_check.value();
    return Base::binary(v);
  }
  bool start_object(std::size_t n) {
    m_check.open(true);
    return Base::start_object(n);
  }
  bool key(json::string_t& k) {
    m_check.key(k);
    return Base::key(k);
  }
  bool end_object() {
    bool keep = Base::end_object();
    m_check.close();
    return keep;
  }
  bool start_array(std::size_t n) {
    m_check.open(false);
    return Base::start_array(n);
  }
  bool end_array() {
    bool keep = Base::end_array();
    m_check.close();
    return keep;
  }

 private:
  StrictChecker m_check;
};

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else if (c == '\t')
      out += "\\t";
    else if (is_control(c))
      out += fmt::format("\\x{:02x}", c);
    else
      out += static_cast<char>(c);
  }
  return out;
}

nlohmann::json parse_strict_json(const std::string& text, const std::string& file,
                                 const nlohmann::json::parser_callback_t& callback) {
  using json = nlohmann::json;
  try {
    json result;
    if (callback) {
      StrictSax<nlohmann::detail::json_sax_dom_callback_parser<json>> sax(file, result, callback);
      json::sax_parse(text, &sax);
    } else {
      StrictSax<nlohmann::detail::json_sax_dom_parser<json>> sax(file, result);
      json::sax_parse(text, &sax);
    }
    return result;
  } catch (const nlohmann::json::parse_error& e) {
    // Turn the byte offset into line:column, which an editor can jump to.
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    std::string what = e.what();
    auto pos = what.find("parse error");
    throw FormatError(fmt::format("{}:{}:{}: invalid JSON: {}", file, line, col > 1 ? col - 1 : 1,
                                  printable(pos == std::string::npos ? what : what.substr(pos))));
  } catch (const nlohmann::json::exception& e) {
    // Number overflow ("1e999") and the like: still the file's fault.
    std::string what = e.what();
    auto pos = what.find("] ");
    throw FormatError(
        fmt::format("{}: invalid JSON: {}", file,
                    printable(pos == std::string::npos ? what : what.substr(pos + 2))));
  }
}

JsonCursor::JsonCursor(const nlohmann::json& value, std::string file, std::string path)
    : m_value(&value),
      m_document(
          std::make_shared<const Document>(Document{std::move(file), &value, std::move(path)})) {}

std::string JsonCursor::path() const {
  std::string path = m_document->root_path;
  find_path(*m_document->root, m_value, path);
  return path.empty() ? "/" : path;
}

void JsonCursor::fail_at(const std::string& message) const {
  throw FormatError(fmt::format("{}: at {}: {}", m_document->file, printable(path()), message));
}

void JsonCursor::fail(std::string_view expected) const {
  fail_at(fmt::format("expected {}, found {}", expected, kind(*m_value)));
}

JsonCursor JsonCursor::at(std::string_view key) const {
  if (!m_value->is_object()) fail("an object");
  auto it = m_value->find(key);
  if (it == m_value->end()) fail_at(fmt::format("missing required key \"{}\"", key));
  return JsonCursor(*it, m_document);
}

std::optional<JsonCursor> JsonCursor::find(std::string_view key) const {
  if (!m_value->is_object()) fail("an object");
  auto it = m_value->find(key);
  if (it == m_value->end()) return std::nullopt;
  return JsonCursor(*it, m_document);
}

void JsonCursor::allow_keys(std::initializer_list<std::string_view> keys) const {
  allow_keys(std::vector<std::string_view>(keys));
}

void JsonCursor::allow_keys(const std::vector<std::string_view>& keys) const {
  if (!m_value->is_object()) fail("an object");
  for (const auto& [key, _] : m_value->items()) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      std::string allowed;
      for (auto k : keys) allowed += fmt::format("{}\"{}\"", allowed.empty() ? "" : ", ", k);
      fail_at(fmt::format("unexpected key \"{}\" (expected one of {})", printable(key), allowed));
    }
  }
}

std::vector<JsonCursor> JsonCursor::elements() const {
  if (!m_value->is_array()) fail("an array");
  std::vector<JsonCursor> out;
  out.reserve(m_value->size());
  for (const auto& element : *m_value) out.push_back(JsonCursor(element, m_document));
  return out;
}

std::string JsonCursor::as_string() const {
  if (!m_value->is_string()) fail("a string");
  const auto& s = m_value->get_ref<const std::string&>();
  for (unsigned char c : s)
    if (is_control(c) && c != '\t' && c != '\n' && c != '\r')
      fail_at(fmt::format("a string may not hold the control character \\x{:02x}", c));
  return s;
}

std::string JsonCursor::string_at(std::string_view key) const {
  auto c = at(key);
  auto s = c.as_string();
  c.check_text(key, s);
  return s;
}

void JsonCursor::check_text(std::string_view key, const std::string& s) const {
  if (s.empty() && !is_free_text(key)) fail_at("expected a non-empty string");
  if (is_name(key))
    for (unsigned char c : s)
      if (is_control(c))
        fail_at(fmt::format("a name may not hold the control character \\x{:02x}", c));
}

std::vector<std::string> JsonCursor::names_at(std::string_view key) const {
  auto c = at(key);
  auto names = c.as_strings();
  if (names.empty()) c.fail("a non-empty list of names");
  for (const auto& e : c.elements()) e.check_text("name", e.as_string());
  return names;
}

bool JsonCursor::as_bool() const {
  if (!m_value->is_boolean()) fail("a boolean");
  return m_value->get<bool>();
}

std::int64_t JsonCursor::as_int() const {
  if (!m_value->is_number_integer()) fail("an integer");
  if (m_value->is_number_unsigned() &&
      m_value->get<std::uint64_t>() >
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    fail_at(
        fmt::format("{} is out of range (a 64-bit signed integer)", m_value->get<std::uint64_t>()));
  return m_value->get<std::int64_t>();
}

std::vector<std::string> JsonCursor::as_strings() const {
  std::vector<std::string> out;
  for (const auto& e : elements()) {
    out.push_back(e.as_string());
    if (out.back().empty()) e.fail_at("expected a non-empty string");
  }
  return out;
}

std::optional<std::string> JsonCursor::optional_string(std::string_view key) const {
  auto c = find(key);
  if (!c || c->is_null()) return std::nullopt;
  auto s = c->as_string();
  c->check_text(key, s);
  return s;
}

std::optional<std::int64_t> JsonCursor::optional_int(std::string_view key) const {
  auto c = find(key);
  if (!c || c->is_null()) return std::nullopt;
  return c->as_int();
}

bool JsonCursor::bool_or(std::string_view key, bool fallback) const {
  auto c = find(key);
  return c ? c->as_bool() : fallback;
}

std::vector<std::string> JsonCursor::strings_or_empty(std::string_view key) const {
  auto c = find(key);
  return c ? c->as_strings() : std::vector<std::string>{};
}

}  // namespace retort
