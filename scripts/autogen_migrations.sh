#!/usr/bin/env bash
# The daily job: compare the models with a development database and write a revision file into
# versions/ for review. Works from an application's repository (retort.ini) and inside retort's
# own tree. See docs/adopting.md and docs/migrations.md.
set -euo pipefail

usage() {
  cat <<'EOF_USAGE'
usage: path/to/retort/scripts/autogen_migrations.sh -m "message" [options]

Run it in your repository: it finds retort.ini (this directory or the nearest parent; see
docs/adopting.md), rebuilds your CLI with retort.ini's `build` command, picks a database, checks
it is at the head revision, and writes <versions>/<rev>_<slug>.json with what your models need.
Prints the file, its operations, its warnings and what to do next; prints "No changes detected"
and writes nothing when models and database agree. Inside retort's own tree (no retort.ini) it
builds build/retort, the example club application's CLI, and uses versions/.

The database, first match wins:
  1. --url URL, or $DATABASE_URL
  2. a port-forward: --forward "CMD" (or $RETORT_FORWARD, or retort.ini's forward), for example
       --forward "kubectl port-forward -n dev svc/postgres 15432:5432"
     It is started in the background; the script waits until the local port accepts connections
     (--forward-port, else the port of --forward-url, else the first LOCAL:REMOTE in CMD),
     connects with --forward-url
     (default postgresql://127.0.0.1:PORT/, user, password and database from PGUSER,
     PGPASSWORD, PGDATABASE), and stops the forward on every exit: success, failure, Ctrl-C.
  3. a throwaway local PostgreSQL, upgraded to head from versions/ first, removed afterwards.

options (each overrides retort.ini):
  -m, --message MSG     the revision's message (required)
  --url URL             the database to compare with (never read from retort.ini)
  --forward CMD         a port-forward command to start first
  --forward-port PORT   the local port the forward listens on
  --forward-url URL     the URL to connect to once the forward is up
  --timeout SECONDS     how long to wait for the forward's port (default 30)
  --versions DIR        the revision directory (default: retort.ini's, else versions)
  --schema NAME         a schema to manage, repeatable (default: retort.ini's, else the models')
  --rename SPEC         plan a rename instead of drop + add, repeatable: schema.table.column=new,
                        schema.table=new (a table or enum type), old=new (a schema)
  --no-rename           plan every rename candidate as drop + add (values lost), without asking
  --online              online forms for existing tables (CREATE INDEX CONCURRENTLY, NOT VALID
                        then VALIDATE, ...; docs/migrations.md), as `online = true` in retort.ini
  -h, --help            this help

Environment: DATABASE_URL, RETORT_FORWARD, RETORT_FORWARD_PORT, RETORT_FORWARD_URL, PG*, TMPDIR;
inside retort's tree also RETORT_BUILD_DIR and RETORT_BIN (a prebuilt build/retort, refused when
older than a source file).
EOF_USAGE
}

die() { echo "autogen_migrations: $*" >&2; exit 2; }

message="" url=${DATABASE_URL:-} forward=${RETORT_FORWARD:-} forward_port=${RETORT_FORWARD_PORT:-}
forward_url=${RETORT_FORWARD_URL:-} timeout=30 versions="" schemas=() renames=()
while [ $# -gt 0 ]; do
  case "$1" in
    -m|--message) [ $# -ge 2 ] || die "$1 needs a value"; message=$2; shift 2 ;;
    --url) [ $# -ge 2 ] || die "$1 needs a value"; url=$2; shift 2 ;;
    --forward) [ $# -ge 2 ] || die "$1 needs a value"; forward=$2; shift 2 ;;
    --forward-port) [ $# -ge 2 ] || die "$1 needs a value"; forward_port=$2; shift 2 ;;
    --forward-url) [ $# -ge 2 ] || die "$1 needs a value"; forward_url=$2; shift 2 ;;
    --timeout) [ $# -ge 2 ] || die "$1 needs a value"; timeout=$2; shift 2 ;;
    --versions) [ $# -ge 2 ] || die "$1 needs a value"; versions=$2; shift 2 ;;
    --schema) [ $# -ge 2 ] || die "$1 needs a value"; schemas+=(--schema "$2"); shift 2 ;;
    --rename) [ $# -ge 2 ] || die "$1 needs a value"; renames+=(--rename "$2"); shift 2 ;;
    --rename=*) renames+=("$1"); shift ;;
    --no-rename) renames+=(--no-rename); shift ;;
    --online) renames+=(--online); shift ;;  # passed to revision like the rename options
    -h|--help) usage; exit 0 ;;
    *) echo "autogen_migrations: unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# ---- where we are: an application's repository (retort.ini) or retort's own tree ------------
