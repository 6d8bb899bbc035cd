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

// Connects to the global --url (or uses `conns`, connected to it) and compares it with the target.
Comparison compare_with_target(const GlobalOptions& g, const std::string& target,
                               const RenameOptions& renames = {}, ConnectionPair* conns = nullptr);

// --rename and --no-rename (renames.cpp).
void add_rename_options(boost::program_options::options_description& desc);
RenameOptions rename_options(const boost::program_options::variables_map& vm);
// The same, plus the prompt when standard input is a terminal.
RenameOptions rename_options_for_revision(const boost::program_options::variables_map& vm);
// Whether a revision may be written with these candidates left as drop + add: yes when the
// user said so (--no-rename, the prompt) or no rows are at stake (a note says so); otherwise
// prints the refusal with the two ways out.
bool candidates_allow_revision(const RenameOptions& options,
                               const std::vector<RenameCandidate>& left);
// "  ? column public.t.a -> b may be a rename ...", one line each.
void print_rename_candidates(std::ostream& out, const std::vector<RenameCandidate>& left);

// One line per upgrade op, then the warnings, each marked "!".
void print_diff_text(std::ostream& out, const SchemaDiff& diff);

}  // namespace retort::cli
