#!/usr/bin/env bash
# Reference flows samples/provision-app-quick-build.sh then provision-app-quick-install.sh:
# build (quickstart, patch, close), then open a package-installation intention with
# ttl=30&quickstart=true whose `source` is the build intention, patch the cloud target twice
# (prop replaced), close. Installs into BROKER_ENVIRONMENT (default development).
set -euo pipefail
here="$(dirname "$0")"
. "$here/lib.sh"

build_version="$(random_hex 20)"
package_version="2.$RANDOM.0-rc.1"
build_id="$(BUILD_VERSION="$build_version" PACKAGE_VERSION="$package_version" \
  "$here/build_patch_quickstart.sh" | tail -n 1)"
[[ "$build_id" =~ ^[0-9a-f]{24}$ ]] || fail "build flow gave no intention id: $build_id"

intention="$(jq -cn --argjson service "$(service_json)" --argjson user "$(user_json)" \
  --arg name "$BROKER_SERVICE" --arg version "$package_version" --arg hash "$build_version" \
  --arg source "$build_id" '{
  event: {provider: "install-client-test", reason: "Deploy after build (client flow test)"},
  actions: [{action: "package-installation", id: "install", provision: [],
             service: $service,
             package: {name: $name, version: $version, buildVersion: $hash},
             source: {intention: $source, action: "build"},
             cloud: {target: {instance: {name: "lollipop"}, propStrategy: "merge",
                              prop: {colour: "red"}}}}],
  user: $user}')"
opened="$(open_intention "ttl=30&quickstart=true" "$intention")"
token="$(require_value "$opened" .token "intention token")"
action_token="$(require_value "$opened" .actions.install.token "install action token")"

broker_token_post /v1/intention/action/patch "$action_token" \
  '{"cloud":{"target":{"propStrategy":"replace","prop":{"port":"8080"}}}}' >/dev/null
patched="$(broker_token_post /v1/intention/action/patch "$action_token" \
  '{"cloud":{"target":{"prop":{"host":"lollipop.example"}}}}')"
[[ "$(jq -c .cloud.target.prop <<<"$patched")" == '{"host":"lollipop.example","port":"8080"}' ]] ||
  fail "cloud target prop not patched as expected: $patched"
close_intention "$token"
echo "install_after_build: ok"
