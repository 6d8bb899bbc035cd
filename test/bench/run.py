#!/usr/bin/env python3
"""The benchmark suite: retort's commands against Alembic, as whole processes, on synthetic
schemas of N tables x 20 columns (an index and a foreign key each). Run it through run.sh.

  run.py RETORT_BINARY DATABASE_URL OUT_JSON [N ...]
  run.py RETORT_BINARY DATABASE_URL OUT_JSON fleet     (only the fleet figure, merged into OUT_JSON)
  run.py RETORT_BINARY DATABASE_URL OUT_JSON --baseline OTHER_BINARY [N ...]
      each stage of both binaries, their runs interleaved on the same server and data (a loaded
      machine slows both alike: the ratio is what counts); prints the comparison, writes nothing
"""
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
COLUMNS = 20


def timed(cmd, stdout=subprocess.DEVNULL):
    """Wall seconds and peak RSS (MiB) of one process."""
    # stderr goes to a file, not a pipe: a chatty process (Alembic warns per table) would fill
    # the pipe and block while we wait for it.
    with tempfile.TemporaryFile() as errfile:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=stdout, stderr=errfile)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        errfile.seek(0)
        err = errfile.read().decode(errors="replace")
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{err}")
    return wall, usage.ru_maxrss / 1024.0


def median_of(runs, cmd, before=None):
    return medians_of(runs, [cmd], [before])[0]


def medians_of(runs, cmds, befores):
    """One figure per command, their runs interleaved (a, b, a, b, ...): load on a shared machine
    then falls on all of them alike."""
    walls, rss = [[] for _ in cmds], [[] for _ in cmds]
    for _ in range(runs):
        for i, cmd in enumerate(cmds):
            if befores[i]:
                befores[i]()
            w, r = timed(cmd)
            walls[i].append(w)
            rss[i].append(r)
    return [{"median_ms": round(statistics.median(w) * 1000, 1), "peak_rss_mib": round(max(r), 1),
             "runs": runs} for w, r in zip(walls, rss)]


def psql(url, *args, **kw):
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url, *args], check=True, **kw)


def db_url(base, name):
    return base.rsplit("/", 1)[0] + "/" + name


def supports_no_verify(retort):
    """A retort from before verification (a --baseline) has no --no-verify."""
    out = subprocess.run([retort, "revision", "--help"], capture_output=True, text=True)
    return "--no-verify" in out.stdout + out.stderr


