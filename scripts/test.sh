#!/usr/bin/env bash
# README command 2: set everything up, then lint, type-check and run every test (end-to-end included).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
step() { printf '\n== %s\n' "$*"; }
step "ruff";   "$PY" -m ruff check .
step "ruff format"; "$PY" -m ruff format --check .
step "mypy";   "$PY" -m mypy
step "pytest"; "$PY" -m pytest "$@"