find_ini() {
  local d=$PWD
  while :; do
    [ -f "$d/retort.ini" ] && { echo "$d/retort.ini"; return 0; }
    [ "$d" = / ] && return 1
    d=$(dirname "$d")
  done
}
# retort.ini's value of KEY (the last one wins, as the CLI reads it); every value for "schema".
ini_keys=() ini_values=()
read_ini() {
  local line key value n=0
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    line=${line%$'\r'}
    [[ "$line" =~ ^[[:space:]]*([#\;]|$) ]] && continue
    [[ "$line" == *=* ]] || die "$1:$n: expected key = value, got: $line"
    key=${line%%=*} value=${line#*=}
    key=$(sed -E 's/^[[:space:]]+|[[:space:]]+$//g' <<<"$key")
    value=$(sed -E 's/^[[:space:]]+|[[:space:]]+$//g' <<<"$value")
    case "$key" in
      url) die "$1: url is not allowed in the project file (no secrets in files): pass --url URL or set DATABASE_URL" ;;
      cli|build|versions|schema|forward|forward-port) ;;
      *) die "$1:$n: unknown key \"$key\" (its keys are versions, schema, cli, build, forward, forward-port)" ;;
    esac
    ini_keys+=("$key") ini_values+=("$value")
  done <"$1"
}
ini_get() {
  local i out=""
  for i in "${!ini_keys[@]}"; do [ "${ini_keys[$i]}" = "$1" ] && out=${ini_values[$i]}; done
  printf '%s' "$out"
}
abs_in() { case "$2" in /*) printf '%s' "$2" ;; *) printf '%s' "$1/$2" ;; esac; }

ini="" project_dir=""
if ini=$(find_ini); then
  project_dir=$(dirname "$ini")
  read_ini "$ini"
  [ -z "${RETORT_BIN:-}" ] || die "RETORT_BIN is for retort's own tree; $ini names your CLI (cli) and how to build it (build)"
  cli=$(ini_get cli) build_cmd=$(ini_get build)
  [ -n "$cli" ] || die "$ini has no cli = PATH (the CLI that retort_add_cli builds, e.g. build/myapp_retort)"
  [ -n "$build_cmd" ] || die "$ini has no build = COMMAND (e.g. cmake --build build --target myapp_retort): the CLI is rebuilt before every run so a revision never comes from stale models"
  cli=$(abs_in "$project_dir" "$cli")
  [ -n "$versions" ] || versions=$(ini_get versions)
  versions=$(abs_in "$project_dir" "${versions:-versions}")
  if [ ${#schemas[@]} -eq 0 ]; then
    for i in "${!ini_keys[@]}"; do
      [ "${ini_keys[$i]}" = schema ] && schemas+=(--schema "${ini_values[$i]}")
    done
  fi
  [ -n "$forward" ] || forward=$(ini_get forward)
  [ -n "$forward_port" ] || forward_port=$(ini_get forward-port)
else
  case "$PWD/" in
    "$root"/*) ;;
    *) die "no retort.ini in $PWD or any parent directory: run 'path/to/your_cli init' in your repository, or see docs/adopting.md" ;;
  esac
  # retort's own tree: the club application's build/retort and versions/, as always.
  cd "$root"
  project_dir=$root
  cli=${RETORT_BIN:-${RETORT_BUILD_DIR:-$root/build}/retort}
  versions=$(abs_in "$root" "${versions:-versions}")
fi

# ---- every argument is checked before anything is built or started --------------------------
[ -n "$message" ] || { echo "autogen_migrations: -m \"message\" is required" >&2; usage >&2; exit 2; }
[[ "$timeout" =~ ^[0-9]+$ ]] || die "--timeout must be a number of seconds"
[ -d "$versions" ] || die "the versions directory $versions does not exist (create it, or fix --versions / retort.ini)"
if [ -z "$url" ] && [ -n "$forward" ]; then
  if [ -z "$forward_port" ] && [[ "$forward_url" =~ ^[a-z]+://[^/]*:([0-9]+)(/|$) ]]; then
    forward_port=${BASH_REMATCH[1]}
  fi
  if [ -z "$forward_port" ]; then
    forward_port=$(grep -oE '(^|[ =])[0-9]+:[0-9]+' <<<"$forward" | head -n1 | tr -d ' =' | cut -d: -f1 || true)
    [ -n "$forward_port" ] || die "cannot tell the forward's local port from \"$forward\": pass --forward-port"
  fi
  [[ "$forward_port" =~ ^[0-9]+$ ]] || die "--forward-port must be a port number, not \"$forward_port\""
fi

# ---- cleanup on every exit -----------------------------------------------------------------
forward_pid="" pg_dir="" build_log="" forward_log=""
cleanup() {
  if [ -n "$forward_pid" ]; then
    kill -TERM -- "-$forward_pid" 2>/dev/null || kill -TERM "$forward_pid" 2>/dev/null || true
    wait "$forward_pid" 2>/dev/null || true
  fi
  [ -n "$pg_dir" ] && "$root/scripts/throwaway-pg.sh" stop "$pg_dir"
  [ -n "$build_log" ] && rm -f "$build_log"
  [ -n "$forward_log" ] && rm -f "$forward_log"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- build: the CLI must hold the models as they are now -------------------------------------
if [ -n "$ini" ]; then
  build_log=$(mktemp "${TMPDIR:-/tmp}/retort-build.XXXXXX")
  echo "building $(basename "$cli") (log: $build_log)"
  if ! (cd "$project_dir" && bash -c "$build_cmd") >"$build_log" 2>&1 </dev/null; then
    tail -n 40 "$build_log" >&2
    die "the build command failed: $build_cmd (in $project_dir)"
  fi
  [ -x "$cli" ] || die "$cli does not exist after '$build_cmd': fix cli or build in $ini"
elif [ -n "${RETORT_BIN:-}" ]; then
  # A prebuilt binary is only used when no C++ source it is built from is newer than it.
  [ -x "$cli" ] || die "RETORT_BIN=$cli is not an executable"
  newer=$(find "$root/lib" "$root/tool" "$root/models" -type f \( -name '*.cpp' -o -name '*.hpp' \) -newer "$cli" -print -quit 2>/dev/null || true)
  [ -z "$newer" ] || die "RETORT_BIN=$cli is older than $newer: rebuild it (or unset RETORT_BIN)"
else
  echo "building retort (log: ${RETORT_BUILD_DIR:-$root/build}/build.log)"
  "$root/scripts/build.sh"
fi
retort=("$cli" "${schemas[@]}" --versions "$versions")
models_name=$("$cli" --version | sed -nE 's/.*\(models: ([^)]*)\).*/\1/p')
tables=$("$cli" models --format sql | grep -c '^CREATE TABLE' || true)
echo "Models: ${models_name:-?} ($tables tables), built into $cli"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if [ -n "$url" ]; then
  echo "Database: $url" | sed -E 's#(://[^:/@]*:)[^@]*@#\1***@#'
elif [ -n "$forward" ]; then
  port_open "$forward_port" && die "port $forward_port is already in use; stop what holds it or pick another"
  echo "Starting port-forward: $forward"
  forward_log=$(mktemp "${TMPDIR:-/tmp}/retort-forward.XXXXXX")
  setsid bash -c "exec $forward" </dev/null >"$forward_log" 2>&1 &
  forward_pid=$!
  waited=0
  until port_open "$forward_port"; do
    if ! kill -0 "$forward_pid" 2>/dev/null; then
      cat "$forward_log" >&2
      forward_pid=""
      die "the port-forward exited before port $forward_port accepted connections"
    fi
    [ "$waited" -ge $((timeout * 10)) ] && die "port $forward_port did not accept connections within ${timeout}s (is the forward command right?)"
    sleep 0.1; waited=$((waited + 1))
  done
  url=${forward_url:-postgresql://127.0.0.1:$forward_port/}
  echo "Database: port-forward on 127.0.0.1:$forward_port"
else
  echo "Database: none given; starting a throwaway PostgreSQL"
  eval "$("$root/scripts/throwaway-pg.sh" start --watch $$)"
  pg_dir=$RETORT_PG_DIR
  url=$RETORT_PG_URL
  n=$(find "$versions" -maxdepth 1 -name '*.json' | wc -l)
  if [ "$n" -gt 0 ]; then
    echo "Upgrading it to head ($n revisions from $versions)"
    up=$("${retort[@]}" --url "$url" upgrade head 2>&1) || { echo "$up" >&2; exit 1; }
  fi
fi

# `revision --autogenerate` refuses, with the reason, when the database is not at the head
# revision or versions/ has several heads, or when rename candidates would lose rows and nobody
# can be asked. On a terminal it asks about rename candidates: its questions (stderr) and our
# input must reach the terminal, so only its stdout is captured then.
set +e
if [ -t 0 ] && [ -t 2 ]; then
  out=$(cd "$project_dir" && "${retort[@]}" --url "$url" revision --autogenerate -m "$message" \
    ${renames[@]+"${renames[@]}"})
else
  out=$(cd "$project_dir" && "${retort[@]}" --url "$url" revision --autogenerate -m "$message" \
    ${renames[@]+"${renames[@]}"} 2>&1)
fi
status=$?
set -e
if [ $status -ne 0 ]; then
  echo "$out" >&2
  if grep -q "not at the head" <<<"$out"; then
    echo "To fix: bring the database to head first: $cli --url URL upgrade head" >&2
  fi
  exit $status
fi
echo "$out"
if grep -q "^No changes detected" <<<"$out"; then exit 0; fi
cat <<EOF_NEXT

Next steps:
  1. Review the file above: the operations, their order, and every warning.
  2. Try it: $cli upgrade head, then $cli downgrade -1 and upgrade again.
  3. Commit it together with the model change.
EOF_NEXT
