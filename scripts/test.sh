#!/usr/bin/env bash
# README command 2: set everything up, then lint, type-check and run every test (end-to-end included).
#   bash scripts/test.sh --fast   the same without the slow and end-to-end tests (the inner loop)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
step() { printf '\n== %s\n' "$*"; }
# --fast: the inner loop (in-process tests only, about a minute); CI and the README run everything.
selection=()
if [ "${1:-}" = "--fast" ]; then shift; selection=(-m "not slow and not e2e"); fi
step "ruff";   "$PY" -m ruff check .
step "ruff format"; "$PY" -m ruff format --check .
step "mypy";   "$PY" -m mypy
step "pytest"; "$PY" -m pytest "${selection[@]}" "$@"
