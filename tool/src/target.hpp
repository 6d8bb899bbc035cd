// What `diff`, `check` and `revision --autogenerate` compare the database with, and how the
// result is shown.
#pragma once

#include <ostream>
#include <string>

#include "command.hpp"
#include "retort/compare.hpp"
#include "retort/schema.hpp"

namespace retort::cli {

// "models" (the compiled-in models), a snapshot file (*.json), or a database URL.
Schema load_target(const GlobalOptions& g, const std::string& target);

// Connects to the global --url and compares it with the target.
Comparison compare_with_target(const GlobalOptions& g, const std::string& target);

// One line per upgrade op, then the warnings, each marked "!".
void print_diff_text(std::ostream& out, const SchemaDiff& diff);

}  // namespace retort::cli