def bench(retorts, base_url, n, compare_only=False):
    """The stages for `retorts` (one binary, or the binary and a baseline, interleaved): the row
    of the first, with the others' figures under "baseline" when there are several."""
    # RETORT_BENCH_RUNS: more runs for a ratio of a few percent (medians of 5 vary by ~5%).
    runs = int(os.environ.get("RETORT_BENCH_RUNS", 5 if n <= 1000 else 3))
    name = f"bench_{n}"
    url = db_url(base_url, name)
    psql(base_url, "-c", f"DROP DATABASE IF EXISTS {name}", "-c", f"CREATE DATABASE {name}")
    work = tempfile.mkdtemp(prefix="retort-bench.")
    try:
        schema_sql = os.path.join(work, "schema.sql")
        with open(schema_sql, "w") as f:
            subprocess.run([sys.executable, os.path.join(HERE, "gen_schema.py"), "sql", str(n),
                            str(COLUMNS)], stdout=f, check=True)
        t0 = time.perf_counter()
        psql(url, "-1", "-f", schema_sql)
        load_s = time.perf_counter() - t0
        retort = retorts[0]
        r = ["--url", url, "--schema", "public"]
        base_json, target_json = os.path.join(work, "base.json"), os.path.join(work, "target.json")
        with open(base_json, "w") as f:
            subprocess.run([retort, *r, "inspect"], stdout=f, check=True)
        with open(target_json, "w") as f:
            subprocess.run([sys.executable, os.path.join(HERE, "gen_schema.py"), "change", base_json],
                           stdout=f, check=True)
        # A revision of everyday size: one table in a hundred changes.
        small_json = os.path.join(work, "target_small.json")
        with open(small_json, "w") as f:
            subprocess.run([sys.executable, os.path.join(HERE, "gen_schema.py"), "change", base_json,
                            "100"], stdout=f, check=True)
        catalog_sqls = []
        for i, binary in enumerate(retorts):
            catalog_sqls.append(os.path.join(work, f"catalog{i}.sql"))
            with open(catalog_sqls[-1], "w") as f:
                subprocess.run([binary, "--schema", "public", "inspect", "--catalog-sql"], stdout=f,
                               check=True)
        versions = [os.path.join(work, f"versions{i}") for i in range(len(retorts))]
        no_verify = [["--no-verify"] if supports_no_verify(b) else [] for b in retorts]

        def clearer(i):
            return lambda: shutil.rmtree(versions[i], ignore_errors=True)

        copies = [f"{name}_copy{i}" for i in range(len(retorts))]

        def fresh_copy(i):
            def make():
                psql(base_url, "-c", f"DROP DATABASE IF EXISTS {copies[i]}", "-c",
                     f"CREATE DATABASE {copies[i]} TEMPLATE {name}")
            return make

        def revision(i, *extra, target=target_json):
            return [retorts[i], *r, "--versions", versions[i], "revision", "--autogenerate", "-m",
                    "bench", "--target", target, *extra]

        each = range(len(retorts))
        none = [None] * len(retorts)
        stages = {
            "catalog_queries_psql": ([["psql", "-X", "-q", url, "-f", catalog_sqls[i], "-o",
                                       "/dev/null"] for i in each], none),
            "inspect": ([[retorts[i], *r, "inspect", "--format", "json"] for i in each], none),
            "diff": ([[retorts[i], *r, "diff", "--target", target_json] for i in each], none),
            "revision_autogenerate": ([revision(i) for i in each], [clearer(i) for i in each]),
            # What proving the plan (upgrade and downgrade applied, rolled back, read back) costs.
            "revision_autogenerate_no_verify": ([revision(i, *no_verify[i]) for i in each],
                                                [clearer(i) for i in each]),
            "revision_small_change": ([revision(i, target=small_json) for i in each],
                                      [clearer(i) for i in each]),
            "revision_small_change_no_verify": (
                [revision(i, *no_verify[i], target=small_json) for i in each],
                [clearer(i) for i in each]),
        }
        figures = {stage: medians_of(runs, cmds, befores) for stage, (cmds, befores) in
                   stages.items()}
        for i in each:
            clearer(i)()
            subprocess.run(revision(i), check=True, stdout=subprocess.DEVNULL)
        figures["upgrade"] = medians_of(
            runs, [[retorts[i], "--url", db_url(base_url, copies[i]), "--schema", "public",
                    "--versions", versions[i], "upgrade", "head"] for i in each],
            [fresh_copy(i) for i in each])
        for c in copies:
            psql(base_url, "-c", f"DROP DATABASE IF EXISTS {c}")

        row = {"tables": n, "columns": COLUMNS, "load_s": round(load_s, 1)}
        row.update({stage: f[0] for stage, f in figures.items()})
        row["verification_cost_pct"] = round(
            100 * (row["revision_autogenerate"]["median_ms"]
                   / row["revision_autogenerate_no_verify"]["median_ms"] - 1))
        row["verification_cost_small_change_pct"] = round(
            100 * (row["revision_small_change"]["median_ms"]
                   / row["revision_small_change_no_verify"]["median_ms"] - 1))
        if len(retorts) > 1:
            row["baseline"] = {stage: f[1] for stage, f in figures.items()}
        if compare_only:
            return row
        alembic_runs = 3 if n <= 100 else 1
        row["alembic_compare_metadata"] = median_of(
            alembic_runs, ["/usr/bin/python3", os.path.join(HERE, "alembic_compare.py"), url,
                           target_json])
        row["diff_vs_alembic"] = round(
            row["alembic_compare_metadata"]["median_ms"] / row["diff"]["median_ms"], 1)
        row["inspect_vs_catalog"] = round(
            row["inspect"]["median_ms"] / row["catalog_queries_psql"]["median_ms"], 2)
        return row
    finally:
        shutil.rmtree(work, ignore_errors=True)
        psql(base_url, "-c", f"DROP DATABASE IF EXISTS {name}")


def print_comparison(rows, retort, baseline):
    """Each stage: the binary, the baseline (runs interleaved) and their ratio."""
    print(f"this: {retort}\nbaseline: {baseline}")
    print("| tables | stage | this | baseline | this / baseline |")
    print("|---|---|---|---|---|")
    for row in rows:
        for stage, base in row["baseline"].items():
            mine = row[stage]["median_ms"]
            print(f'| {row["tables"]} | {stage} | {mine} ms | {base["median_ms"]} ms | '
                  f'{mine / base["median_ms"]:.2f} |')
        print(f'| {row["tables"]} | verification, every table changed | '
              f'+{row["verification_cost_pct"]}% | | |')
        print(f'| {row["tables"]} | verification, one table in 100 changed | '
              f'+{row["verification_cost_small_change_pct"]}% | | |')


