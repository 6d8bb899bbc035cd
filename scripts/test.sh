#!/usr/bin/env bash
# Installs what is missing, builds what is stale, and runs the whole test suite (unit and
# integration; integration tests start their own throwaway PostgreSQL servers).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh"
cd "${RETORT_BUILD_DIR:-$root/build}"
ctest --output-on-failure -j "$(nproc)" "$@"
