# shellcheck shell=bash
# Helpers shared by the benchmark scripts; sourced, not run.

# Kills and reaps every process in the caller's `pids` array; for the scripts' exit traps.
stop_pids() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}

# Makes the scratch directory `data` and the empty `pids` array; at exit, stops every process in
# `pids` and removes `data`.
use_scratch_dir() {
  data=$(mktemp -d)
  pids=()
  trap 'stop_pids; rm -rf "$data"' EXIT
}

# Waits up to 10 s for URL to answer 2xx; exits the script otherwise.
wait_for() {
  for _ in $(seq 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "no 2xx answer from $1 within 10 s" >&2
  exit 1
}

# Runs wrk with the given arguments and prints its requests per second.
rate() { wrk "$@" | awk '/^Requests\/sec:/ {print $2}'; }

# Prints "median min max" of the numbers given as arguments.
summarise() {
  printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {
    m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; printf "%.0f %.0f %.0f\n", m, v[1], v[NR]}'
}

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Imports tests/blackbox/graph.json into DATA_DIR, starts `broker serve` on 127.0.0.1:PORT
# (log in DATA_DIR/broker.log) and BUILD_DIR's baseline_hello on BASELINE_PORT, appends both to
# the caller's `pids` array and waits until Broker answers.
# Usage: start_broker_and_baseline BUILD_DIR DATA_DIR PORT BASELINE_PORT
start_broker_and_baseline() {
  local build_dir=$1 data=$2 port=$3 baseline_port=$4
  "$build_dir/src/app/broker" import "$bench_dir/../tests/blackbox/graph.json" \
    --data-dir "$data" >/dev/null
  "$build_dir/src/app/broker" serve --listen "127.0.0.1:$port" --data-dir "$data" \
    >"$data/broker.log" 2>&1 &
  pids+=($!)
  "$build_dir/bench/baseline_hello" "$baseline_port" 2 >/dev/null 2>&1 &
  pids+=($!)
  wait_for "http://127.0.0.1:$port/v1/health/ping"
}

# Signs in alice (a lead developer of the team owning ci-deployer in graph.json) at URL, keeping
# the cookie jar in JAR; sets `cookie` (the session cookie as name=value), `csrf` and `account`
# (ci-deployer's id). Usage: sign_in_alice URL JAR
sign_in_alice() {
  local url=$1 jar=$2 login
  login=$(curl -s -c "$jar" -H 'Content-Type: application/json' \
    -d '{"username":"alice","password":"alice-pass-1"}' "$url/auth/local/login")
  csrf=$(printf '%s' "$login" | jq -r .csrfToken)
  cookie=$(awk '$6 ~ /broker_session/ {print $6 "=" $7}' "$jar")
  account=$(curl -s -b "$jar" -H "X-CSRF-Token: $csrf" -X POST \
    "$url/v1/collection/broker-account/search?offset=0&limit=10&q=ci-deployer" |
    jq -r '.data[] | select(.collection.name == "ci-deployer") | .collection.id')
  [[ -n "$account" ]] || { echo "signing in at $url failed" >&2; exit 1; }
}