def bench_revisions(retort, url, count=1000):
    """`heads` and `current` with a versions/ directory of `count` chained revisions."""
    work = tempfile.mkdtemp(prefix="retort-bench-revisions.")
    try:
        prev = None
        for i in range(count):
            rid = f"{i:012x}"
            rev = {"revision": rid, "down_revision": prev, "message": f"revision {i}",
                   "created_at": "2026-01-01T00:00:00Z",
                   "upgrade": [{"op": "execute", "sql": f"SELECT {i}", "down_sql": None}],
                   "downgrade": [], "warnings": []}
            with open(os.path.join(work, f"{rid}_revision_{i}.json"), "w") as f:
                json.dump(rev, f, indent=2)
            prev = rid
        r = [retort, "--url", url, "--versions", work, "--schema", "public"]
        subprocess.run([*r, "stamp", "head"], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        return {"revisions": count, "heads": median_of(5, [*r, "heads"]),
                "current": median_of(5, [*r, "current"])}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench_fleet(retort, base_url, count=200, jobs_list=(1, 4, 8), runs=3):
    """One small revision applied to `count` databases with --targets, at several --jobs."""
    work = tempfile.mkdtemp(prefix="retort-bench-fleet.")
    names = [f"fleet_{i}" for i in range(count)]
    try:
        create = "SET client_min_messages = warning;\n" + "".join(
            f"DROP DATABASE IF EXISTS {n}; CREATE DATABASE {n} TEMPLATE template0;\n" for n in names)
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", base_url], input=create.encode(),
                       check=True)
        targets = os.path.join(work, "targets.txt")
        with open(targets, "w") as f:
            for n in names:
                f.write(f"{n} {db_url(base_url, n)}\n")
        versions = os.path.join(work, "versions")
        os.mkdir(versions)
        table = {"name": "items", "columns": [{"name": "id", "type": "integer", "nullable": False},
                                              {"name": "name", "type": "text", "nullable": True}],
                 "primary_key": {"name": "items_pkey", "columns": ["id"]}}
        rev = {"revision": "f1ee7f1ee7f1", "down_revision": None, "message": "items",
               "created_at": "2026-01-01T00:00:00Z",
               "upgrade": [{"op": "create_table", "schema": "public", "table": table}],
               "downgrade": [{"op": "drop_table", "schema": "public", "table": table}],
               "warnings": []}
        with open(os.path.join(versions, "f1ee7f1ee7f1_items.json"), "w") as f:
            json.dump(rev, f, indent=2)
        fleet = [retort, "--versions", versions, "--schema", "public", "--targets", targets]
        report = os.path.join(work, "report.json")
        out = {"databases": count, "revision": "one create_table (2 columns, a primary key)",
               "runs": runs, "jobs": []}
        for jobs in jobs_list:
            walls, per_target = [], []
            for _ in range(runs):
                subprocess.run([*fleet, "--jobs", "8", "downgrade", "base"], check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                wall, _ = timed([*fleet, "--jobs", str(jobs), "--report", report, "upgrade"])
                with open(report) as f:
                    targets_done = json.load(f)["targets"]
                if any(t["status"] != "ok" for t in targets_done):
                    raise SystemExit(f"fleet bench: not every target upgraded: {report}")
                walls.append(wall)
                per_target.append(statistics.median(t["seconds"] for t in targets_done))
            out["jobs"].append({"jobs": jobs, "wall_ms": round(statistics.median(walls) * 1000, 1),
                                "per_target_median_ms": round(statistics.median(per_target) * 1000, 1),
                                "targets_per_s": round(count / statistics.median(walls), 1)})
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)
        drop = "".join(f"DROP DATABASE IF EXISTS {n};\n" for n in names)
        subprocess.run(["psql", "-X", "-q", base_url], input=drop.encode(), check=False)


def print_fleet(fleet):
    print(f'\nfleet: {fleet["databases"]} databases, {fleet["revision"]}, median of {fleet["runs"]}')
    print("| --jobs | wall | per target (median) | targets/s |")
    print("|---|---|---|---|")
    for j in fleet["jobs"]:
        print(f'| {j["jobs"]} | {j["wall_ms"]} ms | {j["per_target_median_ms"]} ms | '
              f'{j["targets_per_s"]} |')


