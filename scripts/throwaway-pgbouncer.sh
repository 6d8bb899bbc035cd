#!/usr/bin/env bash
# A throwaway PgBouncer in front of a (throwaway) PostgreSQL server, for the tests.
#
#   throwaway-pgbouncer.sh start HOST PORT [--mode transaction|session] [--watch PID]
#       prints RETORT_BOUNCER_PORT=... and RETORT_BOUNCER_DIR=...; every database of the server is
#       reachable as postgresql://postgres@127.0.0.1:$RETORT_BOUNCER_PORT/<db>; with --watch, it is
#       removed when PID exits, however it exits
#   throwaway-pgbouncer.sh stop DIR
set -euo pipefail

die() { echo "throwaway-pgbouncer: $*" >&2; exit 2; }

BIN=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
[ -x "$BIN" ] || die "pgbouncer is not installed (Debian's 'pgbouncer' package: scripts/install-deps.sh)"
OS_USER=${RETORT_PG_OS_USER:-postgres}

# PgBouncer refuses to run as root.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$OS_USER" -- "$@"; else "$@"; fi
}

stop_bouncer() {
  local dir=$1
  [ -d "$dir" ] || return 0
  local pid
  pid=$(cat "$dir/pgbouncer.pid" 2>/dev/null || true)
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
  fi
  rm -rf "$dir"
}

cmd=${1:-}
shift || true
case "$cmd" in
  start)
    host=${1:?start needs HOST PORT}; server_port=${2:?start needs HOST PORT}; shift 2
    mode=transaction; watch=""
    while [ $# -gt 0 ]; do
      case "$1" in
        --mode) mode=$2; shift 2 ;;
        --watch) watch=$2; shift 2 ;;
        *) die "unknown argument $1" ;;
      esac
    done
    dir=$(mktemp -d "${TMPDIR:-/tmp}/retort-bouncer.XXXXXX")
    chmod 755 "$dir"
    [ "$(id -u)" = 0 ] && chown "$OS_USER" "$dir"
    echo '"postgres" ""' >"$dir/users.txt"
    started=""
    for _ in 1 2 3 4 5 6 7 8; do
      port=$((20000 + RANDOM % 30000))
      cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = host=$host port=$server_port
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/users.txt
pool_mode = $mode
default_pool_size = 4
max_client_conn = 100
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
      [ "$(id -u)" = 0 ] && chown "$OS_USER" "$dir/pgbouncer.ini" "$dir/users.txt"
      if as_owner "$BIN" -d "$dir/pgbouncer.ini" >/dev/null 2>&1; then
        for _ in $(seq 50); do
          if (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then started=yes; break; fi
          sleep 0.1
        done
        [ -n "$started" ] && break
        pid=$(cat "$dir/pgbouncer.pid" 2>/dev/null || true)
        [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
      fi
    done
    if [ -z "$started" ]; then
      tail -n 20 "$dir/pgbouncer.log" >&2 2>/dev/null || true; rm -rf "$dir"; die "pgbouncer did not start"
    fi
    if [ -n "$watch" ]; then
      setsid bash -c 'while kill -0 "$1" 2>/dev/null && [ -d "$2" ]; do sleep 0.5; done; exec "$3" stop "$2"' \
        _ "$watch" "$dir" "$(readlink -f "$0")" </dev/null >/dev/null 2>&1 &
    fi
    echo "RETORT_BOUNCER_PORT=$port"
    echo "RETORT_BOUNCER_DIR=$dir"
    ;;
  stop)
    stop_bouncer "${1:?stop needs the directory printed by start}"
    ;;
  *)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    [ -z "$cmd" ] || [ "$cmd" = "--help" ] || exit 2
    ;;
esac
