#!/usr/bin/env bash
# From a fresh clone to a running Broker: installs what is missing, builds everything, and
# starts `broker serve --demo` on http://127.0.0.1:3000 with an SQLite file under ./broker-data.
# The demo logins are printed at start. Extra arguments go to `broker serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
scripts/install-deps.sh
. scripts/env.sh
scripts/build.sh
exec "${BROKER_BUILD_DIR:-build}/src/app/broker" serve --demo "$@"
