#!/usr/bin/env bash
# Intention throughput (docs/PERFORMANCE.md): POST /v1/intention/open + /v1/intention/close pairs
# per second, with request latency p50/p99, beside GET /v1/health/ping in the same run, on
# SQLite and on PostgreSQL (a throwaway initdb cluster in a temporary directory), at 1, 8, 32
# and 128 connections. wrk -t1, RUNS runs of each measurement, alternating ping and pairs;
# medians. The intention is one backup action (token/self) opened by the ci-deployer account of
# tests/blackbox/intentions.json with the default TTL, closed with outcome success (so every
# pair also runs the graph update of a successful close).
# Targets: >= 5,000 pairs/s with p99 < 20 ms on SQLite; >= 2,500 pairs/s with p99 < 30 ms on
# PostgreSQL (32 connections, 2 cores).
# Builds nothing. Usage: bench/intention_bench.sh BUILD_DIR [sqlite|postgres|both]
# Environment: RUNS (3), DURATION (10s), CONNECTION_LIST ("1 8 32 128"), PORT (18191),
# PG_PORT (18192), PG_FSYNC (on), BROKER_THREADS (2).
set -euo pipefail
[[ $# -ge 1 ]] || { sed -n '2,15p' "$0"; exit 2; }
build_dir=$(cd "$1" && pwd)
engines=${2:-both}
here=$(cd "$(dirname "$0")" && pwd)
broker="$build_dir/src/app/broker"
runs=${RUNS:-3}
duration=${DURATION:-10s}
connection_list=${CONNECTION_LIST:-"1 8 32 128"}
port=${PORT:-18191}
pg_port=${PG_PORT:-18192}
pg_bin=${BROKER_PG_BINDIR:-/usr/lib/postgresql/15/bin}
url="http://127.0.0.1:$port"
work=$(mktemp -d)
chmod 755 "$work"

broker_pid=""
pg_data=""
cleanup() {
  if [[ -n "$broker_pid" ]]; then
    kill "$broker_pid" 2>/dev/null || true
    wait "$broker_pid" 2>/dev/null || true
  fi
  if [[ -n "$pg_data" ]]; then
    as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# PostgreSQL refuses to run as root.
as_postgres() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
. "$here/lib.sh"
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }

cat >"$work/latency.lua" <<'LUA'
function done(summary, latency, requests)
  io.write(string.format("rps=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.errors.status + summary.errors.connect +
    summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA

start_postgres() {
  pg_data="$work/pg"
  mkdir -p "$pg_data"
  if [[ $(id -u) -eq 0 ]]; then chown postgres "$pg_data"; fi
  as_postgres "$pg_bin/initdb" -D "$pg_data" -A trust -U postgres >"$work/initdb.log" 2>&1
  as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_data/server.log" -w -o \
    "-p $pg_port -k $pg_data -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-on} -c max_connections=200" \
    start >/dev/null
  as_postgres "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -qc 'CREATE DATABASE broker'
}

# start_broker DATA_DIR [--database URL]: import the fixture, issue a token, serve.
start_broker() {
  local data="$1"
  shift
  mkdir -p "$data"
  "$broker" import "$here/../tests/blackbox/intentions.json" --data-dir "$data" "$@" >/dev/null 2>&1
  BROKER_JWT=$("$broker" token generate ci-deployer --expiration 1d --no-vault --data-dir "$data" "$@" 2>/dev/null)
  export BROKER_JWT
  "$broker" serve --listen "127.0.0.1:$port" --data-dir "$data" --threads "${BROKER_THREADS:-2}" "$@" \
    >"$data/broker.log" 2>&1 &
  broker_pid=$!
  wait_for "$url/v1/health/ping"
}

stop_broker() {
  kill "$broker_pid"
  wait "$broker_pid" 2>/dev/null || true
  broker_pid=""
}

export INTENTION_BODY='{"event":{"provider":"bench","reason":"intention_bench.sh"},"actions":[{"action":"backup","id":"backup","provision":["token/self"],"service":{"name":"fluent-bit","project":"fluent","environment":"production"}}],"user":{"name":"henry"}}'

# measure ENGINE: prints one line per connection count.
measure() {
  local engine="$1" c i line
  # One pair by hand first, so a broken setup fails loudly instead of measuring errors.
  local opened
  opened=$(curl -sf -X POST -H "Authorization: Bearer $BROKER_JWT" -H 'Content-Type: application/json' \
    -d "$INTENTION_BODY" "$url/v1/intention/open")
  curl -sf -X POST -H "X-Broker-Token: $(jq -r .token <<<"$opened")" "$url/v1/intention/close" >/dev/null
  for c in $connection_list; do
    local pairs=() p50=() p99=() ping=() ping99=() errors=0
    for i in $(seq "$runs"); do
      line=$(wrk -t1 -c"$c" -d"$duration" -s "$work/latency.lua" "$url/v1/health/ping" | tail -n 1)
      ping+=("$(field rps <<<"$line")")
      ping99+=("$(field p99_ms <<<"$line")")
      line=$(wrk -t1 -c"$c" -d"$duration" -s "$here/intention_pairs.lua" "$url" | tail -n 1)
      pairs+=("$(field pairs_per_s <<<"$line")")
      p50+=("$(field p50_ms <<<"$line")")
      p99+=("$(field p99_ms <<<"$line")")
      errors=$((errors + $(field errors <<<"$line")))
      echo "  $engine c=$c run $i: ping ${ping[-1]} req/s; $line" >&2
    done
    printf '%-8s c=%-3s  pairs/s %6.0f  p50 %6.2f ms  p99 %6.2f ms  errors %d | ping %6.0f req/s p99 %5.2f ms\n' \
      "$engine" "$c" "$(median "${pairs[@]}")" "$(median "${p50[@]}")" "$(median "${p99[@]}")" \
      "$errors" "$(median "${ping[@]}")" "$(median "${ping99[@]}")"
  done
}

echo "wrk -t1 -d$duration, $runs runs each (medians), broker --threads ${BROKER_THREADS:-2}, $(nproc) cores"
if [[ "$engines" == sqlite || "$engines" == both ]]; then
  start_broker "$work/sqlite"
  measure sqlite
  stop_broker
fi
if [[ "$engines" == postgres || "$engines" == both ]]; then
  start_postgres
  start_broker "$work/postgres" --database "postgresql://postgres@127.0.0.1:$pg_port/broker"
  measure postgres
  stop_broker
fi
