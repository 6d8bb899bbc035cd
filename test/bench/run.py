#!/usr/bin/env python3
"""The benchmark suite: retort's commands against Alembic, as whole processes, on synthetic
schemas of N tables x 20 columns (an index and a foreign key each). Run it through run.sh.

  run.py RETORT_BINARY DATABASE_URL OUT_JSON [N ...]
  run.py RETORT_BINARY DATABASE_URL OUT_JSON fleet     (only the fleet figure, merged into OUT_JSON)
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
    walls, rss = [], []
    for _ in range(runs):
        if before:
            before()
        w, r = timed(cmd)
        walls.append(w)
        rss.append(r)
    return {"median_ms": round(statistics.median(walls) * 1000, 1), "peak_rss_mib": round(max(rss), 1),
            "runs": runs}


def psql(url, *args, **kw):
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url, *args], check=True, **kw)


def db_url(base, name):
    return base.rsplit("/", 1)[0] + "/" + name


def bench(retort, base_url, n):
    runs = 5 if n <= 1000 else 3
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
        r = ["--url", url, "--schema", "public"]
        base_json, target_json = os.path.join(work, "base.json"), os.path.join(work, "target.json")
        with open(base_json, "w") as f:
            subprocess.run([retort, *r, "inspect"], stdout=f, check=True)
        with open(target_json, "w") as f:
            subprocess.run([sys.executable, os.path.join(HERE, "gen_schema.py"), "change", base_json],
                           stdout=f, check=True)
        catalog_sql = os.path.join(work, "catalog.sql")
        with open(catalog_sql, "w") as f:
            subprocess.run([retort, "--schema", "public", "inspect", "--catalog-sql"], stdout=f,
                           check=True)

        row = {"tables": n, "columns": COLUMNS, "load_s": round(load_s, 1)}
        row["catalog_queries_psql"] = median_of(
            runs, ["psql", "-X", "-q", url, "-f", catalog_sql, "-o", "/dev/null"])
        row["inspect"] = median_of(runs, [retort, *r, "inspect", "--format", "json"])
        row["diff"] = median_of(runs, [retort, *r, "diff", "--target", target_json])
        versions = os.path.join(work, "versions")

        def clear_versions():
            shutil.rmtree(versions, ignore_errors=True)

        row["revision_autogenerate"] = median_of(
            runs, [retort, *r, "--versions", versions, "revision", "--autogenerate", "-m", "bench",
                   "--target", target_json], before=clear_versions)
        # What proving the plan (upgrade and downgrade applied, rolled back, read back) costs.
        row["revision_autogenerate_no_verify"] = median_of(
            runs, [retort, *r, "--versions", versions, "revision", "--autogenerate", "-m", "bench",
                   "--target", target_json, "--no-verify"], before=clear_versions)
        row["verification_cost_pct"] = round(
            100 * (row["revision_autogenerate"]["median_ms"]
                   / row["revision_autogenerate_no_verify"]["median_ms"] - 1))
        clear_versions()
        subprocess.run([retort, *r, "--versions", versions, "revision", "--autogenerate", "-m",
                        "bench", "--target", target_json], check=True, stdout=subprocess.DEVNULL)
        copy = f"{name}_copy"
        copy_url = db_url(base_url, copy)

        def fresh_copy():
            psql(base_url, "-c", f"DROP DATABASE IF EXISTS {copy}", "-c",
                 f"CREATE DATABASE {copy} TEMPLATE {name}")

        row["upgrade"] = median_of(runs, [retort, "--url", copy_url, "--schema", "public",
                                          "--versions", versions, "upgrade", "head"],
                                   before=fresh_copy)
        psql(base_url, "-c", f"DROP DATABASE IF EXISTS {copy}")
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
        rows.append(bench(retort, url, n))
    revisions = bench_revisions(retort, url)
    print("benchmarking a fleet of 200 databases ...", file=sys.stderr, flush=True)
    fleet = bench_fleet(retort, url)
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
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
            ("verification", lambda r: f'+{r["verification_cost_pct"]}% (--no-verify {r["revision_autogenerate_no_verify"]["median_ms"]} ms)'),
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
