#!/usr/bin/env bash
# Install everything from the lock files. Sourced by demo.sh and test.sh; safe to run again.
#   Python: pipenv sync --dev (Pipfile.lock) into ./.venv
#   Node:   npm ci (package-lock.json) -> node_modules/.bin/cdktf
#   Terraform: if a filesystem mirror of hashicorp/aws is found (see below), a CLI config
#   pointing at it; otherwise Terraform downloads the provider as usual.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

export PIPENV_VENV_IN_PROJECT=1 PIPENV_NOSPIN=1 PIPENV_YES=1 PIPENV_VERBOSITY=-1
export CHECKPOINT_DISABLE=1 DISABLE_VERSION_CHECK=1 CDKTF_DISABLE_PLUGIN_CACHE_ENV=1
export PATH="$ROOT/node_modules/.bin:$(python3 -m site --user-base)/bin:$PATH"

need() { command -v "$1" >/dev/null 2>&1 || { echo "bootstrap: '$1' is required but not on PATH ($2)" >&2; exit 2; }; }
need python3 "Python 3.11"
need npm "Node.js 20 or later"
need terraform "Terraform 1.5 or later"

if ! python3 -m pipenv --version >/dev/null 2>&1; then
  echo "bootstrap: installing pipenv" >&2
  python3 -m pip install --quiet --user "pipenv==2026.10.3" 2>/dev/null || python3 -m pip install --quiet "pipenv==2026.10.3"
fi
quiet() {  # run a step silently; show its output only if it fails
  local log; log=$(mktemp)
  if ! "$@" >"$log" 2>&1; then cat "$log" >&2; rm -f "$log"; echo "bootstrap: '$*' failed" >&2; exit 2; fi
  rm -f "$log"
}
quiet python3 -m pipenv sync --dev
if [ ! -x node_modules/.bin/cdktf ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  quiet npm ci --no-audit --no-fund
fi

# A provider mirror: $TF_PLUGIN_MIRROR, or a conventional folder that holds hashicorp/aws.
if [ -z "${TF_CLI_CONFIG_FILE:-}" ] || [ ! -f "${TF_CLI_CONFIG_FILE}" ]; then
  unset TF_CLI_CONFIG_FILE
  for dir in "${TF_PLUGIN_MIRROR:-}" /opt/tf-plugins /usr/local/share/terraform/plugins "$HOME/.terraform.d/plugins"; do
    if [ -n "$dir" ] && [ -d "$dir/registry.terraform.io/hashicorp/aws" ]; then
      cat > "$ROOT/.terraformrc.generated" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$dir"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*"]
  }
}
RC
      export TF_CLI_CONFIG_FILE="$ROOT/.terraformrc.generated"
      break
    fi
  done
fi
PY="$ROOT/.venv/bin/python"
export PY
