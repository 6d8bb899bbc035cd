// Fleet pieces that need no server: target lists, redaction, retargeting revisions and schemas onto
// a tenant schema, and the scheduler's canary, jobs and failure policy (with in-process tasks).
#include "retort/fleet.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "retort/error.hpp"
#include "retort/retarget.hpp"
#include "retort/sql.hpp"

namespace {

using namespace retort;

std::string joined_sql(const Op& op) {
  std::string out;
  for (const auto& s : to_sql(op)) out += s + ";\n";
  return out;
}

TEST(Targets, NamesUrlsCommentsAndConninfo) {
  auto t = parse_targets(
      "# the fleet\n"
      "\n"
      "alpha postgresql://u:pa#ss@h:5432/db_a   # a comment after a blank\n"
      "postgresql://u@h/db_b\n"
      "  host=h port=5433 dbname=db_c user=u  \n"
      "delta host=h dbname=db_d\n",
      "fleet.txt");
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[0].name, "alpha");
  EXPECT_EQ(t[0].url, "postgresql://u:pa#ss@h:5432/db_a");
  EXPECT_EQ(t[1].name, "db_b");
  EXPECT_EQ(t[2].name, "db_c");
  EXPECT_EQ(t[2].url, "host=h port=5433 dbname=db_c user=u");
  EXPECT_EQ(t[3].name, "delta");
  EXPECT_EQ(t[3].url, "host=h dbname=db_d");
  EXPECT_FALSE(t[0].schema);
}

TEST(Targets, ErrorsNameTheLineAndNeverThePassword) {
  try {
    parse_targets("a postgresql://u:topsecret@h/x\na postgresql://u:topsecret@h/y\n", "f.txt");
    FAIL() << "a duplicate name was accepted";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("f.txt:2: target name \"a\" is already used by f.txt:1"), std::string::npos)
        << m;
  }
  try {
    parse_targets("\n\nnot-a-url\n", "f.txt");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("f.txt:3:"), std::string::npos) << e.what();
  }
  try {
    parse_targets("postgresql://u:topsecret@h/x trailing\n", "f.txt");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("f.txt:1: more text after the URL"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("topsecret"), std::string::npos);
  }
}

TEST(Targets, RedactRemovesThePasswordEverywhere) {
  std::string url = "postgresql://u:s3cr%40t@h/db";  // "s3cr@t", URI-encoded
  auto text = redact("failed for s3cr@t at postgresql://v:other@h/x and password=abc; ok", url);
  EXPECT_EQ(text.find("s3cr@t"), std::string::npos) << text;
  EXPECT_EQ(text.find("other"), std::string::npos) << text;
  EXPECT_EQ(text.find("abc"), std::string::npos) << text;
  EXPECT_NE(text.find("postgresql://v:***@h/x"), std::string::npos) << text;
  EXPECT_EQ(database_name("postgresql://u@h:1/name_here"), "name_here");
  EXPECT_EQ(database_name("host=h dbname=kv_name"), "kv_name");
}

TEST(Retarget, QualifiedNamesInTypesAndExpressions) {
  EXPECT_EQ(retarget_qualified_names("tmpl.kind[]", "tmpl", "t_1"), "t_1.kind[]");
  EXPECT_EQ(retarget_qualified_names("'a'::tmpl.kind", "tmpl", "Tenant One"),
            "'a'::\"Tenant One\".kind");
  EXPECT_EQ(retarget_qualified_names("\"tmpl\".f(x) + xtmpl.y + 'tmpl.z'", "tmpl", "t2"),
            "t2.f(x) + xtmpl.y + 'tmpl.z'");
  EXPECT_EQ(retarget_qualified_names("\"My Tmpl\".k", "My Tmpl", "t3"), "t3.k");
  EXPECT_EQ(retarget_qualified_names("other.kind", "tmpl", "t3"), "other.kind");
  // A serial's default names its sequence in a literal cast to regclass.
  EXPECT_EQ(retarget_qualified_names("nextval('tmpl.s'::regclass)", "tmpl", "t_1"),
            "nextval('t_1.s'::regclass)");
  EXPECT_EQ(retarget_qualified_names("nextval('\"tmpl\".\"s q\"'::regclass)", "tmpl", "it's"),
            "nextval('\"it''s\".\"s q\"'::regclass)");
  EXPECT_EQ(retarget_qualified_names("nextval('other.s'::regclass) || 'tmpl.s'", "tmpl", "t_1"),
            "nextval('other.s'::regclass) || 'tmpl.s'");
  EXPECT_EQ(retarget_qualified_names("NEXTVAL ( 'tmpl.s') + currval('tmpl.s')", "tmpl", "t_1"),
            "NEXTVAL ( 't_1.s') + currval('t_1.s')");
  EXPECT_EQ(retarget_qualified_names("lower('tmpl.s')", "tmpl", "t_1"), "lower('tmpl.s')");
  EXPECT_EQ(retarget_qualified_names("nextval('tmpl.s", "tmpl", "t_1"), "nextval('tmpl.s");
}

