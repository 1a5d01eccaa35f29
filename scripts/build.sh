#!/usr/bin/env bash
# Builds Broker (C++ with CMake + Ninja) and its web UI (Vite) into build/ and web/dist/.
# Usage: scripts/build.sh [extra cmake -D options]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
BUILD_DIR=${BROKER_BUILD_DIR:-build}
JOBS=${BROKER_JOBS:-$(nproc)}

echo "==> Configuring ($BUILD_DIR)"
cmake -S . -B "$BUILD_DIR" -G Ninja "$@" >/dev/null
echo "==> Building C++ with $JOBS jobs"
ninja -C "$BUILD_DIR" -j "$JOBS"
if [ -f web/package.json ]; then
  echo "==> Building the web UI"
  (cd web && npm run --silent build)
fi
