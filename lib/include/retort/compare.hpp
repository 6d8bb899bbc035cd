// Comparing a live database with a target schema: the differ fed with canonical forms that
// only the server knows (types, defaults, check and index expressions).
#pragma once

#include <functional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "retort/connection.hpp"
#include "retort/diff.hpp"
#include "retort/rename.hpp"
#include "retort/schema.hpp"

namespace retort {

// The target with the types and expressions that differ textually from `current` replaced by
// what the server makes of them. Works inside `tx` with temporary tables (and, where the target
// needs them, new schemas and enum types); the caller must roll `tx` back.
Schema canonicalize(pqxx::dbtransaction& tx, const Schema& current, Schema target);

// Only the schemas in `scope` of a schema.
Schema restrict_to(Schema schema, const std::vector<std::string>& scope);

struct Comparison {
  Schema current;   // the database as introspected (after the plan's renames, if any)
  Schema target;    // the target, canonicalized
  SchemaDiff diff;  // renames first, then the rest
  // Rename candidates nobody settled: planned as drop + add. Each with its table's row count.
  std::vector<RenameCandidate> rename_candidates;
  // `current` has the plan's renames applied: it is not the database as it was.
  bool renamed = false;
};

// Connects to `url` (twice: introspection reads with two queries at a time), introspects `scope`,
// canonicalizes the target against the server and diffs. Changes nothing. `load_target` runs on
// a thread of its own meanwhile: a large snapshot file parses while the catalog is read.
// Renames (hints in the target, `renames`) are applied first inside the rolled-back transaction
// and the database introspected again, so the rest of the plan sees the new names.
Comparison compare(const std::string& url, const std::vector<std::string>& scope,
                   const std::function<Schema()>& load_target, const RenameOptions& renames = {});
// The same on connections the caller keeps (to verify the plan on the main one: its server
// process has the catalog cached already).
Comparison compare(ConnectionPair& conns, const std::vector<std::string>& scope,
                   const std::function<Schema()>& load_target, const RenameOptions& renames = {});
// Schemas are taken by value: on 10,000 tables every copy costs tens of megabytes.
Comparison compare(const std::string& url, const std::vector<std::string>& scope, Schema target,
                   const RenameOptions& renames = {});

}  // namespace retort
