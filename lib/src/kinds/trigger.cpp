#include "retort/kinds/trigger.hpp"

#include <fmt/format.h>

#include "../catalog.hpp"
#include "retort/sql.hpp"

namespace retort {

ordered_json to_json(const Trigger& tg) {
  return ordered_json{{"name", tg.name}, {"timing", tg.timing}, {"action", tg.action}};
}

void from_json(const JsonCursor& c, Trigger& out) {
  c.allow_keys({"name", "timing", "action"});
  out = Trigger{c.string_at("name"), c.string_at("timing"), c.string_at("action")};
}

std::string TriggerKind::add_sql(const QualifiedName& t, const Item& tg) {
  return fmt::format("CREATE TRIGGER {} {} ON {} {}", quote_ident(tg.name), tg.timing, qualified(t),
                     tg.action);
}
std::string TriggerKind::drop_sql(const QualifiedName& t, const Item& tg) {
  return fmt::format("DROP TRIGGER {} ON {}", quote_ident(tg.name), qualified(t));
}
std::string TriggerKind::describe_add(const QualifiedName& t, const Item& tg) {
  return fmt::format("create trigger {} {} on {}", tg.name, tg.timing, display(t));
}
// Which columns UPDATE OF and WHEN name is the server's knowledge, not the text's: any trigger
// that names columns at all is rebuilt with a rebuilt column.
bool TriggerKind::uses_any(const Item& tg, const std::set<std::string>& columns) {
  return !columns.empty() &&
         (tg.timing.find(" OF ") != std::string::npos || tg.action.find("WHEN (") == 0 ||
          tg.action.find(" WHEN (") != std::string::npos);
}

namespace catalog {

// Triggers the user made: not internal (foreign keys' own), not constraint triggers, not a
// partition's clone of its parent's. The definition is split around "ON <table>" here, on
// the server's own spelling of the table and trigger names (a temporary table, as a probe's,
// is spelled pg_temp.name there).
const char* const kTriggersQuery = R"(
SELECT t.tgrelid, t.tgname, pg_get_triggerdef(t.oid), 'CREATE TRIGGER ' || quote_ident(t.tgname) || ' ',
       ' ON ' || c.oid::regclass::text || ' ',
       ' ON pg_temp.' || quote_ident(c.relname) || ' '
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND NOT t.tgisinternal AND t.tgconstraint = 0 AND t.tgparentid = 0
  AND ($2::text[] IS NULL OR c.relname = ANY($2::text[]))
)";

void read_triggers(Catalog& catalog, const pqxx::result& rows) {
  for (auto row : Rows(rows)) {
    auto* ref = catalog.table(row[0]);
    if (!ref) continue;
    std::string def = row[2].c_str(), head = row[3].c_str(), on = row[4].c_str();
    auto at = def.starts_with(head) ? def.find(on, head.size()) : std::string::npos;
    if (at == std::string::npos && def.starts_with(head)) {
      on = row[5].c_str();
      at = def.find(on, head.size());
    }
    Trigger tg{row[1].c_str(), "", def};
    if (at != std::string::npos) {
      tg.timing = def.substr(head.size(), at - head.size());
      tg.action = def.substr(at + on.size());
    }
    ref->table->triggers.push_back(std::move(tg));
  }
}

}  // namespace catalog

}  // namespace retort
