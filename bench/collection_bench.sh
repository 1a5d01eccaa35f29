#!/usr/bin/env bash
# An authenticated collection read, measured against baselines in the same run: a signed-in
# user's GET /v1/collection/broker-account/:id (session cookie lookup, idle-expiry touch, graph
# snapshot read, JSON) and GET .../combo (upstream and downstream connections), beside Broker's
# own unauthenticated GET /v1/health/ping and the Beast "hello" baseline. wrk -t1 -c32, RUNS
# runs each, alternating; medians, min-max and ratios. The graph is tests/blackbox/graph.json.
# Builds nothing. Usage: bench/collection_bench.sh BUILD_DIR
# Environment: RUNS (5), DURATION (10s), CONNECTIONS (32), PORT (18171), BASELINE_PORT (18170).
set -euo pipefail
[[ $# -eq 1 ]] || { sed -n '2,8p' "$0"; exit 2; }
build_dir=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
runs=${RUNS:-5}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-32}
port=${PORT:-18171}
baseline_port=${BASELINE_PORT:-18170}
url="http://127.0.0.1:$port"

. "$here/lib.sh"
use_scratch_dir

start_broker_and_baseline "$build_dir" "$data" "$port" "$baseline_port"

# Reads need the session cookie only, no CSRF token.
sign_in_alice "$url" "$data/cookies"
read_url="$url/v1/collection/broker-account/$account"
for path in "$read_url" "$read_url/combo"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$path")
  [[ "$code" == 200 ]] || { echo "GET $path answered $code, not 200" >&2; exit 1; }
done

hello=(); ping=(); reads=(); combo=()
for i in $(seq "$runs"); do
  hello+=("$(rate -t1 -c"$connections" -d"$duration" "http://127.0.0.1:$baseline_port/")")
  ping+=("$(rate -t1 -c"$connections" -d"$duration" "$url/v1/health/ping")")
  reads+=("$(rate -t1 -c"$connections" -d"$duration" -H "Cookie: $cookie" "$read_url")")
  combo+=("$(rate -t1 -c"$connections" -d"$duration" -H "Cookie: $cookie" "$read_url/combo")")
  echo "run $i: hello ${hello[-1]}, ping ${ping[-1]}, read ${reads[-1]}, combo ${combo[-1]} req/s" >&2
done
read -r h_med h_min h_max <<<"$(summarise "${hello[@]}")"
read -r p_med p_min p_max <<<"$(summarise "${ping[@]}")"
read -r r_med r_min r_max <<<"$(summarise "${reads[@]}")"
read -r c_med c_min c_max <<<"$(summarise "${combo[@]}")"
echo "wrk -t1 -c$connections -d$duration, $runs runs each, alternating"
echo "baseline_hello                        : median $h_med req/s (min $h_min, max $h_max)"
echo "GET /v1/health/ping                   : median $p_med req/s (min $p_min, max $p_max)"
echo "GET /v1/collection/broker-account/:id : median $r_med req/s (min $r_min, max $r_max)"
echo "GET .../broker-account/:id/combo      : median $c_med req/s (min $c_min, max $c_max)"
awk -v r="$r_med" -v c="$c_med" -v p="$p_med" -v h="$h_med" 'BEGIN {
  printf "ping / hello: %.2f; read / hello: %.2f; read / ping: %.2f; combo / ping: %.2f\n",
    p / h, r / h, r / p, c / p }'
