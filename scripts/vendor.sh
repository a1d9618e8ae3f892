#!/usr/bin/env bash
# Copy the front-end packages from node_modules into static/vendor (never committed).
# `npm ci` installs the devDependencies too: axe-core, which the browser tests inject into pages.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules/htmx.org ] || [ ! -d node_modules/signature_pad ] || [ ! -f node_modules/axe-core/axe.min.js ] \
  || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --include=dev --no-audit --no-fund --loglevel=error
fi
mkdir -p static/vendor
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
cp node_modules/signature_pad/dist/signature_pad.umd.min.js static/vendor/signature_pad.min.js
