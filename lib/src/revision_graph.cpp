#include "retort/revision_graph.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <queue>

#include "retort/error.hpp"

namespace retort {

RevisionGraph RevisionGraph::load(const std::filesystem::path& dir) {
  std::vector<Revision> revisions;
  if (std::filesystem::is_directory(dir)) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
      if (entry.is_regular_file() && entry.path().extension() == ".json")
        files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    revisions.reserve(files.size());
    for (const auto& f : files) revisions.push_back(load_revision(f));
  } else if (std::filesystem::exists(dir)) {
    throw Error(fmt::format("{}: not a directory", dir.string()));
  }
  return RevisionGraph(std::move(revisions));
}

RevisionGraph::RevisionGraph(std::vector<Revision> revisions) {
  for (auto& r : revisions) {
    auto id = r.id;
    auto file = r.file.string();
    auto [it, fresh] = m_revisions.emplace(id, std::move(r));
    if (!fresh)
      throw FormatError(fmt::format("revision id {} is used by two files: {} and {}", id,
                                    it->second.file.string(), file));
  }
  std::map<std::string, int> pending;  // parents not yet ordered
  for (const auto& [id, r] : m_revisions) {
    pending[id] = static_cast<int>(r.down_revisions.size());
    for (const auto& parent : r.down_revisions) {
      if (!m_revisions.contains(parent))
        throw FormatError(fmt::format("{}: down_revision {} does not exist in {}", r.file.string(),
                                      parent, r.file.parent_path().string()));
      m_children[parent].push_back(id);
    }
  }
  // Kahn's algorithm; ties broken by creation time then id, so the order is stable.
  auto later = [&](const std::string& a, const std::string& b) {
    const auto &ra = m_revisions.at(a), &rb = m_revisions.at(b);
    return std::tie(ra.created_at, ra.id) > std::tie(rb.created_at, rb.id);
  };
  std::priority_queue<std::string, std::vector<std::string>, decltype(later)> ready(later);
  for (const auto& [id, n] : pending)
    if (n == 0) ready.push(id);
  while (!ready.empty()) {
    auto id = ready.top();
    ready.pop();
    m_order.push_back(id);
    for (const auto& child : m_children[id])
      if (--pending[child] == 0) ready.push(child);
  }
  if (m_order.size() != m_revisions.size()) {
    std::vector<std::string> cycle;
    for (const auto& [id, n] : pending)
      if (n > 0) cycle.push_back(m_revisions.at(id).file.string());
    throw FormatError(
        fmt::format("the revisions form a cycle through: {}", fmt::join(cycle, ", ")));
  }
}

const Revision* RevisionGraph::find(const std::string& id) const {
  auto it = m_revisions.find(id);
  return it == m_revisions.end() ? nullptr : &it->second;
}

const Revision& RevisionGraph::at(const std::string& id) const {
  if (const auto* r = find(id)) return *r;
  throw Error(fmt::format("unknown revision {}", id));
}

std::vector<std::string> RevisionGraph::heads() const {
  std::vector<std::string> out;
  for (const auto& [id, _] : m_revisions)
    if (auto it = m_children.find(id); it == m_children.end() || it->second.empty())
      out.push_back(id);
  return out;
}

std::vector<std::string> RevisionGraph::children(const std::string& id) const {
  auto it = m_children.find(id);
  return it == m_children.end() ? std::vector<std::string>{} : it->second;
}

std::string RevisionGraph::resolve(const std::string& spec) const {
  if (spec == "head") {
    auto h = heads();
    if (h.empty()) throw Error("there are no revisions yet");
    if (h.size() > 1)
      throw Error(fmt::format(
          "there are {} heads ({}): name one, use \"heads\", or merge them with retort merge",
          h.size(), fmt::join(h, ", ")));
    return h.front();
  }
  if (m_revisions.contains(spec)) return spec;
  std::vector<std::string> matches;
  for (auto it = m_revisions.lower_bound(spec);
       it != m_revisions.end() && it->first.starts_with(spec); ++it)
    matches.push_back(it->first);
  if (matches.size() == 1 && !spec.empty()) return matches.front();
  if (matches.empty() || spec.empty()) throw Error(fmt::format("no revision matches \"{}\"", spec));
  throw Error(fmt::format("\"{}\" is ambiguous: it matches {}", spec, fmt::join(matches, ", ")));
}

std::set<std::string> RevisionGraph::ancestry(const std::vector<std::string>& ids) const {
  std::set<std::string> seen;
  std::vector<std::string> stack(ids.begin(), ids.end());
  while (!stack.empty()) {
    auto id = std::move(stack.back());
    stack.pop_back();
    if (!seen.insert(id).second) continue;
    for (const auto& p : at(id).down_revisions) stack.push_back(p);
  }
  return seen;
}

std::vector<std::string> RevisionGraph::applied_heads(const std::set<std::string>& applied) const {
  std::vector<std::string> out;
  for (const auto& id : applied) {
    bool has_applied_child = false;
    for (const auto& c : children(id))
      if (applied.contains(c)) has_applied_child = true;
    if (!has_applied_child) out.push_back(id);
  }
  return out;
}

}  // namespace retort
