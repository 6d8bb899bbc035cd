#!/usr/bin/env bash
# Builds build/retort (and the tests) if anything is stale, installing dependencies first.
#   RETORT_BUILD_DIR (default build), RETORT_BUILD_TYPE (default Release)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
build=${RETORT_BUILD_DIR:-$root/build}
# ccache: rebuilds after a checkout, and the consumer test's build of retort as a subproject,
# reuse what was compiled once.
launcher=()
[ -z "${CMAKE_CXX_COMPILER_LAUNCHER:-}" ] && command -v ccache >/dev/null &&
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE="${RETORT_BUILD_TYPE:-Release}" \
    -DRETORT_WERROR=ON "${launcher[@]}" "$@" >/dev/null
fi
cmake --build "$build" -j "$(nproc)" >"$build/build.log" 2>&1 || { cat "$build/build.log" >&2; exit 1; }
