#!/usr/bin/env bash
# Prepare a machine for hk: system packages (as root on Debian/Ubuntu), a virtual environment,
# Python and npm packages, front-end files in static/vendor, compiled translations.
#   scripts/setup.sh          what running hk needs
#   scripts/setup.sh --test   plus what the tests need (Debian's chromium, poppler-utils, dev packages)
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-run}
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# --- system packages ---------------------------------------------------------------------------
system_packages=(fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 nodejs npm)
if [ "$mode" = "--test" ]; then
  system_packages+=(chromium poppler-utils)
fi
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${system_packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      # npm may come with the nodejs package from another source
      if [ "$pkg" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
      if [ "$pkg" = nodejs ] && command -v node >/dev/null 2>&1; then continue; fi
      missing+=("$pkg")
    fi
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "hk needs these system packages, which are not installed: ${missing[*]}" >&2
    echo "Install them as root, for example:  sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

# --- Python --------------------------------------------------------------------------------------
python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "hk needs Python 3.11 or newer as '$python' (set PYTHON=/path/to/python3.11)." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  say "creating the virtual environment in .venv"
  "$python" -m venv .venv
fi
requirements=requirements.txt
[ "$mode" = "--test" ] && requirements=requirements-dev.txt
stamp=.venv/.hk-$(basename "$requirements" .txt)
digest=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
  say "installing Python packages from $requirements"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
  echo "$digest" > "$stamp"
fi

# --- front end and translations -----------------------------------------------------------------
say "copying front-end packages into static/vendor"
scripts/vendor.sh
.venv/bin/python scripts/i18n.py compile
