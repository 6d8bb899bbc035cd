// Revision files: versions/<rev>_<slug>.json, written by retort and reviewed by people. See
// docs/revision-format.md.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "retort/ops.hpp"
#include "retort/warning.hpp"

namespace retort {

struct Revision {
  std::string id;
  std::vector<std::string> down_revisions;  // empty for a first revision, two or more for a merge
  std::string message;
  std::string created_at;  // ISO-8601, UTC
  std::vector<Op> upgrade;
  std::vector<Op> downgrade;
  std::vector<std::string> warnings;
  // Each op's hazards (hazard.hpp), parallel to upgrade / downgrade: what the file declares (a
  // hand-written `execute` may) together with what retort finds. Empty lists when not filled in.
  std::vector<std::vector<HazardKind>> upgrade_hazards;
  std::vector<std::vector<HazardKind>> downgrade_hazards;

  std::filesystem::path file;  // where it was read from or written to
  std::string checksum;        // SHA-256 of the file's bytes, hex
};

ordered_json to_json(const Revision& revision);

// The hazards of each op of one direction: the revision's own lists when they match its ops,
// else computed from the ops (hazard.hpp).
std::vector<std::vector<HazardKind>> op_hazards(const Revision& revision, bool upgrade);

// Reads and validates a revision file; errors name the file, the JSON path and what was expected.
Revision load_revision(const std::filesystem::path& file);

// Writes a new revision into `dir` (created if missing) and returns it with its file and checksum.
Revision write_revision(const std::filesystem::path& dir, const std::string& message,
                        const std::vector<std::string>& down_revisions, std::vector<Op> upgrade,
                        std::vector<Op> downgrade, const std::vector<Warning>& warnings);

std::string new_revision_id();                 // 12 random hex digits
std::string slug(const std::string& message);  // "Add member e-mail!" -> "add_member_e_mail"
std::string sha256_hex(const std::string& bytes);

}  // namespace retort
