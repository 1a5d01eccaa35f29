#!/usr/bin/env bash
# Reference flow samples/backup-demo.sh: open a transient backup intention (ttl 30), start the
# action, register an artifact with a random sha256 checksum, end the action, close.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

intention="$(jq -cn --argjson service "$(service_json)" --argjson user "$(user_json)" '{
  event: {provider: "backup-client-test", reason: "Nightly backup (client flow test)",
          transient: true, url: "https://ci.example/backup/1"},
  actions: [{action: "backup", id: "backup", provision: ["token/self"], service: $service,
             cloud: {target: {provider: "local", prop: {path: "/backups"}}}}],
  user: $user}')"
opened="$(open_intention "ttl=30" "$intention")"
token="$(require_value "$opened" .token "intention token")"
action_token="$(require_value "$opened" .actions.backup.token "backup action token")"
require_value "$opened" .actions.backup.trace_id "trace id" >/dev/null

broker_token_post /v1/intention/action/start "$action_token" >/dev/null
artifact="$(jq -cn --arg sum "sha256:$(random_hex 32)" --argjson size "$((RANDOM + 1))" \
  '{name: "backup.tgz", checksum: $sum, size: $size, type: "tgz"}')"
broker_token_post /v1/intention/action/artifact "$action_token" "$artifact" >/dev/null
broker_token_post /v1/intention/action/end "$action_token" >/dev/null
close_intention "$token"

# The intention token is spent: a second close must be refused with 404.
status="$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$BROKER_URL/v1/intention/close" \
  -H "X-Broker-Token: $token")"
[[ "$status" == 404 ]] || fail "reusing a closed intention token answered $status, not 404"
echo "backup_with_artifact: ok"
