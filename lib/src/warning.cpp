#include "retort/warning.hpp"

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
  }
  return "unknown";
}

}  // namespace retort
