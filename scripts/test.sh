#!/usr/bin/env bash
# Install what the tests need, then lint and run the whole suite (browser tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
printf '\033[1m==> %s\033[0m\n' "ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
printf '\033[1m==> %s\033[0m\n' "import contracts (pyproject.toml, ARCHITECTURE.md)"
.venv/bin/lint-imports
printf '\033[1m==> %s\033[0m\n' "pytest${HK_DATABASE_URL:+ on $HK_DATABASE_URL}"
exec .venv/bin/pytest "$@"
