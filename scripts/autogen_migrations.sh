#!/usr/bin/env bash
# The daily job: compare the models with a development database and write a revision file into
# versions/ for review. See docs/migrations.md.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: scripts/autogen_migrations.sh -m "message" [options]

Builds build/retort if it is missing or stale (installing dependencies first), picks a database,
checks it is at the head revision, and writes versions/<rev>_<slug>.json with what the models
need. Prints the file, its operations, its warnings and what to do next; prints
"No changes detected" and writes nothing when models and database agree.

The database, first match wins:
  1. --url URL, or $DATABASE_URL
  2. a port-forward: --forward "CMD" or $RETORT_FORWARD, for example
       --forward "kubectl port-forward -n dev svc/postgres 15432:5432"
     It is started in the background; the script waits until the local port accepts connections
     (--forward-port, else the port of --forward-url, else the first LOCAL:REMOTE in CMD),
     connects with --forward-url
     (default postgresql://127.0.0.1:PORT/, user, password and database from PGUSER,
     PGPASSWORD, PGDATABASE), and stops the forward on every exit: success, failure, Ctrl-C.
  3. a throwaway local PostgreSQL, upgraded to head from versions/ first, removed afterwards.

options:
  -m, --message MSG     the revision's message (required)
  --url URL             the database to compare with
  --forward CMD         a port-forward command to start first
  --forward-port PORT   the local port the forward listens on
  --forward-url URL     the URL to connect to once the forward is up
  --timeout SECONDS     how long to wait for the forward's port (default 30)
  --versions DIR        the revision directory (default versions)
  --schema NAME         a schema to manage, repeatable (default: the models' schemas)
  -h, --help            this help

Environment: DATABASE_URL, RETORT_FORWARD, RETORT_FORWARD_PORT, RETORT_FORWARD_URL, PG*.
EOF
}

die() { echo "autogen_migrations: $*" >&2; exit 2; }

message="" url=${DATABASE_URL:-} forward=${RETORT_FORWARD:-} forward_port=${RETORT_FORWARD_PORT:-}
forward_url=${RETORT_FORWARD_URL:-} timeout=30 versions="" schemas=()
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
    -h|--help) usage; exit 0 ;;
    *) echo "autogen_migrations: unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done
[ -n "$message" ] || { echo "autogen_migrations: -m \"message\" is required" >&2; usage >&2; exit 2; }
[[ "$timeout" =~ ^[0-9]+$ ]] || die "--timeout must be a number of seconds"

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# RETORT_BIN: a retort binary to use as it is (the test suite runs the script with its own build).
if [ -n "${RETORT_BIN:-}" ]; then
  retort=("$RETORT_BIN")
else
  "$root/scripts/build.sh"
  retort=("${RETORT_BUILD_DIR:-$root/build}/retort")
fi
retort+=("${schemas[@]}")
[ -n "$versions" ] && retort+=(--versions "$versions")

forward_pid="" pg_dir=""
cleanup() {
  if [ -n "$forward_pid" ]; then
    kill -TERM -- "-$forward_pid" 2>/dev/null || kill -TERM "$forward_pid" 2>/dev/null || true
    wait "$forward_pid" 2>/dev/null || true
  fi
  [ -n "$pg_dir" ] && "$root/scripts/throwaway-pg.sh" stop "$pg_dir"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if [ -n "$url" ]; then
  echo "Database: $url" | sed -E 's#(://[^:/@]*:)[^@]*@#\1***@#'
elif [ -n "$forward" ]; then
  if [ -z "$forward_port" ] && [[ "$forward_url" =~ ^[a-z]+://[^/]*:([0-9]+)(/|$) ]]; then
    forward_port=${BASH_REMATCH[1]}
  fi
  if [ -z "$forward_port" ]; then
    forward_port=$(grep -oE '(^|[ =])[0-9]+:[0-9]+' <<<"$forward" | head -n1 | tr -d ' =' | cut -d: -f1 || true)
    [ -n "$forward_port" ] || die "cannot tell the forward's local port from \"$forward\": pass --forward-port"
  fi
  port_open "$forward_port" && die "port $forward_port is already in use; stop what holds it or pick another"
  echo "Starting port-forward: $forward"
  setsid bash -c "exec $forward" </dev/null >"${TMPDIR:-/tmp}/retort-forward.$$.log" 2>&1 &
  forward_pid=$!
  waited=0
  until port_open "$forward_port"; do
    if ! kill -0 "$forward_pid" 2>/dev/null; then
      cat "${TMPDIR:-/tmp}/retort-forward.$$.log" >&2
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
  if [ -n "$(ls "${versions:-versions}"/*.json 2>/dev/null)" ]; then
    echo "Upgrading it to head from ${versions:-versions}/"
    up=$("${retort[@]}" --url "$url" upgrade head 2>&1) || { echo "$up" >&2; exit 1; }
  fi
fi

# `revision --autogenerate` refuses, with the reason, when the database is not at the head
# revision or versions/ has several heads.
set +e
out=$("${retort[@]}" --url "$url" revision --autogenerate -m "$message" 2>&1)
status=$?
set -e
if [ $status -ne 0 ]; then
  echo "$out" >&2
  if grep -q "not at the head" <<<"$out"; then
    echo "To fix: bring the database to head first: build/retort --url URL upgrade head" >&2
  fi
  exit $status
fi
echo "$out"
if grep -q "^No changes detected" <<<"$out"; then exit 0; fi
cat <<'EOF'

Next steps:
  1. Review the file above: the operations, their order, and every warning.
  2. Try it: build/retort upgrade head, then build/retort downgrade -1 and upgrade again.
  3. Commit it together with the model change.
EOF
