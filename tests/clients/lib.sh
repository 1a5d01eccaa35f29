#!/usr/bin/env bash
# Shared helpers of the intention client flows (sourced, not run).
#
# Environment: BROKER_URL (e.g. http://127.0.0.1:3000), BROKER_JWT (an account token),
# VAULT_ADDR (for the provisioning flows). Optional: BROKER_PROJECT (fluent), BROKER_SERVICE
# (fluent-bit), BROKER_ENVIRONMENT (development), BROKER_USER (alice), VAULT_ROLE_ID (sent as
# X-Vault-Role-Id when set).
#
# Every call fails the script (exit 1) on a non-2xx status or a response whose .error is not
# null, as the reference's sample scripts do.
set -euo pipefail

: "${BROKER_URL:?BROKER_URL must be set}"
: "${BROKER_JWT:?BROKER_JWT must be set}"
BROKER_URL="${BROKER_URL%/}"
BROKER_PROJECT="${BROKER_PROJECT:-fluent}"
BROKER_SERVICE="${BROKER_SERVICE:-fluent-bit}"
BROKER_ENVIRONMENT="${BROKER_ENVIRONMENT:-development}"
BROKER_USER="${BROKER_USER:-alice}"

CLIENT_TMP="$(mktemp -d)"
trap 'rm -rf "$CLIENT_TMP"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# check_response STATUS FILE WHAT: the status must be 2xx and .error absent or null.
check_response() {
  local status="$1" file="$2" what="$3"
  if [[ ! "$status" =~ ^2 ]]; then
    fail "$what answered HTTP $status: $(head -c 600 "$file")"
  fi
  if [[ -s "$file" ]] && [[ "$(jq -r 'if type == "object" then (.error // "null") | tostring else "null" end' "$file")" != "null" ]]; then
    fail "$what answered an error: $(head -c 600 "$file")"
  fi
}

# call METHOD URL WHAT [curl args...]: prints the response body; fails on errors.
call() {
  local method="$1" url="$2" what="$3"
  shift 3
  local out="$CLIENT_TMP/response.$RANDOM"
  local status
  status="$(curl -sS -o "$out" -w '%{http_code}' -X "$method" "$url" "$@")" ||
    fail "$what: curl could not reach $url"
  check_response "$status" "$out" "$what"
  cat "$out"
}

# open_intention QUERY JSON: POST /v1/intention/open?QUERY with the account token.
open_intention() {
  call POST "$BROKER_URL/v1/intention/open?$1" "open intention" \
    -H "Authorization: Bearer $BROKER_JWT" -H "Content-Type: application/json" --data-binary "$2"
}

# broker_token_post PATH TOKEN [JSON]: POST with X-Broker-Token (and a JSON body if given).
broker_token_post() {
  local path="$1" token="$2"
  if [[ $# -ge 3 ]]; then
    call POST "$BROKER_URL$path" "$path" -H "X-Broker-Token: $token" \
      -H "Content-Type: application/json" --data-binary "$3"
  else
    call POST "$BROKER_URL$path" "$path" -H "X-Broker-Token: $token"
  fi
}

# provision PATH ACTION_TOKEN: a provisioning call, with X-Vault-Role-Id when VAULT_ROLE_ID is set.
provision() {
  local args=(-H "X-Broker-Token: $2")
  if [[ -n "${VAULT_ROLE_ID:-}" ]]; then args+=(-H "X-Vault-Role-Id: $VAULT_ROLE_ID"); fi
  call POST "$BROKER_URL$1" "$1" "${args[@]}"
}

# close_intention TOKEN [QUERY]
close_intention() {
  local closed
  closed="$(broker_token_post "/v1/intention/close${2:+?$2}" "$1")"
  [[ "$(jq -r .message <<<"$closed")" == "Intention closed" ]] || fail "close answered: $closed"
}

# require_value JSON FILTER WHAT: the jq FILTER must yield a non-empty, non-null string.
require_value() {
  local value
  value="$(jq -r "$2" <<<"$1")"
  [[ -n "$value" && "$value" != "null" ]] || fail "$3 missing in: $1"
  printf '%s' "$value"
}

random_hex() {
  head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'
}

# The JSON of the intention user.
user_json() {
  jq -cn --arg name "$BROKER_USER" '{name: $name}'
}

# service_json [ENVIRONMENT]
# shellcheck disable=SC2120
service_json() {
  jq -cn --arg project "$BROKER_PROJECT" --arg name "$BROKER_SERVICE" \
    --arg env "${1:-$BROKER_ENVIRONMENT}" '{project: $project, name: $name, environment: $env}'
}
