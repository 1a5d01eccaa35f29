#!/usr/bin/env bash
# Reference flow samples/provision-app-quick-build.sh: open a package-build intention with
# ttl=30&quickstart=true (the action starts at once), patch the package with checksum, size and
# type, close. Prints the build intention id on the last line (install_after_build.sh uses it).
# Optional: BUILD_VERSION (default a random 40-hex "git hash"), PACKAGE_VERSION (default
# 1.0.<random>-snapshot).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

build_version="${BUILD_VERSION:-$(random_hex 20)}"
package_version="${PACKAGE_VERSION:-1.0.$RANDOM-snapshot}"
intention="$(jq -cn --argjson service "$(service_json tools)" --argjson user "$(user_json)" \
  --arg name "$BROKER_SERVICE" --arg version "$package_version" --arg hash "$build_version" '{
  event: {provider: "build-client-test", reason: "Build on push (client flow test)"},
  actions: [{action: "package-build", id: "build", provision: ["approle/secret-id"],
             service: $service,
             package: {name: $name, version: $version, buildVersion: $hash, type: "zip"}}],
  user: $user}')"
opened="$(open_intention "ttl=30&quickstart=true" "$intention")"
token="$(require_value "$opened" .token "intention token")"
action_token="$(require_value "$opened" .actions.build.token "build action token")"
id="$(require_value "$opened" .id "intention id")"

patch="$(jq -cn --arg sum "sha256:$(random_hex 32)" --argjson size "$((RANDOM + 1))" \
  '{package: {checksum: $sum, size: $size, type: "zip"}}')"
patched="$(broker_token_post /v1/intention/action/patch "$action_token" "$patch")"
[[ "$(jq -r .package.checksum <<<"$patched")" == "$(jq -r .package.checksum <<<"$patch")" ]] ||
  fail "patch did not update the package: $patched"
[[ "$(jq -r .lifecycle <<<"$patched")" == "started" ]] || fail "quickstart did not start: $patched"
close_intention "$token"
echo "$id"
