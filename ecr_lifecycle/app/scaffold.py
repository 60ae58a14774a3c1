"""``init``: the files of a new config repository that installs this tool pinned by version.

Pure: the caller reads the shipped workflow and schema, and writes the files (all or none).
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from ecr_lifecycle.core.config.model import Target

SCHEMA_PATH = ".ecr-lifecycle/repositories.schema.json"
CONFIG = "repositories.yaml"
POLICIES_DIR = "policies"
WORKFLOW_PATH = ".github/workflows/ecr-lifecycle.yml"

# The two lines of the shipped workflow that name the config: rewritten for the config ``init`` writes.
_PATHS_LINE = re.compile(r"^    paths: \[.*\]$", re.MULTILINE)
_CONFIG_LINE = re.compile(r"^  ECR_LIFECYCLE_CONFIG: .*$", re.MULTILINE)

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


def policies_folder(config: str, policies_dir: str) -> str:
    """The repository-relative folder of own templates: ``policies_dir`` is relative to the config file."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(config), policies_dir))


def review_paths(config: str, policies_dir: str) -> list[str]:
    """The pull-request ``paths`` filter: everything that changes what a push deploys gets a review."""
    folder = policies_folder(config, policies_dir)
    return [config, f"{folder}/**", "main.py", "cdktf.json", "Pipfile", "Pipfile.lock", ".github/workflows/**"]


def _one_line(text: str, line: re.Pattern[str], replacement: str) -> str:
    new, count = line.subn(lambda _: replacement, text)  # a function: no backslash escapes in the path
    if count != 1:
        raise ValueError(f"the shipped workflow has {count} lines matching {line.pattern!r}, expected 1")
    return new


def workflow_for(shipped: str, config: str, policies_dir: str) -> str:
    """The shipped workflow with its paths filter and ``ECR_LIFECYCLE_CONFIG`` naming this config."""
    # JSON strings are YAML flow scalars: any path is quoted right.
    paths = _one_line(shipped, _PATHS_LINE, f"    paths: {json.dumps(review_paths(config, policies_dir))}")
    return _one_line(paths, _CONFIG_LINE, f"  ECR_LIFECYCLE_CONFIG: {json.dumps(config)}")


def _config(raw_targets: Sequence[Mapping[str, Any]] | None, config: str, policies_dir: str) -> str:
    doc: dict[str, Any] = {
        "version": 1,
        **({} if policies_dir == POLICIES_DIR else {"policies_dir": policies_dir}),
        "defaults": {"templates": ["untagged-cleanup", {"name": "keep-last", "params": {"keep": 100}}]},
        "targets": [dict(t) for t in raw_targets] if raw_targets else [_STARTER_TARGET],
        "repositories": [],
    }
    schema = posixpath.relpath(SCHEMA_PATH, posixpath.dirname(config) or ".")
    head = f"# yaml-language-server: $schema={schema if schema.startswith('..') else './' + schema}\n#\n"
    head += "# Repositories and their lifecycle policies; `ecr-lifecycle validate` checks this file.\n"
    if not raw_targets:
        head += "# Replace the target with your AWS account's name, region and account_id (docs: README.md).\n"
    body = yaml.safe_dump(doc, sort_keys=False, width=120)
    example = (
        f"# Examples (templates shipped with ecr-lifecycle, or your own in {policies_dir}/):\n"
        "#   - name: payments/api\n"
        "#     templates: [untagged-cleanup, {name: keep-releases, params: {keep: 30}}]\n"
        '#   - pattern: "sandbox/*"\n'
        "#     templates: [{name: keep-last, params: {keep: 10}}]\n"
    )
    return head + body + example


def _readme(version: str, targets: Sequence[Target], shipped: Sequence[str], config: str, policies: str) -> str:
    names = ", ".join(f"`{t.name}`" for t in targets) or "`main`"
    elsewhere = (
        f"\n   Commands read `{CONFIG}` unless told: `export ECR_LIFECYCLE_CONFIG={config}` (the workflow sets it)."
        if config != CONFIG
        else ""
    )
    return f"""# ECR lifecycle policies

This repository holds the lifecycle policies of our Amazon ECR repositories as code, for
[ecr-lifecycle](https://pypi.org/project/ecr-lifecycle/) {version}. Targets: {names}.

## Next steps

1. `pipenv install` (creates `Pipfile.lock`; commit it), then `pipenv shell`.
2. Edit `{config}`: your targets (account, region, state backend) and repositories.
   Templates shipped with this version: {", ".join(f"`{n}`" for n in shipped) or "none"}; put your own in
   `{policies}/` (one with the same name as a shipped one replaces it).
3. `ecr-lifecycle validate`, `ecr-lifecycle render REPOSITORY`, `ecr-lifecycle preview --live`.{elsewhere}
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
    config: str = CONFIG,
    policies_dir: str = POLICIES_DIR,
) -> dict[str, str]:
    """Relative path -> content of every file ``init`` writes; ``config`` is repository-relative, and
    ``policies_dir`` relative to the config's folder, as in the config itself."""
    policies = policies_folder(config, policies_dir)
    return {
        "cdktf.json": json.dumps(_CDKTF, indent=2) + "\n",
        "main.py": _MAIN,
        "Pipfile": _pipfile(version),
        config: _config(raw_targets, config, policies_dir),
        SCHEMA_PATH: json.dumps(schema, indent=2) + "\n",
        f"{policies}/README.md": "Own policy templates (one YAML file each); they add to the shipped ones.\n",
        WORKFLOW_PATH: workflow_for(workflow, config, policies_dir),
        ".gitignore": _GITIGNORE,
        "README.md": _readme(version, targets, shipped, config, policies),
    }