TEST(Retarget, OpsMoveToTheTenantSchema) {
  Table t;
  t.name = "items";
  Column k;
  k.name = "k";
  k.type = "tmpl.kind";
  k.default_expr = "'a'::tmpl.kind";
  t.columns = {k};
  t.checks = {CheckConstraint{"k_check", "k <> 'b'::tmpl.kind"}};
  auto create = retarget(op::CreateTable{"tmpl", t}, "tmpl", "tenant_1");
  auto sql = joined_sql(create);
  EXPECT_NE(sql.find("CREATE TABLE \"tenant_1\".\"items\""), std::string::npos) << sql;
  EXPECT_NE(sql.find("tenant_1.kind DEFAULT 'a'::tenant_1.kind"), std::string::npos) << sql;
  EXPECT_NE(sql.find("'b'::tenant_1.kind"), std::string::npos) << sql;
  EXPECT_EQ(sql.find("tmpl"), std::string::npos) << sql;

  ForeignKey fk;
  fk.name = "fk";
  fk.columns = {"item"};
  fk.ref_table = {"tmpl", "items"};
  fk.ref_columns = {"id"};
  auto add_fk = retarget(op::AddForeignKey{{"tmpl", "refs"}, fk}, "tmpl", "tenant_1");
  EXPECT_EQ(std::get<op::AddForeignKey>(add_fk).table, (QualifiedName{"tenant_1", "refs"}));
  EXPECT_EQ(std::get<op::AddForeignKey>(add_fk).item.ref_table,
            (QualifiedName{"tenant_1", "items"}));
  // A reference to a shared schema stays where it is.
  fk.ref_table = {"public", "countries"};
  auto shared = retarget(op::AddForeignKey{{"tmpl", "refs"}, fk}, "tmpl", "tenant_1");
  EXPECT_EQ(std::get<op::AddForeignKey>(shared).item.ref_table.schema, "public");

  auto alter = retarget(
      op::AlterColumnType{
          {"tmpl", "items"}, "k", "tmpl.kind2", "tmpl.kind", "k::text::tmpl.kind2", std::nullopt},
      "tmpl", "t9");
  auto sql2 = joined_sql(alter);
  EXPECT_EQ(sql2.find("tmpl"), std::string::npos) << sql2;
  auto label =
      retarget(op::AddEnumLabel{{"tmpl", "kind"}, "c", std::nullopt, std::nullopt}, "tmpl", "t9");
  EXPECT_EQ(std::get<op::AddEnumLabel>(label).enum_name.schema, "t9");
  auto exec = retarget(op::Execute{"INSERT INTO tmpl.x VALUES (1)", std::nullopt}, "tmpl", "t9");
  EXPECT_EQ(std::get<op::Execute>(exec).sql_text,
            "INSERT INTO tmpl.x VALUES (1)");  // never rewritten
}

