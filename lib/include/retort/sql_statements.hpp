// A lexer just good enough to find statement boundaries and the leading keywords of hand-written
// SQL: quotes, dollar quotes, comments. Used to refuse transaction control in `execute` ops and to
// keep each statement the runner batches a single statement.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace retort {

// The statements of `sql` (top-level ';' separates them), trimmed; empty statements and
// statements holding only comments are left out.
std::vector<std::string_view> split_statements(std::string_view sql);

// The leading words of a statement, upper-cased, comments skipped ("CREATE INDEX CONCURRENTLY").
std::vector<std::string> leading_words(std::string_view statement, std::size_t count);

// When `statement` controls the transaction (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, ...) or cannot
// run inside one (VACUUM, CREATE INDEX CONCURRENTLY, ...), what it is; otherwise nothing.
std::optional<std::string> transaction_control(std::string_view statement);

}  // namespace retort
