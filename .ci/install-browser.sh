#!/usr/bin/env bash
# Install what the browser tests need on a fresh Debian machine (run as root):
#   - Debian's chromium (Playwright drives /usr/bin/chromium; we never download a browser),
#   - axe-core from npm into tests/browser/node_modules (the accessibility checks inject it),
#   - poppler-utils (pdftotext, pdfinfo: the printed project page's size and text are checked with them).
# Python packages (playwright, voila) come from the pyproject "test" extra.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
command -v pdftotext >/dev/null 2>&1 || need_apt+=(poppler-utils)
if [ ${#need_apt[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends "${need_apt[@]}" fonts-dejavu-core
fi

if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
    npm install --prefix tests/browser --no-save --no-audit --no-fund --loglevel=error axe-core@4
fi

/usr/bin/chromium --version 2>/dev/null | tail -1
echo "axe-core $(node -p "require('./tests/browser/node_modules/axe-core/package.json').version")"
