// The revisions in versions/ as a graph: parents, heads, ancestry, and the targets the commands
// accept (head, heads, base, an id or unique prefix).
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "retort/revision.hpp"

namespace retort {

class RevisionGraph {
 public:
  // Loads every *.json file in `dir` (none if it does not exist) and checks the graph: unique
  // ids, known parents, no cycles.
  static RevisionGraph load(const std::filesystem::path& dir);
  explicit RevisionGraph(std::vector<Revision> revisions);
  RevisionGraph() = default;

  bool empty() const { return m_revisions.empty(); }
  std::size_t size() const { return m_revisions.size(); }
  const Revision* find(const std::string& id) const;
  const Revision& at(const std::string& id) const;

  std::vector<std::string> heads() const;  // revisions nobody names as parent, sorted
  std::vector<std::string> children(const std::string& id) const;
  // All revisions, parents before children (ties by creation time, then id).
  const std::vector<std::string>& ordered() const { return m_order; }

  // A full id or a unique prefix of one; "head" (the one head). Errors name the alternatives.
  std::string resolve(const std::string& spec) const;
  // The ids and all their ancestors.
  std::set<std::string> ancestry(const std::vector<std::string>& ids) const;
  // Of `applied`, those that no other applied revision descends from.
  std::vector<std::string> applied_heads(const std::set<std::string>& applied) const;

 private:
  std::map<std::string, Revision> m_revisions;
  std::map<std::string, std::vector<std::string>> m_children;
  std::vector<std::string> m_order;
};

}  // namespace retort
