#!/usr/bin/env bash
# The cost of authentication and of minting, measured against baselines in the same run
# (docs/PERFORMANCE.md):
#   1. GET /v1/health/token-check with a bearer token (strict verify, registry row, allow/block
#      rules, last-use bookkeeping, authentication audit) beside Broker's own unauthenticated
#      GET /v1/health/ping and the Beast "hello" baseline: wrk -t1 -c32, RUNS runs each,
#      alternating; medians, min-max and ratios.
#   2. Token generation (POST .../token: RS256 signature, registry row, audit record, outbox
#      rows) per second, beside `openssl speed rsa2048` signing on one core (the target in
#      docs/PERFORMANCE.md: generation >= 70 % of it); the key's own size is reported too.
# Builds nothing; installs bench/peer from npm on first use. Usage: bench/token_bench.sh BUILD_DIR
# Environment: RUNS (5), DURATION (10s), CONNECTIONS (32), PORT (18181), BASELINE_PORT (18180),
# PEER_PORT (18182).
set -euo pipefail
[[ $# -eq 1 ]] || { sed -n '2,13p' "$0"; exit 2; }
build_dir=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
broker="$build_dir/src/app/broker"
runs=${RUNS:-5}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-32}
port=${PORT:-18181}
baseline_port=${BASELINE_PORT:-18180}
url="http://127.0.0.1:$port"

. "$here/lib.sh"
use_scratch_dir

start_broker_and_baseline "$build_dir" "$data" "$port" "$baseline_port"

token=$("$broker" token generate ci-deployer --expiration 1d --no-vault --data-dir "$data" 2>/dev/null)
[[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$url/v1/health/token-check")" == 204 ]]

hello=(); ping=(); check=()
for i in $(seq "$runs"); do
  hello+=("$(rate -t1 -c"$connections" -d"$duration" "http://127.0.0.1:$baseline_port/")")
  ping+=("$(rate -t1 -c"$connections" -d"$duration" "$url/v1/health/ping")")
  check+=("$(rate -t1 -c"$connections" -d"$duration" -H "Authorization: Bearer $token" "$url/v1/health/token-check")")
  echo "run $i: hello ${hello[-1]}, ping ${ping[-1]}, token-check ${check[-1]} req/s" >&2
done
read -r h_med h_min h_max <<<"$(summarise "${hello[@]}")"
read -r p_med p_min p_max <<<"$(summarise "${ping[@]}")"
read -r c_med c_min c_max <<<"$(summarise "${check[@]}")"
echo "wrk -t1 -c$connections -d$duration, $runs runs each, alternating"
echo "baseline_hello            : median $h_med req/s (min $h_min, max $h_max)"
echo "GET /v1/health/ping       : median $p_med req/s (min $p_min, max $p_max)"
echo "GET /v1/health/token-check: median $c_med req/s (min $c_min, max $c_max)"
awk -v c="$c_med" -v p="$p_med" -v h="$h_med" 'BEGIN {
  printf "token-check / ping: %.2f (target >= 0.60); ping / hello: %.2f\n", c / p, p / h}'

# The peer: the reference's own authentication stack (NestJS 11 + passport-jwt, HS256 KeyObject
# secret, 2 worker processes), installed from bench/peer's lock file. Skipped without npm.
peer_port=${PEER_PORT:-18182}
if command -v npm >/dev/null; then
  [[ -d "$here/peer/node_modules" ]] || npm ci --prefix "$here/peer" --no-audit --no-fund >&2
  secret=$(openssl rand -hex 32)
  node "$here/peer/server.js" "$peer_port" "$secret" 2 >/dev/null 2>&1 &
  pids+=($!)
  wait_for_code() { for _ in $(seq 100); do [[ "$(curl -s -o /dev/null -w '%{http_code}' "$@")" == 204 ]] && return 0; sleep 0.1; done; exit 1; }
  peer_token=$(node "$here/peer/make-token.js" "$secret")
  wait_for_code -H "Authorization: Bearer $peer_token" "http://127.0.0.1:$peer_port/v1/health/token-check"
  peer=()
  for i in $(seq "$runs"); do
    peer+=("$(rate -t1 -c"$connections" -d"$duration" -H "Authorization: Bearer $peer_token" \
      "http://127.0.0.1:$peer_port/v1/health/token-check")")
    echo "peer run $i: ${peer[-1]} req/s" >&2
  done
  read -r n_med n_min n_max <<<"$(summarise "${peer[@]}")"
  echo "NestJS 11 + passport-jwt peer: median $n_med req/s (min $n_min, max $n_max)"
  awk -v c="$c_med" -v n="$n_med" 'BEGIN { printf "token-check / peer: %.1f (target >= 10)\n", c / n }'
fi

# Generation: a signed-in lead developer minting tokens as fast as wrk can ask.
sign_in_alice "$url" "$data/cookies"
cat >"$data/generate.lua" <<LUA
wrk.method = "POST"
wrk.headers["Cookie"] = "$cookie"
wrk.headers["X-CSRF-Token"] = "$csrf"
LUA
bits=$(openssl pkey -in "$data/jwt-signing-key.pem" -noout -text 2>/dev/null | awk '/Private-Key/ {gsub(/[(]/,""); print $2}')
gen=$(rate -t1 -c4 -d"$duration" -s "$data/generate.lua" \
  "$url/v1/collection/broker-account/$account/token?expiration=3600&patch=false&syncSecrets=false")
sign=$(openssl speed -seconds 3 rsa2048 2>/dev/null | awk '$1=="rsa" && $2==2048 && $3=="bits" {print $6}')
echo "token generation (RS256, RSA-$bits key, wrk -c4): $gen tokens/s"
echo "openssl speed rsa2048, one core: $sign signs/s"
awk -v g="$gen" -v s="$sign" 'BEGIN { if (s > 0) printf "generation / one-core RSA-2048 signing: %.2f (target >= 0.70)\n", g / s }'
