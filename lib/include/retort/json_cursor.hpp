// Strict reading of JSON documents (snapshots, revision files): every error names the file, the
// JSON path and what was expected, and unknown keys are errors rather than silently ignored.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace retort {

// A cursor is a pointer into the document plus a shared reference to the file's name: the JSON
// path of a value is worked out only when an error needs it, so reading allocates nothing.
class JsonCursor {
 public:
  // `value` must outlive every cursor derived from this one; `path` is the JSON path of `value`
  // within its file, when it is not the whole document.
  JsonCursor(const nlohmann::json& value, std::string file, std::string path = "");

  std::string path() const;
  const nlohmann::json& value() const { return *m_value; }
  [[noreturn]] void fail(std::string_view expected) const;

  // Object access: `at` requires the key, `find` allows it to be absent.
  JsonCursor at(std::string_view key) const;
  std::optional<JsonCursor> find(std::string_view key) const;
  // Rejects keys other than those listed, naming the first unexpected one.
  void allow_keys(std::initializer_list<std::string_view> keys) const;
  void allow_keys(const std::vector<std::string_view>& keys) const;

  std::vector<JsonCursor> elements() const;  // requires an array
  std::string as_string() const;
  bool as_bool() const;
  std::int64_t as_int() const;
  bool is_null() const { return m_value->is_null(); }
  std::vector<std::string> as_strings() const;

  std::string string_at(std::string_view key) const { return at(key).as_string(); }
  std::optional<std::string> optional_string(std::string_view key) const;
  bool bool_or(std::string_view key, bool fallback) const;
  std::vector<std::string> strings_or_empty(std::string_view key) const;

 private:
  struct Document {
    std::string file;
    const nlohmann::json* root;
    std::string root_path;
  };
  JsonCursor(const nlohmann::json& value, std::shared_ptr<const Document> document)
      : m_value(&value), m_document(std::move(document)) {}
  [[noreturn]] void fail_at(const std::string& message) const;

  const nlohmann::json* m_value;
  std::shared_ptr<const Document> m_document;
};

}  // namespace retort
