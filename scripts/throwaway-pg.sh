#!/usr/bin/env bash
# A throwaway PostgreSQL server: initdb into a temporary directory, start on a free port on
# 127.0.0.1 (and a unix socket in that directory), and always remove it again.
#
#   throwaway-pg.sh start [--watch PID]   prints RETORT_PG_URL=... and RETORT_PG_DIR=... (eval-able);
#                                         with --watch, the server is removed when PID exits, however
#                                         it exits (crash and SIGKILL included)
#   throwaway-pg.sh stop DIR              stops the server started in DIR and removes DIR
#   throwaway-pg.sh run CMD [ARG...]      runs CMD with DATABASE_URL set to a fresh server, then
#                                         removes the server (on success, failure and Ctrl-C)
set -euo pipefail

die() { echo "throwaway-pg: $*" >&2; exit 2; }

bindir() {
  local d
  if command -v pg_config >/dev/null && d=$(pg_config --bindir 2>/dev/null) && [ -x "$d/initdb" ]; then
    echo "$d"; return
  fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && { echo "$d"; return; }
  done
  die "no PostgreSQL server binaries found (install Debian's 'postgresql' package: scripts/install-deps.sh)"
}

# The server refuses to run as root; run its programs as an unprivileged user then.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u "$PGUSER_OS" -- "$@"
  else
    "$@"
  fi
}

stop_server() {
  local dir=$1
  [ -d "$dir" ] || return 0
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$BIN/pg_ctl" -D "$dir/data" stop -m immediate -w >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

BIN=$(bindir)
PGUSER_OS=${RETORT_PG_OS_USER:-postgres}
if [ "$(id -u)" = 0 ] && ! id "$PGUSER_OS" >/dev/null 2>&1; then
  useradd --system --no-create-home "$PGUSER_OS" 2>/dev/null || die "cannot create user $PGUSER_OS"
fi

cmd=${1:-}
shift || true
case "$cmd" in
  start)
    watch=""
    if [ "${1:-}" = "--watch" ]; then watch=${2:?--watch needs a PID}; fi
    dir=$(mktemp -d "${TMPDIR:-/tmp}/retort-pg.XXXXXX")
    chmod 755 "$dir"
    if [ "$(id -u)" = 0 ]; then
      chown "$PGUSER_OS" "$dir"
      runuser -u "$PGUSER_OS" -- test -w "$dir" ||
        { rm -rf "$dir"; die "user $PGUSER_OS cannot reach $dir: use a TMPDIR others may enter"; }
    fi
    if ! as_owner "$BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C \
        >"$dir/initdb.log" 2>&1; then
      cat "$dir/initdb.log" >&2; rm -rf "$dir"; die "initdb failed"
    fi
    started=""
    for _ in 1 2 3 4 5 6 7 8; do
      port=$((20000 + RANDOM % 30000))
      if as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
          -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c max_locks_per_transaction=1024" \
          start >/dev/null 2>&1; then
        started=yes; break
      fi
    done
    if [ -z "$started" ]; then
      tail -n 20 "$dir/server.log" >&2 || true; rm -rf "$dir"; die "the server did not start"
    fi
    if [ -n "$watch" ]; then
      # A detached watchdog: removes the server once the watched process is gone.
      setsid bash -c 'while kill -0 "$1" 2>/dev/null && [ -d "$2" ]; do sleep 0.5; done; exec "$3" stop "$2"' \
        _ "$watch" "$dir" "$(readlink -f "$0")" </dev/null >/dev/null 2>&1 &
    fi
    echo "RETORT_PG_URL=postgresql://postgres@127.0.0.1:$port/postgres"
    echo "RETORT_PG_DIR=$dir"
    ;;
  stop)
    stop_server "${1:?stop needs the directory printed by start}"
    ;;
  run)
    [ $# -gt 0 ] || die "run needs a command"
    eval "$("$0" start --watch $$)"
    trap 'stop_server "$RETORT_PG_DIR"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    DATABASE_URL=$RETORT_PG_URL "$@"
    ;;
  *)
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
    [ -z "$cmd" ] || [ "$cmd" = "--help" ] || exit 2
    ;;
esac
