#!/usr/bin/env bash
# Compares an HTTP server with the Beast "hello" baseline in the same run (docs/PERFORMANCE.md):
# wrk -t1 -c32 -d10s, five runs each, alternating, then the median req/s, the min-max spread and
# the ratio server/baseline. Builds nothing.
#
# Usage: bench/http_bench.sh BUILD_DIR [SERVER_COMMAND...]
#   SERVER_COMMAND runs the server under test; "{port}" in it is replaced by the port.
#   Default: BUILD_DIR/bench/bench_http_server {port} 2
# Environment: RUNS (5), DURATION (10s), CONNECTIONS (32), SERVER_PATH (/v1/health/ping),
#   BASELINE_PORT (18080), SERVER_PORT (18081).
set -euo pipefail

if [[ $# -lt 1 ]]; then
  sed -n '2,10p' "$0"
  exit 2
fi
build_dir=$1
shift
runs=${RUNS:-5}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-32}
server_path=${SERVER_PATH:-/v1/health/ping}
baseline_port=${BASELINE_PORT:-18080}
server_port=${SERVER_PORT:-18081}
if [[ $# -gt 0 ]]; then
  server_command=("$@")
else
  server_command=("$build_dir/bench/bench_http_server" "{port}" 2)
fi
server_command=("${server_command[@]//\{port\}/$server_port}")

. "$(dirname "$0")/lib.sh"
pids=()
trap stop_pids EXIT

"$build_dir/bench/baseline_hello" "$baseline_port" 2 >/dev/null 2>&1 &
pids+=($!)
"${server_command[@]}" >/dev/null 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$baseline_port/"
wait_for "http://127.0.0.1:$server_port$server_path"

baseline=()
server=()
for i in $(seq "$runs"); do
  baseline+=("$(rate -t1 -c"$connections" -d"$duration" "http://127.0.0.1:$baseline_port/")")
  server+=("$(rate -t1 -c"$connections" -d"$duration" "http://127.0.0.1:$server_port$server_path")")
  echo "run $i: baseline ${baseline[-1]} req/s, server ${server[-1]} req/s" >&2
done

read -r b_median b_min b_max <<<"$(summarise "${baseline[@]}")"
read -r s_median s_min s_max <<<"$(summarise "${server[@]}")"
echo "wrk -t1 -c$connections -d$duration, $runs runs each, alternating"
echo "baseline_hello : median $b_median req/s (min $b_min, max $b_max)"
echo "server         : median $s_median req/s (min $s_min, max $s_max)  ${server_command[*]}"
awk -v s="$s_median" -v b="$b_median" 'BEGIN {printf "ratio server/baseline: %.2f\n", s / b}'
