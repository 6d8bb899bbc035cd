#include "retort/json_cursor.hpp"

#include <fmt/format.h>

#include <algorithm>

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

// Appends to `path` the JSON path from `node` down to `target`; false when `target` is not below.
bool find_path(const nlohmann::json& node, const nlohmann::json* target, std::string& path) {
  if (&node == target) return true;
  auto size = path.size();
  if (node.is_object()) {
    for (const auto& [key, child] : node.items()) {
      path += '/';
      path += escape_key(key);
      if (find_path(child, target, path)) return true;
      path.resize(size);
    }
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      path += '/';
      path += std::to_string(i);
      if (find_path(node[i], target, path)) return true;
      path.resize(size);
    }
  }
  return false;
}

}  // namespace

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
  throw FormatError(fmt::format("{}: at {}: {}", m_document->file, path(), message));
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
      fail_at(fmt::format("unexpected key \"{}\" (expected one of {})", key, allowed));
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
  return m_value->get<std::string>();
}

bool JsonCursor::as_bool() const {
  if (!m_value->is_boolean()) fail("a boolean");
  return m_value->get<bool>();
}

std::int64_t JsonCursor::as_int() const {
  if (!m_value->is_number_integer()) fail("an integer");
  return m_value->get<std::int64_t>();
}

std::vector<std::string> JsonCursor::as_strings() const {
  std::vector<std::string> out;
  for (const auto& e : elements()) out.push_back(e.as_string());
  return out;
}

std::optional<std::string> JsonCursor::optional_string(std::string_view key) const {
  auto c = find(key);
  if (!c || c->is_null()) return std::nullopt;
  return c->as_string();
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
