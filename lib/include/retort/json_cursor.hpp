// Strict reading of JSON documents (snapshots, revision files): every error names the file, the
// JSON path and what was expected, and unknown keys are errors rather than silently ignored.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace retort {

class JsonCursor {
 public:
  JsonCursor(const nlohmann::json& value, std::string file, std::string path = "");

  const std::string& path() const { return m_path; }
  const nlohmann::json& value() const { return m_value; }
  [[noreturn]] void fail(std::string_view expected) const;

  // Object access: `at` requires the key, `find` allows it to be absent.
  JsonCursor at(std::string_view key) const;
  std::optional<JsonCursor> find(std::string_view key) const;
  // Rejects keys other than those listed, naming the first unexpected one.
  void allow_keys(std::initializer_list<std::string_view> keys) const;

  std::vector<JsonCursor> elements() const;  // requires an array
  std::string as_string() const;
  bool as_bool() const;
  std::int64_t as_int() const;
  bool is_null() const { return m_value.is_null(); }
  std::vector<std::string> as_strings() const;

  std::string string_at(std::string_view key) const { return at(key).as_string(); }
  std::optional<std::string> optional_string(std::string_view key) const;
  bool bool_or(std::string_view key, bool fallback) const;
  std::vector<std::string> strings_or_empty(std::string_view key) const;

 private:
  const nlohmann::json& m_value;
  std::string m_file;
  std::string m_path;
};

}  // namespace retort
