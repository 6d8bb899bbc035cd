// Renames that keep the data: what asks for them (hints in the target, --rename requests,
// answers about rename candidates) and how they are resolved against the database. The ops
// themselves are in kinds/rename.hpp; compare() applies the renames before it diffs, so the rest
// of the plan (type changes, new foreign keys, ...) is computed against the renamed objects.
// See docs/autogenerate.md, "Renames".
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "retort/ops.hpp"
#include "retort/schema.hpp"

namespace retort {

// A rename asked for on the command line (--rename): "public.members.name=full_name" (a column
// or an enum label), "public.members=people" (a table or an enum type), "old=new" (a schema).
struct RenameRequest {
  std::vector<std::string> path;  // one to three names before '='
  std::string to;
  std::string text;  // as given, for messages

  // Throws Error naming `text` unless it has one of the three forms.
  static RenameRequest parse(const std::string& text);
};

// A column dropped and one of the same type added in the same table, or a table dropped and one
// with the same columns added in the same schema: maybe a rename, which only a person can tell.
struct RenameCandidate {
  QualifiedName table;                // the column's table, or the table dropped
  std::optional<std::string> column;  // the column dropped; nullopt for a table
  std::string to;                     // the column or table added
  std::int64_t rows = 0;              // rows of `table`: what drop + add would lose

  std::string spec() const;      // as --rename takes it: "public.members.name=full_name"
  std::string describe() const;  // "column public.members.name -> full_name"
  bool operator==(const RenameCandidate&) const = default;
};

// How compare() settles renames: hints in the target always apply; then the requests; then each
// candidate left is put to `decide`, unless `no_rename` (they stay drop + add).
struct RenameOptions {
  std::vector<RenameRequest> requested;
  bool no_rename = false;
  // Answers one candidate (true: rename); empty: nobody to ask. Called in order, tables first;
  // a candidate whose names an accepted one took is not asked.
  std::function<bool(const RenameCandidate&)> decide;
};

// The renames of one comparison, kept in step with an in-memory copy of the current schema.
class RenamePlan {
 public:
  // Resolves the target's hints and the requests against `current`, in the order they apply
  // (schemas, enum types, labels, tables, columns, indexes). A hint or request whose old name is
  // gone but whose new name exists is already applied; one where both names exist is an Error
  // naming both; a request naming nothing at all is an Error.
  // Both schemas must outlive the plan; `current` is copied only once something is renamed.
  RenamePlan(const Schema& current, const Schema& target,
             const std::vector<RenameRequest>& requested);

  // Candidates between the renamed current schema and the target, tables then columns, without
  // row counts.
  std::vector<RenameCandidate> candidates() const;
  // Whether a candidate still stands: an accepted one may have taken its names.
  bool open(const RenameCandidate& c) const;
  // Applies a candidate that is open: a rename op appended.
  void accept(const RenameCandidate& c);

  const std::vector<Op>& ops() const { return m_ops; }
  const Schema& schema() const { return m_renamed ? *m_renamed : m_base; }

 private:
  Schema& renamed() {
    if (!m_renamed) m_renamed = m_base;
    return *m_renamed;
  }
  void resolve_hints_and_requests(const std::vector<RenameRequest>& requested);
  void rename_schema(const std::string& from, const std::string& to);
  void rename_table(const QualifiedName& from, const std::string& to);
  void rename_column(const QualifiedName& table, const std::string& from, const std::string& to);
  void rename_enum(const QualifiedName& from, const std::string& to);
  void rename_label(const QualifiedName& e, const std::string& from, const std::string& to);

  const Schema& m_base;
  std::optional<Schema> m_renamed;  // m_base with the renames so far, once there is one
  const Schema& m_target;
  std::vector<Op> m_ops;
};

}  // namespace retort
