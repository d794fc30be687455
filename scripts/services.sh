#!/usr/bin/env bash
# Make PostgreSQL and Redis reachable at DATABASE_URL / REDIS_URL (defaults: the local ones).
# Uses running servers, starts installed ones, and on a Debian machine without them installs them with apt-get.
# Idempotent. Exits non-zero with a message naming the service when it cannot.
set -euo pipefail

DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/equilab}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"

say() { echo "services: $*"; }
die() { echo "services: error: $*" >&2; exit 1; }

# host and port of a URL like scheme://[user[:pw]@]host[:port][/db]
url_host() { local rest="${1#*://}"; rest="${rest#*@}"; rest="${rest%%/*}"; echo "${rest%%:*}"; }
url_port() { local rest="${1#*://}"; rest="${rest#*@}"; rest="${rest%%/*}"; [[ "$rest" == *:* ]] && echo "${rest##*:}" || echo "$2"; }

reachable() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }
is_local() { [[ "$1" == "127.0.0.1" || "$1" == "localhost" || "$1" == "::1" ]]; }

wait_for() { # name host port seconds
  local i
  for ((i = 0; i < $4 * 5; i++)); do reachable "$2" "$3" && return 0; sleep 0.2; done
  return 1
}

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "need root to run: $*"; fi; }

apt_updated=0
apt_install() {
  command -v apt-get >/dev/null || die "$1 is not installed and this is not a Debian/Ubuntu machine (no apt-get); install $1 or set the URL to a running server"
  if [[ $apt_updated -eq 0 ]]; then as_root apt-get update -qq; apt_updated=1; fi
  say "installing $* with apt-get"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_postgres() {
  local host port; host=$(url_host "$DATABASE_URL"); port=$(url_port "$DATABASE_URL" 5432)
  if reachable "$host" "$port"; then say "PostgreSQL reachable at $host:$port"; return; fi
  is_local "$host" || die "PostgreSQL at $host:$port (DATABASE_URL) is not reachable and is not local: start it there"
  local fresh=0
  if ! command -v pg_ctlcluster >/dev/null || [[ -z "$(ls /etc/postgresql 2>/dev/null)" ]]; then
    apt_install postgresql; fresh=1
  fi
  local version; version=$(ls /etc/postgresql | sort -V | tail -n 1)
  if [[ $fresh -eq 1 ]]; then
    # A development machine: let local TCP clients in as in the default URL (user postgres, no password).
    local hba="/etc/postgresql/$version/main/pg_hba.conf"
    as_root sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
    as_root sed -i -E "s/^#?port = .*/port = $port/" "/etc/postgresql/$version/main/postgresql.conf"
  fi
  say "starting PostgreSQL $version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_for PostgreSQL "$host" "$port" 30 || die "PostgreSQL did not come up on $host:$port (see /var/log/postgresql/)"
  say "PostgreSQL up at $host:$port"
}

ensure_redis() {
  local host port; host=$(url_host "$REDIS_URL"); port=$(url_port "$REDIS_URL" 6379)
  if reachable "$host" "$port"; then say "Redis reachable at $host:$port"; return; fi
  is_local "$host" || die "Redis at $host:$port (REDIS_URL) is not reachable and is not local: start it there"
  command -v redis-server >/dev/null || apt_install redis-server
  say "starting Redis"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$port" --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/equilab.log
  wait_for Redis "$host" "$port" 20 || die "Redis did not come up on $host:$port (see /var/log/redis/equilab.log)"
  say "Redis up at $host:$port"
}

ensure_postgres
ensure_redis
