#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing, builds, then runs every test through
# CTest (unit, store on SQLite and PostgreSQL, black-box against the broker binary, fakes,
# lint, web unit tests and browser tests in Chromium).
# Usage: scripts/test.sh [ctest arguments, e.g. -L unit or -R token]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
scripts/install-deps.sh
. scripts/env.sh
scripts/build.sh
BUILD_DIR=${BROKER_BUILD_DIR:-build}
echo "==> Running tests"
# The clang-tidy pass (label tidy) takes about 30 minutes on two cores; run it on its own with
# `ctest --test-dir build -L tidy`.
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "${BROKER_TEST_JOBS:-2}" -LE tidy "$@"
