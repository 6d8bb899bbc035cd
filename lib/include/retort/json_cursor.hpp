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

// Deeper nesting than this is an error: no file retort reads needs a tenth of it, and nothing
// user input drives may recurse without bound.
inline constexpr int kMaxJsonDepth = 64;

// Parses `text` strictly: a syntax error names the file, line and column; nesting deeper than
// kMaxJsonDepth, a key repeated in one object and a number out of range are errors naming the
// file and JSON path. `callback`, when given, sees each value as nlohmann::json's parser callback
// does and may leave it out.
nlohmann::json parse_strict_json(const std::string& text, const std::string& file,
                                 const nlohmann::json::parser_callback_t& callback = nullptr);

// `text` with control characters shown as \n, \xNN: safe to quote in a one-line message.
std::string printable(std::string_view text);

// A cursor is a pointer into the document plus a shared reference to the file's name: the JSON
// path of a value is worked out only when an error needs it, so reading allocates nothing.
class JsonCursor {
 public:
  // `value` must outlive every cursor derived from this one; `path` is the JSON path of `value`
  // within its file, when it is not the whole document.
  JsonCursor(const nlohmann::json& value, std::string file, std::string path = "");

  std::string path() const;
  const nlohmann::json& value() const { return *m_value; }
  [[noreturn]] void fail(std::string_view expected) const;      // "expected X, found Y"
  [[noreturn]] void fail_at(const std::string& message) const;  // any message, file and path
  // Empty text and control characters in names, by the key the text was found under.
  void check_text(std::string_view key, const std::string& text) const;

  // Object access: `at` requires the key, `find` allows it to be absent.
  JsonCursor at(std::string_view key) const;
  std::optional<JsonCursor> find(std::string_view key) const;
  // Rejects keys other than those listed, naming the first unexpected one.
  void allow_keys(std::initializer_list<std::string_view> keys) const;
  void allow_keys(const std::vector<std::string_view>& keys) const;

  std::vector<JsonCursor> elements() const;  // requires an array
  // Strings never hold NUL or control characters other than tab, newline and carriage return.
  std::string as_string() const;
  bool as_bool() const;
  std::int64_t as_int() const;  // within the range of a 64-bit signed integer
  bool is_null() const { return m_value->is_null(); }
  std::vector<std::string> as_strings() const;  // each non-empty

  // A string under `key`: non-empty unless the key is free text ("message", "comment", ...);
  // names ("name", "table", "column", ...) hold no control characters at all.
  std::string string_at(std::string_view key) const;
  std::optional<std::string> optional_string(std::string_view key) const;
  std::optional<std::int64_t> optional_int(std::string_view key) const;  // absent or null: none
  // A non-empty list of non-empty names (key columns, referenced columns).
  std::vector<std::string> names_at(std::string_view key) const;
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

  const nlohmann::json* m_value;
  std::shared_ptr<const Document> m_document;
};

}  // namespace retort
