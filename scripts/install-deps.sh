#!/usr/bin/env bash
# Installs the Debian packages retort needs to build, test and benchmark, if any are missing.
# Idempotent: with everything present it only checks. As root it runs apt-get; otherwise it prints
# the exact command to run and stops.
set -euo pipefail

packages=(build-essential cmake pkg-config libpqxx-dev libpq-dev nlohmann-json3-dev libfmt-dev
  libboost-program-options-dev libgtest-dev libssl-dev postgresql postgresql-client socat
  graphviz libxml2-utils pgbouncer clang-tidy ccache)
# The benchmark also compares with Alembic; only its script asks for these.
[ "${1:-}" = "--bench" ] && packages+=(python3-alembic python3-sqlalchemy python3-psycopg2 time)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "retort needs these Debian packages: ${missing[*]}" >&2
  echo "run: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
