"""The installable package: the wheel built from this checkout, installed into a fresh virtual environment
outside it, runs every entry point; ``init`` writes a config repository that validates, synthesizes and
plans against a local ECR endpoint."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from devtools.local_ecr import local_ecr
from ecr_lifecycle import __version__
from ecr_lifecycle.aws.session import LOCAL_KEY

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
NOT_SOURCES = {".git", ".venv", "node_modules", "cdktf.out", "__pycache__", "build", ".mypy_cache", ".ruff_cache"}


class Installed:
    def __init__(self, venv: Path, home: Path) -> None:
        self.venv = venv
        self.home = home  # a working folder outside the checkout
        self.env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PIPENV_PIPFILE")} | {
            "PATH": f"{venv / 'bin'}:{os.environ['PATH']}",
            "PIPENV_ACTIVE": "",
        }

    def run(
        self, *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(args), cwd=cwd or self.home, env={**self.env, **(env or {})}, capture_output=True, text=True,
            timeout=900,
        )  # fmt: skip

    def tool(
        self, *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return self.run(str(self.venv / "bin" / "ecr-lifecycle"), *args, cwd=cwd, env=env)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    base = tmp_path_factory.mktemp("installed")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=lambda _d, names: [n for n in names if n in NOT_SOURCES])
    wheels = base / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), "."],
        cwd=source, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr
    (wheel,) = wheels.glob("*.whl")
    assert wheel.name == f"ecr_lifecycle-{__version__}-py3-none-any.whl"
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q", "--no-deps",
         "--no-index", str(wheel)], capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    # The dependencies come from this checkout's locked environment (no network in tests); the package
    # itself only from the wheel: the checkout is on no path.
    purelib = Path(
        subprocess.run(
            [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    )  # fmt: skip
    (purelib / "locked-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    home = base / "home"
    home.mkdir()
    yield Installed(venv, home)


def test_the_wheel_ships_the_package_alone(installed: Installed) -> None:
    (wheel,) = (installed.venv.parent / "dist").glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"ecr_lifecycle", f"ecr_lifecycle-{__version__}.dist-info"}
    shipped = {n for n in names if n.endswith(".py")}
    for folder, package in (("ecr_lifecycle", "ecr_lifecycle"), ("stacks", "ecr_lifecycle/stacks")):
        for path in (ROOT / folder).rglob("*.py"):
            relative = path.relative_to(ROOT / folder).as_posix()
            assert f"{package}/{relative}" in shipped, f"{folder}/{relative} is not in the wheel"
    for template in (ROOT / "policies").glob("*.yaml"):
        assert f"ecr_lifecycle/builtin_policies/{template.name}" in names
    assert "ecr_lifecycle/scaffold/ecr-lifecycle.yml" in names
    where = installed.run(
        str(installed.venv / "bin" / "python"), "-c",
        "import ecr_lifecycle, importlib.util; print(ecr_lifecycle.__file__); "
        "print(importlib.util.find_spec('stacks'))",
    )  # fmt: skip
    module, stacks = where.stdout.splitlines()
    assert module.startswith(str(installed.venv)) and stacks == "None"


def test_every_entry_point_runs_outside_the_checkout(installed: Installed) -> None:
    version = installed.tool("--version")
    assert version.returncode == 0 and version.stdout.strip() == f"ecr-lifecycle {__version__}"
    project = installed.home / "own"
    (project / "policies").mkdir(parents=True)
    # A shipped template used by name, and an own one replacing another shipped one.
    (project / "policies" / "keep-last.yaml").write_text(
        "description: our own keep-last\nparameters:\n  keep: {type: integer, default: 3, description: how many}\n"
        "rules:\n  - description: keep ${keep}\n"
        "    selection: {tagStatus: any, countType: imageCountMoreThan, countNumber: '${keep}'}\n"
        "    action: {type: expire}\n"
    )  # fmt: skip
    (project / "repositories.yaml").write_text(
        "version: 1\ntargets:\n  - {name: prod, region: eu-west-1, account_id: '123456789012'}\n"
        "repositories:\n  - name: app/api\n    templates: [untagged-cleanup, keep-last]\n"
    )
    valid = installed.tool("validate", cwd=project)
    assert valid.returncode == 0, valid.stderr
    rendered = installed.tool("render", "app/api", "--format", "json", cwd=project)
    assert rendered.returncode == 0, rendered.stderr
    assert '"description": "keep 3"' in rendered.stdout and "untagged" in rendered.stdout.lower()
    synth = installed.tool("synth", "--outdir", "out", cwd=project)
    assert synth.returncode == 0, synth.stderr
    assert (project / "out" / "stacks" / "prod" / "cdk.tf.json").is_file()
    module = installed.run(str(installed.venv / "bin" / "python"), "-m", "ecr_lifecycle", "--version")
    assert module.stdout.strip() == f"python -m ecr_lifecycle {__version__}"
    for shell, marker in (("bash", "complete -o"), ("zsh", "#compdef ecr-lifecycle")):
        script = installed.tool("completion", shell)
        assert script.returncode == 0 and marker in script.stdout and "synth" in script.stdout, shell
    bash = installed.run(
        "bash", "-c", 'eval "$(ecr-lifecycle completion bash)"; complete -p ecr-lifecycle',
    )  # fmt: skip
    assert bash.returncode == 0 and "ecr-lifecycle" in bash.stdout, bash.stderr


def test_init_writes_a_repository_that_plans_against_a_local_endpoint(installed: Installed) -> None:
    accounts = installed.home / "accounts.yaml"
    endpoints = "{ecr: '${ECR_ENDPOINT_URL}', sts: '${ECR_ENDPOINT_URL}'}"
    accounts.write_text(
        "targets:\n"
        f"  - {{name: prod-eu, region: eu-west-1, endpoints: {endpoints}}}\n"
        f"  - {{name: prod-us, region: us-east-1, endpoints: {endpoints}}}\n"
    )
    repo = installed.home / "ecr-policies"
    init = installed.tool("init", str(repo), "--targets-from", str(accounts))
    assert init.returncode == 0, init.stderr
    for name in ("cdktf.json", "main.py", "Pipfile", "repositories.yaml", ".gitignore", "README.md",
                 ".github/workflows/ecr-lifecycle.yml", "policies/README.md"):  # fmt: skip
        assert (repo / name).is_file(), name
    assert len([line for line in (repo / "main.py").read_text().splitlines() if line and line[0] not in '"#']) == 2
    assert f'ecr-lifecycle = "=={__version__}"' in (repo / "Pipfile").read_text()
    assert "`keep-last`" in (repo / "README.md").read_text()
    again = installed.tool("init", str(repo))
    assert again.returncode == 2 and "not an empty folder" in again.stderr
    config = (repo / "repositories.yaml").read_text()
    (repo / "repositories.yaml").write_text(
        config.replace("repositories: []\n", "repositories:\n  - pattern: 'team-a/*'\n    templates: [keep-last]\n")
    )
    with local_ecr() as url:
        env = {"ECR_ENDPOINT_URL": url, "CHECKPOINT_DISABLE": "1"}
        for region in ("eu-west-1", "us-east-1"):
            ecr = boto3.client("ecr", endpoint_url=url, region_name=region,
                               aws_access_key_id=LOCAL_KEY, aws_secret_access_key=LOCAL_KEY)  # fmt: skip
            ecr.create_repository(repositoryName="team-a/api")
        assert installed.tool("validate", cwd=repo, env=env).returncode == 0
        synth = installed.tool("synth", cwd=repo, env=env)
        assert synth.returncode == 0, synth.stderr
        plan = installed.tool("plan", "--parallel", "2", cwd=repo, env=env)
        assert plan.returncode == 4, plan.stdout + plan.stderr
        assert plan.stdout.splitlines() == [
            "prod-eu: 1 to add, 0 to change, 0 to destroy",
            "prod-us: 1 to add, 0 to change, 0 to destroy",
            "2 stack(s) planned: 2 with changes",
        ]
