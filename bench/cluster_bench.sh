#!/usr/bin/env bash
# Authenticated request throughput with one node and with two nodes sharing PostgreSQL, each
# beside the Beast "hello" baseline in the same run (docs/PERFORMANCE.md):
#   - a throwaway PostgreSQL 15 cluster (initdb in a temp dir, fsync off, loopback only);
#   - node A imports the graph; node B gets A's signing key and tools-store key;
#   - GET /v1/health/token-check with a bearer token: one node (wrk -t1 -cC against A), then
#     two nodes (two wrk -t1 -c(C/2) at once, one per node, rates summed), and
#     baseline_hello (wrk -t1 -cC), alternating, RUNS runs each; medians, min-max, ratios.
# On one machine the two nodes, PostgreSQL and wrk share the same cores, so "two nodes" shows
# the coordination cost (shared database, no cache), not the scale-out of separate machines.
# Builds nothing. Usage: bench/cluster_bench.sh BUILD_DIR
# Environment: RUNS (5), DURATION (10s), CONNECTIONS (32), PORT (18191; B uses +1, PostgreSQL
# +2), BASELINE_PORT (18190), PG_BINDIR (/usr/lib/postgresql/15/bin).
set -euo pipefail
[[ $# -eq 1 ]] || { sed -n '2,14p' "$0"; exit 2; }
build_dir=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
broker="$build_dir/src/app/broker"
runs=${RUNS:-5}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-32}
half=$((connections / 2))
port_a=${PORT:-18191}
port_b=$((port_a + 1))
pg_port=$((port_a + 2))
baseline_port=${BASELINE_PORT:-18190}
pg_bin=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
work=$(mktemp -d)
chmod 755 "$work"
url_a="http://127.0.0.1:$port_a"
url_b="http://127.0.0.1:$port_b"

# PostgreSQL refuses to run as root: run it as `postgres` then.
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pids=()
cleanup() {
  stop_pids
  as_pg "$pg_bin/pg_ctl" -D "$work/pg" stop -m immediate >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

. "$here/lib.sh"

mkdir "$work/pg"
[[ $(id -u) -eq 0 ]] && chown postgres "$work/pg"
as_pg "$pg_bin/initdb" -D "$work/pg" -U postgres --auth=trust >/dev/null
as_pg "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg/server.log" -w start \
  -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $work/pg -c fsync=off -c max_connections=200" >/dev/null
as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres broker
database="postgresql://postgres@127.0.0.1:$pg_port/broker"

mkdir -m 700 "$work/a" "$work/b"
"$broker" import "$here/../tests/blackbox/graph.json" --data-dir "$work/a" --database "$database" >/dev/null
# The first start creates A's keys; B must share them.
"$broker" serve --listen "127.0.0.1:$port_a" --data-dir "$work/a" --database "$database" \
  >"$work/a.log" 2>&1 &
pids+=($!)
wait_for "$url_a/v1/health/ping"
install -m 600 "$work/a/jwt-signing-key.pem" "$work/a/tools-store.key" "$work/b/"
"$broker" serve --listen "127.0.0.1:$port_b" --data-dir "$work/b" --database "$database" \
  >"$work/b.log" 2>&1 &
pids+=($!)
"$build_dir/bench/baseline_hello" "$baseline_port" 2 >/dev/null 2>&1 &
pids+=($!)
wait_for "$url_b/v1/health/ping"

token=$("$broker" token generate ci-deployer --expiration 1d --no-vault --data-dir "$work/a" \
  --database "$database" 2>/dev/null)
for url in "$url_a" "$url_b"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$url/v1/health/token-check")
  [[ "$code" == 204 ]] || { echo "token-check on $url answered $code" >&2; exit 1; }
done

auth=(-H "Authorization: Bearer $token")
hello=(); one=(); two=()
for i in $(seq "$runs"); do
  hello+=("$(rate -t1 -c"$connections" -d"$duration" "http://127.0.0.1:$baseline_port/")")
  one+=("$(rate -t1 -c"$connections" -d"$duration" "${auth[@]}" "$url_a/v1/health/token-check")")
  rate -t1 -c"$half" -d"$duration" "${auth[@]}" "$url_a/v1/health/token-check" >"$work/rate_a" &
  rate -t1 -c"$half" -d"$duration" "${auth[@]}" "$url_b/v1/health/token-check" >"$work/rate_b"
  wait $!
  two+=("$(awk '{s += $1} END {printf "%.2f", s}' "$work/rate_a" "$work/rate_b")")
  echo "run $i: hello ${hello[-1]}, one node ${one[-1]}, two nodes ${two[-1]} req/s" >&2
done
read -r h_med h_min h_max <<<"$(summarise "${hello[@]}")"
read -r o_med o_min o_max <<<"$(summarise "${one[@]}")"
read -r t_med t_min t_max <<<"$(summarise "${two[@]}")"
echo "wrk -t1, $connections connections in all, -d$duration, $runs runs each, alternating; $(nproc) cores"
echo "baseline_hello                          : median $h_med req/s (min $h_min, max $h_max)"
echo "token-check, one node on PostgreSQL     : median $o_med req/s (min $o_min, max $o_max)"
echo "token-check, two nodes on one PostgreSQL: median $t_med req/s (min $t_min, max $t_max)"
awk -v o="$o_med" -v t="$t_med" -v h="$h_med" 'BEGIN {
  printf "one node / hello: %.2f; two nodes / hello: %.2f; two nodes / one node: %.2f\n", o / h, t / h, t / o}'