def main():
    retort, url, out = sys.argv[1], sys.argv[2], sys.argv[3]
    if sys.argv[4:5] == ["--baseline"]:
        if len(sys.argv) < 6:
            raise SystemExit("--baseline needs the path of another retort binary")
        baseline = sys.argv[5]
        sizes = [int(a) for a in sys.argv[6:]] or [1000]
        rows = []
        for n in sizes:
            print(f"benchmarking {n} tables, against {baseline} ...", file=sys.stderr, flush=True)
            rows.append(bench([retort, baseline], url, n, compare_only=True))
        print_comparison(rows, retort, baseline)
        return
    if sys.argv[4:] == ["fleet"]:
        print("benchmarking a fleet of 200 databases ...", file=sys.stderr, flush=True)
        result = {}
        if os.path.exists(out):
            with open(out) as f:
                result = json.load(f)
        result["fleet"] = bench_fleet(retort, url)
        result["fleet"]["date"] = time.strftime("%Y-%m-%d")
        with open(out, "w") as f:
            json.dump(result, f, indent=2)
            f.write("\n")
        print_fleet(result["fleet"])
        return
    sizes = [int(a) for a in sys.argv[4:]] or [100, 1000, 10000]
    rows = []
    for n in sizes:
        print(f"benchmarking {n} tables ...", file=sys.stderr, flush=True)
        rows.append(bench([retort], url, n))
    revisions = bench_revisions(retort, url)
    print("benchmarking a fleet of 200 databases ...", file=sys.stderr, flush=True)
    fleet = bench_fleet(retort, url)
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    # Sizes not run this time keep their earlier rows (each with its own "date").
    for r in rows:
        r["date"] = time.strftime("%Y-%m-%d")
    if os.path.exists(out):
        with open(out) as f:
            kept = [r for r in json.load(f).get("rows", []) if r["tables"] not in sizes]
        rows = sorted(kept + rows, key=lambda r: r["tables"])
    result = {"machine": f"{os.cpu_count()} cores, {cpu}, {platform.system()} {platform.release()}",
              "date": time.strftime("%Y-%m-%d"), "rows": rows, "revisions": revisions, "fleet": fleet}
    with open(out, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    cols = [("tables", lambda r: str(r["tables"])),
            ("catalog (psql)", lambda r: f'{r["catalog_queries_psql"]["median_ms"]} ms'),
            ("inspect", lambda r: f'{r["inspect"]["median_ms"]} ms / {r["inspect"]["peak_rss_mib"]} MiB'),
            ("diff", lambda r: f'{r["diff"]["median_ms"]} ms / {r["diff"]["peak_rss_mib"]} MiB'),
            ("revision --autogenerate", lambda r: f'{r["revision_autogenerate"]["median_ms"]} ms / {r["revision_autogenerate"]["peak_rss_mib"]} MiB'),
            ("verification", lambda r: f'+{r["verification_cost_pct"]}% (--no-verify {r["revision_autogenerate_no_verify"]["median_ms"]} ms)'
             if "verification_cost_pct" in r else "-"),
            ("verification, 1 table in 100 changed", lambda r: f'+{r["verification_cost_small_change_pct"]}% (--no-verify {r["revision_small_change_no_verify"]["median_ms"]} ms)'
             if "verification_cost_small_change_pct" in r else "-"),
            ("upgrade", lambda r: f'{r["upgrade"]["median_ms"]} ms / {r["upgrade"]["peak_rss_mib"]} MiB'),
            ("Alembic compare_metadata", lambda r: f'{r["alembic_compare_metadata"]["median_ms"]} ms'),
            ("diff vs Alembic", lambda r: f'{r["diff_vs_alembic"]}x faster'),
            ("inspect / catalog", lambda r: f'{r["inspect_vs_catalog"]}x')]
    print(f"machine: {result['machine']}")
    print("| " + " | ".join(c for c, _ in cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        print("| " + " | ".join(f(r) for _, f in cols) + " |")
    print(f'\n{revisions["revisions"]} revisions: heads {revisions["heads"]["median_ms"]} ms, '
          f'current {revisions["current"]["median_ms"]} ms')
    print_fleet(fleet)


if __name__ == "__main__":
    main()
