#!/usr/bin/env bash
# Browser tests of the web UI against a real broker. Called by ctest; exit code = result.
# Needs BROKER_BIN (path to the broker binary). Uses Debian's /usr/bin/chromium; never
# downloads browsers.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

if [[ -z "${BROKER_BIN:-}" ]]; then
  echo "run.sh: set BROKER_BIN to the broker binary" >&2
  exit 2
fi

if [[ ! -f "$repo/web/dist/index.html" ]]; then
  (cd "$repo/web" && { [[ -d node_modules ]] || npm ci --no-audit --no-fund; } && npm run build)
fi

cd "$here"
[[ -d node_modules ]] || npm ci --no-audit --no-fund
exec npx playwright test "$@"