// A rename moves the schema it happens in; the names it changes are names, even when they are
// spelled like the template schema.
TEST(Retarget, RenamesMoveTheirSchemaNotTheirNames) {
  auto json = [](const Op& op) { return to_json(retarget(op, "tmpl", "t1")).dump(); };
  EXPECT_EQ(json(op::RenameSchema{"tmpl", "tmpl_old"}),
            R"({"op":"rename_schema","schema":"t1","to":"tmpl_old"})");
  EXPECT_EQ(json(op::RenameTable{{"tmpl", "tmpl"}, "tmpl"}),
            R"({"op":"rename_table","schema":"t1","table":"tmpl","to":"tmpl"})");
  EXPECT_EQ(json(op::RenameColumn{{"tmpl", "items"}, "tmpl", "tmpl2"}),
            R"({"op":"rename_column","schema":"t1","table":"items","from":"tmpl","to":"tmpl2"})");
  EXPECT_EQ(json(op::RenameEnum{{"tmpl", "kind"}, "tmpl"}),
            R"({"op":"rename_enum","schema":"t1","enum":"kind","to":"tmpl"})");
  EXPECT_EQ(json(op::RenameEnumLabel{{"tmpl", "kind"}, "tmpl", "b"}),
            R"({"op":"rename_enum_label","schema":"t1","enum":"kind","from":"tmpl","to":"b"})");
  EXPECT_EQ(json(op::RenameIndex{"tmpl", "tmpl", "idx"}),
            R"({"op":"rename_index","schema":"t1","from":"tmpl","to":"idx"})");
  EXPECT_EQ(json(op::RenameConstraint{{"tmpl", "items"}, "tmpl", "pk"}),
            R"({"op":"rename_constraint","schema":"t1","table":"items","from":"tmpl","to":"pk"})");
  // A rename in a shared schema stays there, and a revision holding it is refused.
  EXPECT_EQ(json(op::RenameIndex{"public", "tmpl", "idx"}),
            R"({"op":"rename_index","schema":"public","from":"tmpl","to":"idx"})");
  Revision r;
  r.id = "abc";
  r.file = "versions/abc_x.json";
  r.upgrade = {op::RenameColumn{{"public", "items"}, "a", "b"}};
  EXPECT_THROW(retarget(r, "tmpl", "t1"), Error);
}

TEST(Retarget, RevisionsThatChangeAnotherSchemaAreRefused) {
  Revision r;
  r.id = "abc";
  r.file = "versions/abc_x.json";
  r.upgrade = {op::CreateSchema{"tmpl"}, op::CreateEnum{"public", Enum{"shared", {"a"}}}};
  try {
    retarget(r, "tmpl", "t1");
    FAIL() << "an op on schema public was retargeted";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("revision abc (versions/abc_x.json): upgrade op #2"), std::string::npos) << m;
    EXPECT_NE(m.find("changes schema \"public\""), std::string::npos) << m;
  }
  r.upgrade.pop_back();
  auto moved = retarget(r, "tmpl", "t1");
  EXPECT_EQ(std::get<op::CreateSchema>(moved.upgrade[0]).schema, "t1");
}

TEST(Retarget, SchemaValue) {
  Schema s;
  Table t;
  t.name = "refs";
  ForeignKey fk;
  fk.name = "fk";
  fk.ref_table = {"tmpl", "items"};
  t.foreign_keys = {fk};
  s.schemas["tmpl"].name = "tmpl";
  s.schemas["tmpl"].tables["refs"] = t;
  s.schemas["public"].name = "public";
  auto moved = retarget(s, "tmpl", "t7");
  ASSERT_TRUE(moved.schemas.contains("t7"));
  EXPECT_FALSE(moved.schemas.contains("tmpl"));
  EXPECT_EQ(moved.schemas["t7"].name, "t7");
  EXPECT_EQ(moved.schemas["t7"].tables["refs"].foreign_keys[0].ref_table.schema, "t7");
  EXPECT_TRUE(moved.schemas.contains("public"));
}

std::vector<Target> targets(std::size_t n) {
  std::vector<Target> out;
  for (std::size_t i = 0; i < n; ++i)
    out.push_back({"t" + std::to_string(i), "host=h dbname=d" + std::to_string(i), {}});
  return out;
}

TEST(FleetScheduler, JobsBoundConcurrencyAndEveryTargetRunsOnce) {
  std::atomic<int> now{0}, peak{0}, calls{0};
  Fleet fleet({3, 0, false});
  auto results = fleet.run(targets(20),
                           [&](const Target&, CancelSlot&) {
                             int n = ++now;
                             for (int p = peak; n > p && !peak.compare_exchange_weak(p, n);) {
                             }
                             ++calls;
                             std::this_thread::sleep_for(std::chrono::milliseconds(5));
                             --now;
                             return TargetOutcome{};
                           },
                           {});
  EXPECT_EQ(calls, 20);
  EXPECT_EQ(peak, 3);
  ASSERT_EQ(results.size(), 20u);
  for (std::size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].name, "t" + std::to_string(i));
    EXPECT_EQ(results[i].status, TargetStatus::ok);
  }
}

