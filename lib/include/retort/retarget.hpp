// Schema per tenant: revisions and schemas written against a template schema name, moved onto a
// tenant's schema. Works on the values (ops, tables, schemas), never on rendered SQL.
#pragma once

#include <string>
#include <vector>

#include "retort/ops.hpp"
#include "retort/revision.hpp"
#include "retort/revision_graph.hpp"
#include "retort/schema.hpp"

namespace retort {

// Moves names from the schema `from` to the schema `to`: the schema an op changes, qualified
// table and type names, foreign-key targets, and names qualified with `from` inside types and
// expressions (defaults, checks, index keys and predicates, USING). Other schemas are left alone.
// Hand-written `execute` SQL is not rewritten: the fleet runs it with the tenant schema first on
// the search_path (docs/fleet.md).
Op retarget(Op op, const std::string& from, const std::string& to);

// Every table, enum and reference of `from` in `to` instead.
Schema retarget(Schema schema, const std::string& from, const std::string& to);

// The revision with both op lists retargeted; its id and checksum stay (the version table records
// the file). An op that changes a schema other than `from` is an error naming the revision, its
// file and the op: applying it once per tenant would collide.
Revision retarget(Revision revision, const std::string& from, const std::string& to);
RevisionGraph retarget(const RevisionGraph& graph, const std::string& from, const std::string& to);

// `text` (a type or an SQL expression) with names qualified by the schema `from` qualified by `to`
// instead. String literals and other quoted identifiers are left as they are.
std::string retarget_qualified_names(const std::string& text, const std::string& from,
                                     const std::string& to);

}  // namespace retort
