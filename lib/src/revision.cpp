#include "retort/revision.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <openssl/evp.h>

#include <chrono>
#include <fstream>
#include <random>

#include "retort/error.hpp"
#include "retort/snapshot.hpp"

namespace retort {

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
  j["upgrade"] = ordered_json::array();
  for (const auto& op : r.upgrade) j["upgrade"].push_back(to_json(op));
  j["downgrade"] = ordered_json::array();
  for (const auto& op : r.downgrade) j["downgrade"].push_back(to_json(op));
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
  r.id = c.string_at("revision");
  auto down = c.at("down_revision");
  if (down.value().is_string())
    r.down_revisions = {down.as_string()};
  else if (down.value().is_array())
    r.down_revisions = down.as_strings();
  else if (!down.is_null())
    down.fail("null, a revision id, or a list of revision ids");
  r.message = c.string_at("message");
  r.created_at = c.string_at("created_at");
  for (const auto& op : c.at("upgrade").elements()) r.upgrade.push_back(op_from_json(op));
  for (const auto& op : c.at("downgrade").elements()) r.downgrade.push_back(op_from_json(op));
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
                        std::vector<Op> downgrade, std::vector<std::string> warnings) {
  Revision r;
  r.id = new_revision_id();
  r.down_revisions = down_revisions;
  r.message = message;
  r.created_at =
      fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                  std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  r.upgrade = std::move(upgrade);
  r.downgrade = std::move(downgrade);
  r.warnings = std::move(warnings);
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
