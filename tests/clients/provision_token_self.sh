#!/usr/bin/env bash
# Reference flow samples/provision-app-db-sync-demo.sh: open a database-access intention
# (token/self, default ttl), start it, ask Broker for a wrapped Vault token (X-Vault-Role-Id
# from VAULT_ROLE_ID when set), unwrap it at VAULT_ADDR, look the token up with
# auth/token/lookup-self, end, close. Vault must hold the role <project>_<service>_<short env>.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${VAULT_ADDR:?VAULT_ADDR must be set}"

intention="$(jq -cn --argjson service "$(service_json)" --argjson user "$(user_json)" '{
  event: {provider: "db-sync-client-test", reason: "Sync the database (client flow test)"},
  actions: [{action: "database-access", id: "database", provision: ["token/self"],
             service: $service}],
  user: $user}')"
opened="$(open_intention "" "$intention")"
token="$(require_value "$opened" .token "intention token")"
action_token="$(require_value "$opened" .actions.database.token "database action token")"

broker_token_post /v1/intention/action/start "$action_token" >/dev/null
wrapped="$(provision /v1/provision/token/self "$action_token")"
wrap_token="$(require_value "$wrapped" .wrap_info.token "wrapping token")"
unwrapped="$(call POST "$VAULT_ADDR/v1/sys/wrapping/unwrap" "vault unwrap" \
  -H "X-Vault-Token: $wrap_token")"
vault_token="$(require_value "$unwrapped" .auth.client_token "vault token")"
call GET "$VAULT_ADDR/v1/auth/token/lookup-self" "vault token lookup" \
  -H "X-Vault-Token: $vault_token" >/dev/null
broker_token_post /v1/intention/action/end "$action_token" >/dev/null
close_intention "$token"
echo "provision_token_self: ok"
