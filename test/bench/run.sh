#!/usr/bin/env bash
# The benchmark suite, one command from a fresh clone:
#   test/bench/run.sh [N ...]        (default: 100 1000 10000 tables of 20 columns)
#   test/bench/run.sh fleet          (only the fleet figure: 200 databases, --jobs 1, 4, 8)
#   test/bench/run.sh --baseline PATH [N ...]   (this build against another retort binary, runs
#                                    interleaved: the ratios per stage; writes nothing)
#   RETORT_BENCH_RUNS=N              runs per stage (default 5; 3 at 10,000 tables)
# Installs what it needs (Alembic from Debian included), builds a Release retort into
# build-bench/, starts a throwaway PostgreSQL, prints a table and writes test/bench/results.json.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
"$root/scripts/install-deps.sh" --bench
RETORT_BUILD_DIR="$root/build-bench" RETORT_BUILD_TYPE=Release "$root/scripts/build.sh"
exec "$root/scripts/throwaway-pg.sh" run bash -c \
  'python3 "$0/test/bench/run.py" "$0/build-bench/retort" "$DATABASE_URL" "$0/test/bench/results.json" "$@"' \
  "$root" "$@"
