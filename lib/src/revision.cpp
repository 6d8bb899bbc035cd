#include "retort/revision.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <random>

#include "retort/error.hpp"
#include "retort/hazard.hpp"
#include "retort/snapshot.hpp"
#include "retort/sql_statements.hpp"

namespace retort {

namespace {

// Revision ids are 12 lower-case hex digits (new_revision_id); anything else is a typo or worse.
std::string revision_id(const JsonCursor& c) {
  auto id = c.as_string();
  if (id.size() != 12 || !std::all_of(id.begin(), id.end(), [](char ch) {
        return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
      }))
    c.fail_at(
        fmt::format("\"{}\" is not a revision id (12 hex digits, 0-9 and a-f)", printable(id)));
  return id;
}

// A list of ops, with what the runner relies on checked here: no transaction control in an
// `execute` op (the revision already runs in a transaction; a COMMIT inside would make part of it
// permanent whatever happens next), and a non-transactional op alone in its list.
std::vector<Op> ops_from_json(const JsonCursor& list) {
  std::vector<Op> ops;
  auto elements = list.elements();
  for (const auto& element : elements) {
    ops.push_back(op_from_json(element));
    const auto* execute = std::get_if<op::Execute>(&ops.back());
    if (!execute) continue;
    if (!execute->transactional) {
      if (elements.size() != 1)
        element.fail_at(
            "an op with \"transactional\": false must be the only op of its list (it runs "
            "outside a transaction; put the other ops in revisions of their own)");
      continue;
    }
    for (auto statement : split_statements(execute->sql_text))
      if (auto what = transaction_control(statement))
        element.at("sql").fail_at(fmt::format(
            "{} cannot run inside the revision's transaction: remove it (each revision already "
            "runs in one transaction), or make it an op of its own with \"transactional\": "
            "false",
            *what));
  }
  return ops;
}

// An op's "hazards": a list of hazard kind names (optional; older files have none).
std::vector<HazardKind> declared_hazards(const JsonCursor& op) {
  std::vector<HazardKind> out;
  auto list = op.find("hazards");
  if (!list) return out;
  for (const auto& e : list->elements()) {
    auto name = e.as_string();
    auto kind = hazard_kind_from_string(name);
    if (!kind) {
      std::string known;
      for (auto k : all_hazard_kinds())
        known += (known.empty() ? "" : ", ") + std::string(to_string(k));
      e.fail(fmt::format("a hazard kind ({})", known));
    }
    out.push_back(*kind);
  }
  return out;
}

std::vector<std::vector<HazardKind>> hazards_from_json(const JsonCursor& list,
                                                       const std::vector<Op>& ops) {
  auto computed = hazards(ops);
  auto elements = list.elements();
  for (std::size_t i = 0; i < elements.size() && i < computed.size(); ++i)
    computed[i] = merge_hazards(declared_hazards(elements[i]), computed[i]);
  return computed;
}

ordered_json ops_to_json(const std::vector<Op>& ops,
                         const std::vector<std::vector<HazardKind>>& per_op) {
  auto list = ordered_json::array();
  for (std::size_t i = 0; i < ops.size(); ++i) {
    auto j = to_json(ops[i]);
    if (!per_op[i].empty()) {
      j["hazards"] = ordered_json::array();
      for (auto k : per_op[i]) j["hazards"].push_back(std::string(to_string(k)));
    }
    list.push_back(std::move(j));
  }
  return list;
}

}  // namespace

std::vector<std::vector<HazardKind>> op_hazards(const Revision& r, bool upgrade) {
  const auto& ops = upgrade ? r.upgrade : r.downgrade;
  const auto& kept = upgrade ? r.upgrade_hazards : r.downgrade_hazards;
  return kept.size() == ops.size() ? kept : hazards(ops);
}

ordered_json to_json(const Revision& r) {
  ordered_json j;
  j["revision"] = r.id;
  if (r.down_revisions.empty())
    j["down_revision"] = nullptr;
  else if (r.down_revisions.size() == 1)
    j["down_revision"] = r.down_revisions.front();
  else
    j["down_revision"] = r.down_revisions;
  j["message"] = r.message;
  j["created_at"] = r.created_at;
  j["upgrade"] = ops_to_json(r.upgrade, op_hazards(r, true));
  j["downgrade"] = ops_to_json(r.downgrade, op_hazards(r, false));
  j["warnings"] = r.warnings;
  return j;
}

Revision load_revision(const std::filesystem::path& file) {
  auto bytes = read_file(file);
  auto json = parse_json(bytes, file.string());
  JsonCursor c(json, file.string());
  c.allow_keys(
      {"revision", "down_revision", "message", "created_at", "upgrade", "downgrade", "warnings"});
  Revision r;
  r.id = revision_id(c.at("revision"));
  auto down = c.at("down_revision");
  if (down.value().is_string()) {
    r.down_revisions = {revision_id(down)};
  } else if (down.value().is_array()) {
    for (const auto& e : down.elements()) r.down_revisions.push_back(revision_id(e));
    if (r.down_revisions.empty()) down.fail("null, a revision id, or a list of revision ids");
  } else if (!down.is_null()) {
    down.fail("null, a revision id, or a list of revision ids");
  }
  r.message = c.string_at("message");
  r.created_at = c.string_at("created_at");
  r.upgrade = ops_from_json(c.at("upgrade"));
  r.downgrade = ops_from_json(c.at("downgrade"));
  r.upgrade_hazards = hazards_from_json(c.at("upgrade"), r.upgrade);
  r.downgrade_hazards = hazards_from_json(c.at("downgrade"), r.downgrade);
  if (auto w = c.find("warnings")) r.warnings = w->as_strings();
  auto stem = file.stem().string();
  if (r.id.empty() || !(stem == r.id || stem.starts_with(r.id + "_")))
    throw FormatError(fmt::format("{}: the file name does not start with its revision id \"{}\"",
                                  file.string(), r.id));
  r.file = file;
  r.checksum = sha256_hex(bytes);
  return r;
}

Revision write_revision(const std::filesystem::path& dir, const std::string& message,
                        const std::vector<std::string>& down_revisions, std::vector<Op> upgrade,
                        std::vector<Op> downgrade, const std::vector<Warning>& warnings) {
  // What load_revision would refuse must not be written in the first place.
  for (unsigned char c : message)
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
      throw Error(fmt::format("the message \"{}\" holds a control character", printable(message)));
  Revision r;
  r.id = new_revision_id();
  r.down_revisions = down_revisions;
  r.message = message;
  r.created_at =
      fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                  std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  r.upgrade = std::move(upgrade);
  r.downgrade = std::move(downgrade);
  r.upgrade_hazards = hazards(r.upgrade);
  r.downgrade_hazards = hazards(r.downgrade);
  // The file keeps each warning's line for its reviewer.
  for (const auto& w : warnings) r.warnings.push_back(w.message);
  std::filesystem::create_directories(dir);
  auto s = slug(message);
  r.file = dir / (s.empty() ? r.id + ".json" : r.id + "_" + s + ".json");
  auto text = dump(to_json(r));
  std::ofstream out(r.file, std::ios::binary);
  out << text;
  out.close();
  if (!out) throw Error(fmt::format("{}: cannot write the revision file", r.file.string()));
  r.checksum = sha256_hex(text);
  return r;
}

std::string new_revision_id() {
  std::random_device rd;
  std::uniform_int_distribution<int> digit(0, 15);
  std::string id;
  for (int i = 0; i < 12; ++i) id += "0123456789abcdef"[digit(rd)];
  return id;
}

std::string slug(const std::string& message) {
  std::string out;
  for (unsigned char c : message) {
    if (std::isalnum(c))
      out += static_cast<char>(std::tolower(c));
    else if (!out.empty() && out.back() != '_')
      out += '_';
    if (out.size() >= 40) break;
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

// OpenSSL's libcrypto: a maintained, audited SHA-256 rather than one of our own.
std::string sha256_hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1)
    throw Error("SHA-256 failed (OpenSSL)");
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

}  // namespace retort
