#include "evolve.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "pg_server.hpp"
#include "retort/connection.hpp"
#include "retort/introspect.hpp"
#include "retort/snapshot.hpp"

namespace retort::test {

const std::vector<std::string>& evolve_scopes() {
  static const std::vector<std::string> scopes = {"public", "extra", "Weird Schema"};
  return scopes;
}

DbState state_of(const std::string& url) {
  auto c = connect(url);
  pqxx::read_transaction tx(*c);
  IntrospectOptions options;
  options.missing = MissingSchema::skip;
  auto schema = introspect(tx, evolve_scopes(), options);
  DbState state{dump(to_json(schema)), {}, {}};
  for (const auto& [sname, ns] : schema.schemas)
    for (const auto& [tname, t] : ns.tables) {
      auto row = tx.exec(
          "SELECT count(*), md5(coalesce(string_agg(r::text, ',' ORDER BY r::text), "
          "'')) FROM " +
          tx.quote_name(sname) + "." + tx.quote_name(tname) + " r")[0];
      state.rows[sname + "." + tname] = row[0].c_str();
      state.values[sname + "." + tname] = row[1].c_str();
    }
  return state;
}

std::string catalog(const std::string& url) { return state_of(url).catalog; }

ToolResult retort_on(const std::string& url, const std::string& versions,
                     std::vector<std::string> args) {
  std::vector<std::string> all = {"--url", url, "--versions", versions};
  for (const auto& s : evolve_scopes()) {
    all.push_back("--schema");
    all.push_back(s);
  }
  all.insert(all.end(), args.begin(), args.end());
  return run_retort(all);
}

std::vector<DiffWarning> diff_warnings(const std::string& url, const std::string& versions,
                                       const std::string& target,
                                       const std::vector<std::string>& args) {
  std::vector<std::string> all = {"diff", "--target", target, "--format", "json"};
  all.insert(all.end(), args.begin(), args.end());
  auto r = retort_on(url, versions, all);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  std::vector<DiffWarning> out;
  if (r.exit_code != 0) return out;
  auto j = nlohmann::json::parse(r.out);
  for (const auto& w : j.at("warnings"))
    out.push_back({w.at("kind").get<std::string>(), w.at("object").get<std::string>(),
                   w.at("message").get<std::string>()});
  return out;
}

namespace {

// The upgrade op names of the one revision file in `versions`, and each op's hazards.
std::vector<std::string> revision_ops(const std::string& versions,
                                      std::vector<std::string>* hazards) {
  std::vector<std::string> out;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(versions))
    if (e.path().extension() == ".json") files.push_back(e.path());
  EXPECT_EQ(files.size(), 1u) << "revision files in " << versions;
  if (files.size() != 1) return out;
  auto j = nlohmann::json::parse(read_text(files.front()));
  for (const auto& op : j.at("upgrade")) {
    out.push_back(op.at("op").get<std::string>());
    std::string line = out.back();
    if (op.contains("hazards"))
      for (const auto& h : op.at("hazards")) line += " " + h.get<std::string>();
    hazards->push_back(line);
  }
  return out;
}

}  // namespace

Evolved evolve(const Evolution& e) {
  Evolved seen;
  auto before = reused_database("before");
  exec_sql(before, e.before_sql);
  if (!e.rows_sql.empty()) exec_sql(before, e.rows_sql);
  auto versions = temp_dir("versions");
  std::string target, after;
  if (!e.after_sql.empty()) {
    after = reused_database("after");
    exec_sql(after, e.after_sql);
    target = after;
  } else {
    target = versions + ".target.json";
    write_text(target, e.after_snapshot);
  }
  auto [original, rows, values] = state_of(before);
  auto cleanup = [&] {
    if (after.empty()) std::filesystem::remove(target);
    std::filesystem::remove_all(versions);
  };

  seen.warnings = diff_warnings(before, versions, target, e.compare_args);
  auto with_args = [&](std::vector<std::string> args) {
    args.insert(args.end(), e.compare_args.begin(), e.compare_args.end());
    return args;
  };
  auto revision = with_args({"revision", "--autogenerate", "-m", "evolve", "--target", target});
  if (e.upgrade_fails || e.downgrade == Evolution::Downgrade::fails) {
    // Verification applies both to this very database first: what would fail is found now, and
    // nothing is written until --no-verify says so.
    auto refused = retort_on(before, versions, revision);
    EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
    EXPECT_NE(refused.err.find("verification failed: the "), std::string::npos) << refused.err;
    EXPECT_TRUE(std::filesystem::is_empty(versions)) << "a refused revision was written";
    revision.push_back("--no-verify");
  }
  auto rev = retort_on(before, versions, revision);
  EXPECT_EQ(rev.exit_code, 0) << rev.out << rev.err;
  if (!e.upgrade_fails && e.downgrade != Evolution::Downgrade::fails) {
    EXPECT_NE(rev.out.find("verified: upgrade reaches the target"), std::string::npos) << rev.out;
  }
  seen.revision_out = rev.out;
  seen.ops = revision_ops(versions, &seen.hazards);

  auto up = retort_on(before, versions, {"upgrade", "head"});
  if (e.upgrade_fails) {
    EXPECT_NE(up.exit_code, 0) << up.out << up.err;
    auto now = state_of(before);
    EXPECT_EQ(now.catalog, original) << "a failed upgrade changed the database";
    EXPECT_EQ(now.rows, rows);
    cleanup();
    return seen;
  }
  EXPECT_EQ(up.exit_code, 0) << up.out << up.err;
  auto [upgraded, now_rows, now_values] = state_of(before);
  // Renames change names, not contents: the same row contents, under whatever table names.
  if (e.values_kept) {
    std::multiset<std::string> was, is;
    for (const auto& [t, v] : values)
      if (rows.at(t) != "0") was.insert(v);
    for (const auto& [t, v] : now_values)
      if (now_rows.at(t) != "0") is.insert(v);
    EXPECT_EQ(is, was) << "the upgrade changed row contents";
  }
  if (!after.empty()) {
    EXPECT_EQ(upgraded, catalog(after));
  }
  for (const auto& [table, count] : rows) {
    if (now_rows.contains(table)) {
      EXPECT_EQ(now_rows[table], count) << table;
    }
  }
  auto check = retort_on(before, versions, with_args({"check", "--target", target}));
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;

  // The round trip drops what the upgrade added, values included: allowed here.
  auto down = retort_on(before, versions, {"downgrade", "base", "--allow-data-loss"});
  auto [downgraded, restored, restored_values] = state_of(before);
  if (e.values_kept && e.downgrade == Evolution::Downgrade::restores) {
    EXPECT_EQ(restored_values, values) << "the downgrade did not restore the row contents";
  }
  if (e.downgrade == Evolution::Downgrade::fails) {
    EXPECT_NE(down.exit_code, 0) << down.out << down.err;
    EXPECT_EQ(downgraded, upgraded) << "a failed downgrade changed the database";
  } else {
    EXPECT_EQ(down.exit_code, 0) << down.out << down.err;
    if (e.downgraded_sql.empty()) {
      EXPECT_EQ(downgraded, original);
    } else {
      auto expected = reused_database("downgraded");
      exec_sql(expected, e.downgraded_sql);
      EXPECT_EQ(downgraded, catalog(expected));
    }
  }
  // Rows of tables that survived the round trip are all there (a dropped table's rows are gone,
  // which its warning says).
  for (const auto& [table, count] : rows) {
    if (now_rows.contains(table) && restored.contains(table)) {
      EXPECT_EQ(restored[table], count) << table;
    }
  }
  cleanup();
  return seen;
}

}  // namespace retort::test
