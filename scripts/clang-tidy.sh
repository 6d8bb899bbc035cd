#!/usr/bin/env bash
# clang-tidy over lib/ and tool/ with the checks in .clang-tidy (warnings are errors). Run by
# ctest as the `clang_tidy` test; by hand: scripts/clang-tidy.sh [BUILD_DIR].
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
[ -f "$build/compile_commands.json" ] || { echo "clang-tidy: no $build/compile_commands.json" >&2; exit 2; }
command -v run-clang-tidy >/dev/null || { echo "clang-tidy: run-clang-tidy not found (scripts/install-deps.sh)" >&2; exit 2; }
echo "clang-tidy: lib/ and tool/ ($(nproc) jobs)"
# GCC-only warning flags from the build are unknown to clang: not a finding.
run-clang-tidy -quiet -p "$build" -j "$(nproc)" -extra-arg=-Wno-unknown-warning-option \
  "$root/lib/src/.*\.cpp" "$root/tool/src/.*\.cpp" >"$build/clang-tidy.log" 2>&1 && status=0 || status=$?
grep -E "(warning|error): " "$build/clang-tidy.log" | sed 's/\x1b\[[0-9;]*m//g' | sort -u || true
[ $status -eq 0 ] && echo "clang-tidy: no findings" || echo "clang-tidy: findings above (log: $build/clang-tidy.log)"
exit $status