TEST(FleetScheduler, TargetsInOneDatabaseTakeTurns) {
  // Tenant schemas: two databases, six schemas each, four jobs.
  std::vector<Target> tenants;
  for (int i = 0; i < 12; ++i)
    tenants.push_back(
        {"s" + std::to_string(i), i % 2 ? "dbname=a" : "dbname=b", "tenant_" + std::to_string(i)});
  std::mutex m;
  std::map<std::string, int> busy;
  int overlap = 0, peak = 0, now = 0;
  auto results = Fleet({4, 0, false})
                     .run(tenants,
                          [&](const Target& t, CancelSlot&) {
                            {
                              std::lock_guard lock(m);
                              if (++busy[t.url] > 1) ++overlap;
                              peak = std::max(peak, ++now);
                            }
                            std::this_thread::sleep_for(std::chrono::milliseconds(5));
                            std::lock_guard lock(m);
                            --busy[t.url];
                            --now;
                            return TargetOutcome{};
                          },
                          {});
  EXPECT_EQ(overlap, 0);
  EXPECT_EQ(peak, 2);  // one per database
  for (const auto& r : results) EXPECT_EQ(r.status, TargetStatus::ok);
}

TEST(FleetScheduler, FailingCanaryStartsNothingElse) {
  std::atomic<int> calls{0};
  Fleet fleet({4, 2, true});  // even with --continue-on-error
  auto results = fleet.run(targets(10),
                           [&](const Target& t, CancelSlot&) -> TargetOutcome {
                             ++calls;
                             if (t.name == "t1") throw Error("boom for host=h password=hunter2");
                             return {};
                           },
                           {});
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(results[0].status, TargetStatus::ok);
  EXPECT_EQ(results[1].status, TargetStatus::failed);
  EXPECT_TRUE(results[1].raised);
  EXPECT_EQ(results[1].error->find("hunter2"), std::string::npos) << *results[1].error;
  for (std::size_t i = 2; i < 10; ++i) {
    EXPECT_EQ(results[i].status, TargetStatus::skipped);
    EXPECT_EQ(*results[i].error, "not started: canary t1 failed");
  }
}

TEST(FleetScheduler, FailureStopsStartingUnlessContinueOnError) {
  auto task = [](const Target& t, CancelSlot&) -> TargetOutcome {
    if (t.name == "t2") throw Error("boom");
    TargetOutcome o;
    if (t.name == "t4") o.failure = "drift: 1 change(s)";
    return o;
  };
  auto stopped = Fleet({1, 0, false}).run(targets(6), task, {});
  EXPECT_EQ(stopped[1].status, TargetStatus::ok);
  EXPECT_EQ(stopped[2].status, TargetStatus::failed);
  for (std::size_t i = 3; i < 6; ++i) EXPECT_EQ(stopped[i].status, TargetStatus::skipped);
  auto all = Fleet({2, 0, true}).run(targets(6), task, {});
  EXPECT_EQ(all[2].status, TargetStatus::failed);
  EXPECT_EQ(all[4].status, TargetStatus::failed);
  EXPECT_FALSE(all[4].raised);
  EXPECT_EQ(*all[4].error, "drift: 1 change(s)");
  for (std::size_t i : {0u, 1u, 3u, 5u}) EXPECT_EQ(all[i].status, TargetStatus::ok);
}

TEST(FleetScheduler, InterruptCancelsRunningAndSkipsTheRest) {
  Fleet fleet({2, 0, false});
  std::atomic<int> cancels{0};
  std::atomic<int> started{0};
  Fleet::Callbacks cb;
  cb.tick = [&](const FleetProgress& p) {
    if (p.running == 2) fleet.interrupt();
  };
  auto results = fleet.run(
      targets(8),
      [&](const Target&, CancelSlot& slot) -> TargetOutcome {
        ++started;
        std::atomic<bool> cancelled{false};
        auto armed = slot.arm([&] {
          ++cancels;
          cancelled = true;
        });
        for (int i = 0; i < 500 && !cancelled; ++i)
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (cancelled) throw Error("canceling statement due to user request");
        return {};
      },
      cb);
  EXPECT_EQ(started, 2);
  EXPECT_GE(cancels, 2);
  EXPECT_EQ(results[0].status, TargetStatus::failed);
  EXPECT_EQ(results[1].status, TargetStatus::failed);
  for (std::size_t i = 2; i < 8; ++i) {
    EXPECT_EQ(results[i].status, TargetStatus::skipped);
    EXPECT_EQ(*results[i].error, "not started: interrupted");
  }
}

}  // namespace
