"""``init``: the files of a new config repository that installs this tool pinned by version.

Pure: the caller reads the shipped workflow and schema, and writes the files (all or none).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from ecr_lifecycle.core.config.model import Target

SCHEMA_PATH = ".ecr-lifecycle/repositories.schema.json"

_MAIN = '''"""CDKTF app entry (cdktf synth, ecr-lifecycle plan): everything happens in the ecr-lifecycle package."""
from ecr_lifecycle.stacks.app import entry

entry()
'''

_CDKTF = {
    "language": "python",
    "app": "pipenv run python main.py",
    "projectId": "ecr-lifecycle-config",
    "sendCrashReports": "false",
    "terraformProviders": [],
    "terraformModules": [],
    "codeMakerOutput": "imports",
    "context": {},
}

_GITIGNORE = """.venv/
cdktf.out/
cdktf.out.lock
.cdktf.out.new-*
.terraform/
*.tfstate
*.tfstate.backup
plans/
inventory/
__pycache__/
"""

_STARTER_TARGET = {"name": "main", "region": "us-east-1"}


def _pipfile(version: str) -> str:
    return f"""[[source]]
url = "https://pypi.org/simple"
verify_ssl = true
name = "pypi"

[packages]
# Upgrading is a version bump here, then `pipenv lock`.
ecr-lifecycle = "=={version}"

[requires]
python_version = "3.11"
"""


def _config(raw_targets: Sequence[Mapping[str, Any]] | None) -> str:
    doc: dict[str, Any] = {
        "version": 1,
        "defaults": {"templates": ["untagged-cleanup", {"name": "keep-last", "params": {"keep": 100}}]},
        "targets": [dict(t) for t in raw_targets] if raw_targets else [_STARTER_TARGET],
        "repositories": [],
    }
    head = f"# yaml-language-server: $schema=./{SCHEMA_PATH}\n#\n"
    head += "# Repositories and their lifecycle policies; `ecr-lifecycle validate` checks this file.\n"
    if not raw_targets:
        head += "# Replace the target with your AWS account's name, region and account_id (docs: README.md).\n"
    body = yaml.safe_dump(doc, sort_keys=False, width=120)
    example = (
        "# Examples (templates shipped with ecr-lifecycle, or your own in policies/):\n"
        "#   - name: payments/api\n"
        "#     templates: [untagged-cleanup, {name: keep-releases, params: {keep: 30}}]\n"
        '#   - pattern: "sandbox/*"\n'
        "#     templates: [{name: keep-last, params: {keep: 10}}]\n"
    )
    return head + body + example


def _readme(version: str, targets: Sequence[Target], shipped: Sequence[str]) -> str:
    names = ", ".join(f"`{t.name}`" for t in targets) or "`main`"
    return f"""# ECR lifecycle policies

This repository holds the lifecycle policies of our Amazon ECR repositories as code, for
[ecr-lifecycle](https://pypi.org/project/ecr-lifecycle/) {version}. Targets: {names}.

## Next steps

1. `pipenv install` (creates `Pipfile.lock`; commit it), then `pipenv shell`.
2. Edit `repositories.yaml`: your targets (account, region, state backend) and repositories.
   Templates shipped with this version: {", ".join(f"`{n}`" for n in shipped) or "none"}; put your own in
   `policies/` (one with the same name as a shipped one replaces it).
3. `ecr-lifecycle validate`, `ecr-lifecycle render REPOSITORY`, `ecr-lifecycle preview --live`.
4. `ecr-lifecycle plan` plans every stack; the workflow in `.github/workflows/` does it on pull requests
   with a read-only role and deploys from the default branch (IAM roles: the ecr-lifecycle docs, `docs/iam.md`).

Upgrading ecr-lifecycle is a version bump in `Pipfile`, then `pipenv lock`.
"""


def scaffold(
    version: str,
    workflow: str,
    schema: Mapping[str, Any],
    raw_targets: Sequence[Mapping[str, Any]] | None = None,
    targets: Sequence[Target] = (),
    shipped: Sequence[str] = (),
) -> dict[str, str]:
    """Relative path -> content of every file ``init`` writes."""
    return {
        "cdktf.json": json.dumps(_CDKTF, indent=2) + "\n",
        "main.py": _MAIN,
        "Pipfile": _pipfile(version),
        "repositories.yaml": _config(raw_targets),
        SCHEMA_PATH: json.dumps(schema, indent=2) + "\n",
        "policies/README.md": "Own policy templates (one YAML file each); they add to the shipped ones.\n",
        ".github/workflows/ecr-lifecycle.yml": workflow,
        ".gitignore": _GITIGNORE,
        "README.md": _readme(version, targets, shipped),
    }
