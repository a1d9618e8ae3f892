#!/usr/bin/env bash
# Copy the front-end packages from node_modules into static/vendor (never committed).
# `npm ci` installs the devDependencies too: axe-core, which the browser tests inject into pages.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules/htmx.org ] || [ ! -d node_modules/signature_pad ] || [ ! -f node_modules/axe-core/axe.min.js ] \
  || [ ! -d node_modules/idb-keyval ] || [ ! -d node_modules/workbox-sw ] || [ ! -f node_modules/terser/bin/terser ] \
  || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --include=dev --no-audit --no-fund --loglevel=error
fi
mkdir -p static/vendor
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
cp node_modules/signature_pad/dist/signature_pad.umd.min.js static/vendor/signature_pad.min.js
# The outbox's store (static/js/outbox.js) and the service worker's Workbox (static/js/sw.js), served
# from hk's own address: Workbox's modules are loaded by workbox-sw from static/vendor/workbox, never a CDN.
cp node_modules/idb-keyval/dist/umd.js static/vendor/idb-keyval.js
mkdir -p static/vendor/workbox
cp node_modules/workbox-sw/build/workbox-sw.js static/vendor/workbox/workbox-sw.js
for module in core routing strategies; do
  cp "node_modules/workbox-$module/build/workbox-$module.prod.js" static/vendor/workbox/
done
# hk's own scripts, minified (hk/static_files.py serves a copy only while it is newer than its source):
# the comments stay in static/js, where people read them.
mkdir -p static/vendor/min/js
for source in static/js/*.js; do
  node node_modules/terser/bin/terser "$source" --compress --mangle --output "static/vendor/min/js/$(basename "$source")"
done
