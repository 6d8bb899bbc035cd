// The club's tables, registered once. Together they use every option the model layer has, so
// docs and tests can point here.
#include "club/models.hpp"
#include "retort/cli/models.hpp"

namespace r = retort;

retort::ModelSet retort_models() {
  using namespace club;
  r::ModelSet m;
  m.extension("citext");  // case-insensitive text, for email addresses
  m.sequence("member_number").as("integer").start(1000);  // membership numbers on cards
  m.enumeration<EventKind>("event_kind", {"match", "training", "social"});
  m.enumeration<Role>("member_role", {"player", "coach", "captain"});

  m.table<Member>("members")
      .column(&Member::id, "id", r::primary_key, r::identity())
      .column(&Member::name, "name", r::varchar(100), r::comment("Full name as printed on cards"))
      .column(&Member::email, "email", r::type("public.citext"), r::unique)
      .column(&Member::number, "number", r::server_default("nextval('public.member_number')"),
              r::unique)
      .column(&Member::born_on, "born_on")
      .column(&Member::joined_at, "joined_at", r::server_default("now()"))
      .column(&Member::active, "active", r::server_default("true"))
      .column(&Member::tags, "tags", r::server_default("'{}'::text[]"))
      .index(r::index("members_lower_name_idx").on_expression("lower((name)::text)"))
      // Seen by other roles only while active; the club's own role (the owner) sees everyone.
      .row_security()
      .policy({.name = "members_active_visible", .command = "SELECT", .using_expr = "active"})
      .comment("People who belong to the club");

  m.table<Team>("teams")
      .column(&Team::id, "id", r::primary_key, r::identity_always())
      .column(&Team::name, "name", r::varchar(60))
      .column(&Team::league, "league", r::type("varchar(40)"))
      .column(&Team::annual_fee, "annual_fee", r::server_default("0"),
              r::check("teams_fee_not_negative", "annual_fee >= 0"))
      .unique({"name", "league"});

  m.table<Membership>("memberships")
      .column(&Membership::member_id, "member_id",
              r::references("members", {"id"}).on_delete_do(r::FkAction::cascade))
      .column(&Membership::team_id, "team_id",
              r::references("teams", {"id"}).on_delete_do(r::FkAction::cascade))
      .column(&Membership::role, "role", r::server_default("'player'"))
      .column(&Membership::shirt_number, "shirt_number", r::check("shirt_number BETWEEN 1 AND 99"))
      .column(&Membership::since, "since", r::server_default("CURRENT_TIMESTAMP"))
      .primary_key({"member_id", "team_id"})
      .index(r::index("memberships_team_shirt_idx").unique().on("team_id").on("shirt_number"));

  m.table<Event>("events")
      .column(&Event::id, "id", r::primary_key, r::identity())
      .column(&Event::team_id, "team_id",
              r::references("teams", {"id"}).on_delete_do(r::FkAction::restrict))
      .column(&Event::kind, "kind")
      .column(&Event::title, "title")
      .column(&Event::starts_at, "starts_at")
      .column(&Event::ends_at, "ends_at")
      .column(&Event::details, "details", r::server_default("'{}'::jsonb"))
      .column(&Event::cancelled, "cancelled", r::server_default("false"))
      .check("events_ends_after_start", "ends_at IS NULL OR ends_at > starts_at")
      .index(r::index("events_upcoming_idx")
                 .on("team_id")
                 .on("starts_at")
                 .desc()
                 .include("title")
                 .where("NOT cancelled"))
      .index(r::index("events_details_idx")
                 .using_method("gin")
                 .on("details")
                 .opclass("jsonb_path_ops"))
      .grant("public", {"SELECT"});  // the fixture list is public
  m.view("upcoming_events",
         "SELECT e.id, e.team_id, t.name AS team, e.kind, e.title, e.starts_at, e.ends_at "
         "FROM events e JOIN teams t ON t.id = e.team_id "
         "WHERE NOT e.cancelled AND e.starts_at > now()");

  m.table<Attendance>("attendances")
      .column(&Attendance::event_id, "event_id", r::primary_key)
      .column(&Attendance::member_id, "member_id", r::primary_key)
      .column(&Attendance::check_in_token, "check_in_token", r::server_default("gen_random_uuid()"),
              r::unique)
      .column(&Attendance::rating, "rating")
      .column(&Attendance::minutes_played, "minutes_played", r::server_default("0"))
      .column(&Attendance::note, "note", r::server_default("''"))
      .column(&Attendance::signature, "signature", r::nullable)
      .foreign_key({"event_id"},
                   r::references("events", {"id"}).on_delete_do(r::FkAction::cascade).deferred())
      .foreign_key({"member_id"}, r::references("members", {"id"})
                                      .on_delete_do(r::FkAction::cascade)
                                      .on_update_do(r::FkAction::cascade)
                                      .deferred(false)
                                      .named("attendances_member_fkey"));

  m.in_schema("audit");
  m.table<AuditEntry>("entries")
      .column(&AuditEntry::id, "id", r::primary_key, r::identity())
      .column(&AuditEntry::action, "action", r::type("text"))
      .column(&AuditEntry::member_id, "member_id",
              r::references(r::QualifiedName{"public", "members"}, {"id"})
                  .on_delete_do(r::FkAction::set_null))
      .column(&AuditEntry::at, "at", r::server_default("now()"))
      .column(&AuditEntry::score, "score")
      .column(&AuditEntry::summary, "summary",
              r::generated(
                  "(action || ' by member '::text) || COALESCE((member_id)::text, 'nobody'::text)"))
      .index(r::index("entries_at_idx").on("at").desc().nulls_first(false))
      .comment("Who did what, kept forever");
  return m;
}
