#!/usr/bin/env bash
# Reference flow samples/provision-app-backend-demo.sh: open an intention with a
# package-installation action ("install") and a package-provision action ("provision",
# approle/secret-id); start and end the install; start the provision action; ask Broker for a
# wrapped AppRole secret id (X-Vault-Role-Id from VAULT_ROLE_ID when set); unwrap it at
# VAULT_ADDR; end; close. Vault must hold the role <project>_<service>_<short env>.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${VAULT_ADDR:?VAULT_ADDR must be set}"

intention="$(jq -cn --argjson service "$(service_json)" --argjson user "$(user_json)" \
  --arg name "$BROKER_SERVICE" --arg hash "$(random_hex 20)" '{
  event: {provider: "provision-client-test", reason: "Start the backend (client flow test)"},
  actions: [
    {action: "package-installation", id: "install", provision: [], service: $service,
     package: {name: $name, version: "12.0.3", buildVersion: $hash}},
    {action: "package-provision", id: "provision", provision: ["approle/secret-id"],
     service: $service}],
  user: $user}')"
opened="$(open_intention "ttl=30" "$intention")"
token="$(require_value "$opened" .token "intention token")"
install_token="$(require_value "$opened" .actions.install.token "install action token")"
provision_token="$(require_value "$opened" .actions.provision.token "provision action token")"

broker_token_post /v1/intention/action/start "$install_token" >/dev/null
broker_token_post /v1/intention/action/end "$install_token" >/dev/null
broker_token_post /v1/intention/action/start "$provision_token" >/dev/null
wrapped="$(provision /v1/provision/approle/secret-id "$provision_token")"
wrap_token="$(require_value "$wrapped" .wrap_info.token "wrapping token")"
[[ "$(jq -r .wrap_info.ttl <<<"$wrapped")" == 60 ]] || fail "wrap ttl is not 60: $wrapped"
unwrapped="$(call POST "$VAULT_ADDR/v1/sys/wrapping/unwrap" "vault unwrap" \
  -H "X-Vault-Token: $wrap_token")"
require_value "$unwrapped" .data.secret_id "secret id" >/dev/null
broker_token_post /v1/intention/action/end "$provision_token" >/dev/null
close_intention "$token"
echo "provision_secret_id: ok"
