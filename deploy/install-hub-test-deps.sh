#!/usr/bin/env bash
# Install what the JupyterHub test (tests/hub/) needs, on a fresh Debian machine. Safe to run again.
#   - configurable-http-proxy from npm, into tests/hub/node_modules (the test looks there, then on PATH);
#   - JupyterHub itself comes from the pyproject "hub" / "test" extras (pip);
#   - Chromium and Playwright are the browser tests' (.ci/install-browser.sh, the "test" extra).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v npm >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends npm
fi

chp=tests/hub/node_modules/.bin/configurable-http-proxy
if [ ! -x "$chp" ]; then
    npm install --prefix tests/hub --no-save --no-audit --no-fund --loglevel=error configurable-http-proxy@5
fi
echo "configurable-http-proxy $("$chp" --version)"
