#!/usr/bin/env bash
# README command 1: set everything up, deploy the bundled example to a local ECR endpoint,
# read the policies back and preview what they would expire.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
exec "$PY" -m devtools.demo "$@"
