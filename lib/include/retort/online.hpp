// Online revisions (`revision --autogenerate --online`): ops in forms that keep a busy table
// readable and writable (CREATE INDEX CONCURRENTLY, NOT VALID then VALIDATE, ...), and the steps
// the runner splits such a revision into. See docs/migrations.md, "Online revisions".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "retort/diff.hpp"
#include "retort/ops.hpp"

namespace retort {

// The lock_timeout of every statement of a revision that runs in steps, unless --lock-timeout
// says otherwise: an online step that cannot get its lock quickly fails instead of queueing
// every query on the table behind it.
inline constexpr std::chrono::milliseconds kOnlineLockTimeout{2000};

// One step of a revision that runs in steps: its own transaction (which also records the step as
// done), or, when not `transactional`, a statement alone in autocommit mode (CONCURRENTLY).
struct Step {
  std::size_t op = 0;  // 0-based index of its op
  std::vector<std::string> sql;
  bool transactional = true;
  // A CONCURRENTLY build (builds_index) or drop of this index (schema, index name): a retry first
  // drops an INVALID leftover of a build and skips a build that completed, or a drop that did.
  std::optional<QualifiedName> index;
  bool builds_index = false;
};

// Whether the op is in its online form ("online": true).
bool is_online(const Op& op);
// Whether any op of the list is in its online form (its revision gets the online lock timeout).
bool any_online(const std::vector<Op>& ops);
// Whether a list of ops runs in steps: it has an online op or a non-transactional execute.
bool runs_in_steps(const std::vector<Op>& ops);
// The steps of such a list: an online op's statements one step each, any other op one step.
std::vector<Step> steps_of(const std::vector<Op>& ops);
// The op as it runs inside one transaction (for verification): CONCURRENTLY left out.
Op transactional_form(const Op& op);

// Rewrites a plan's ops into their online forms where the table already exists (in `current`,
// not created by an earlier op of the list) and is not partitioned: create/drop index, add
// unique, add check, add foreign key and set not null. The downgrade is rebuilt from the new
// upgrade's inverses, in online forms too.
void make_online(SchemaDiff& diff, const Schema& current);

}  // namespace retort
