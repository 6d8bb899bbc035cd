#include "retort/warning.hpp"

#include <optional>
#include <vector>

namespace retort {

std::string_view to_string(WarningKind kind) {
  switch (kind) {
    case WarningKind::drops_table:
      return "drops_table";
    case WarningKind::drops_column:
      return "drops_column";
    case WarningKind::replaces_column:
      return "replaces_column";
    case WarningKind::narrows_type:
      return "narrows_type";
    case WarningKind::not_null_without_default:
      return "not_null_without_default";
    case WarningKind::sets_not_null:
      return "sets_not_null";
    case WarningKind::irreversible:
      return "irreversible";
    case WarningKind::serial_differs:
      return "serial_differs";
    case WarningKind::rebuilds_invalid_index:
      return "rebuilds_invalid_index";
  }
  return "unknown";
}

}  // namespace retort

namespace retort {

std::string_view to_string(HazardKind kind) {
  switch (kind) {
    case HazardKind::deletes_data:
      return "deletes_data";
    case HazardKind::rewrites_table:
      return "rewrites_table";
    case HazardKind::access_exclusive_scan:
      return "access_exclusive_scan";
    case HazardKind::builds_index:
      return "builds_index";
    case HazardKind::validates_rows:
      return "validates_rows";
    case HazardKind::irreversible:
      return "irreversible";
    case HazardKind::changes_authorization:
      return "changes_authorization";
    case HazardKind::may_fail_on_data:
      return "may_fail_on_data";
  }
  return "unknown";
}

const std::vector<HazardKind>& all_hazard_kinds() {
  static const std::vector<HazardKind> kinds = {
      HazardKind::deletes_data,          HazardKind::rewrites_table,
      HazardKind::access_exclusive_scan, HazardKind::builds_index,
      HazardKind::validates_rows,        HazardKind::irreversible,
      HazardKind::changes_authorization, HazardKind::may_fail_on_data};
  return kinds;
}

std::optional<HazardKind> hazard_kind_from_string(std::string_view name) {
  for (auto kind : all_hazard_kinds())
    if (to_string(kind) == name) return kind;
  return std::nullopt;
}

std::string_view explain(HazardKind kind) {
  switch (kind) {
    case HazardKind::deletes_data:
      return "deletes data: the rows or values are gone, the downgrade cannot bring them back";
    case HazardKind::rewrites_table:
      return "rewrites the table under an ACCESS EXCLUSIVE lock: no reads or writes until done";
    case HazardKind::access_exclusive_scan:
      return "scans every row under an ACCESS EXCLUSIVE lock: no reads or writes until done";
    case HazardKind::builds_index:
      return "builds an index: writes to the table wait until it is built (unless CONCURRENTLY)";
    case HazardKind::validates_rows:
      return "validates every existing row against a new constraint";
    case HazardKind::irreversible:
      return "irreversible: the downgrade cannot undo it";
    case HazardKind::changes_authorization:
      return "changes authorization: who may read or write what";
    case HazardKind::may_fail_on_data:
      return "may fail on existing data (NULLs, duplicates, values a cast or check rejects)";
  }
  return "unknown";
}

}  // namespace retort
