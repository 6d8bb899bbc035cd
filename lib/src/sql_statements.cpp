#include "retort/sql_statements.hpp"

#include <algorithm>
#include <cctype>

namespace retort {

namespace {

bool is_ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// The index just past the token, quote or comment starting at `i`, or i + 1 for anything else.
// An unterminated quote or comment runs to the end, as the server would reject it anyway.
std::size_t skip(std::string_view s, std::size_t i) {
  const std::size_t n = s.size();
  char c = s[i];
  if (c == '-' && i + 1 < n && s[i + 1] == '-') {
    auto nl = s.find('\n', i);
    return nl == std::string_view::npos ? n : nl + 1;
  }
  if (c == '/' && i + 1 < n && s[i + 1] == '*') {
    int depth = 0;  // PostgreSQL's block comments nest
    while (i < n) {
      if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
        ++depth;
        i += 2;
      } else if (s[i] == '*' && i + 1 < n && s[i + 1] == '/') {
        i += 2;
        if (--depth == 0) return i;
      } else {
        ++i;
      }
    }
    return n;
  }
  if (c == '\'' || c == '"') {
    // E'...' allows backslash escapes; '' and "" are escaped quotes either way.
    bool backslashes = c == '\'' && i > 0 && (s[i - 1] == 'E' || s[i - 1] == 'e') &&
                       (i < 2 || !is_ident_char(s[i - 2]));
    for (++i; i < n; ++i) {
      if (backslashes && s[i] == '\\') {
        ++i;
      } else if (s[i] == c) {
        if (i + 1 < n && s[i + 1] == c)
          ++i;
        else
          return i + 1;
      }
    }
    return n;
  }
  if (c == '$' && (i == 0 || !is_ident_char(s[i - 1]))) {
    std::size_t j = i + 1;
    bool parameter = j < n && std::isdigit(static_cast<unsigned char>(s[j]));  // $1
    while (!parameter && j < n && is_ident_char(s[j]) && s[j] != '$') ++j;
    if (!parameter && j < n && s[j] == '$') {
      std::string_view tag = s.substr(i, j - i + 1);
      auto end = s.find(tag, j + 1);
      return end == std::string_view::npos ? n : end + tag.size();
    }
  }
  if (is_ident_char(c)) {
    while (i < n && is_ident_char(s[i])) ++i;
    return i;
  }
  return i + 1;
}

bool is_blank_or_comment(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if ((c == '-' && i + 1 < s.size() && s[i + 1] == '-') ||
               (c == '/' && i + 1 < s.size() && s[i + 1] == '*')) {
      i = skip(s, i);
    } else {
      return false;
    }
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

std::vector<std::string_view> split_statements(std::string_view sql) {
  std::vector<std::string_view> out;
  std::size_t start = 0, i = 0;
  // Inside a SQL-standard function body (BEGIN ATOMIC ... END) a ';' does not end the statement;
  // CASE ... END nests inside it.
  int atomic_depth = 0;
  std::string_view previous_word;
  auto flush = [&](std::size_t end) {
    auto stmt = sql.substr(start, end - start);
    if (!is_blank_or_comment(stmt)) out.push_back(trim(stmt));
  };
  auto word_is = [](std::string_view w, std::string_view upper) {
    return w.size() == upper.size() &&
           std::equal(w.begin(), w.end(), upper.begin(), [](char a, char b) {
             return std::toupper(static_cast<unsigned char>(a)) == b;
           });
  };
  while (i < sql.size()) {
    if (sql[i] == ';' && atomic_depth == 0) {
      flush(i);
      start = ++i;
      previous_word = {};
      continue;
    }
    auto next = skip(sql, i);
    if (is_ident_char(sql[i])) {
      auto word = sql.substr(i, next - i);
      if ((word_is(word, "ATOMIC") && word_is(previous_word, "BEGIN")) ||
          (atomic_depth > 0 && word_is(word, "CASE")))
        ++atomic_depth;
      else if (atomic_depth > 0 && word_is(word, "END"))
        --atomic_depth;
      previous_word = word;
    }
    i = next;
  }
  flush(sql.size());
  return out;
}

std::vector<std::string> leading_words(std::string_view statement, std::size_t count) {
  std::vector<std::string> words;
  for (std::size_t i = 0; i < statement.size() && words.size() < count;) {
    char c = statement[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    auto next = skip(statement, i);
    if (is_ident_char(c)) {
      std::string w(statement.substr(i, next - i));
      std::transform(w.begin(), w.end(), w.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
      words.push_back(std::move(w));
    } else if (!((c == '-' || c == '/') && next > i + 1)) {
      break;  // a symbol or a quote: no more leading keywords
    }
    i = next;
  }
  return words;
}

std::optional<std::string> transaction_control(std::string_view statement) {
  auto w = leading_words(statement, 4);
  auto at = [&](std::size_t i) { return i < w.size() ? w[i] : std::string(); };
  const auto first = at(0);
  for (const char* keyword : {"BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT",
                              "RELEASE", "PREPARE", "VACUUM"}) {
    if (first != keyword) continue;
    if (first == "PREPARE" && at(1) != "TRANSACTION") return std::nullopt;  // PREPARE name AS ...
    if (first == "START" && at(1) != "TRANSACTION") return std::nullopt;
    return first == "START" || first == "PREPARE" ? first + " " + at(1) : first;
  }
  // Statements PostgreSQL refuses inside a transaction block.
  if ((first == "CREATE" || first == "DROP" || first == "REINDEX") &&
      (at(1) == "DATABASE" || at(1) == "TABLESPACE"))
    return first + " " + at(1);
  if (first == "ALTER" && at(1) == "SYSTEM") return std::string("ALTER SYSTEM");
  auto has_concurrently = std::find(w.begin(), w.end(), "CONCURRENTLY") != w.end();
  if (has_concurrently && (first == "CREATE" || first == "DROP" || first == "REINDEX"))
    return first + " ... CONCURRENTLY";
  return std::nullopt;
}

}  // namespace retort
