"""Synthesis: stack contents, golden output, determinism, and ``terraform validate`` on the real provider."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cdktf import Testing as CdktfTesting

from ecr_lifecycle.core.config.load import load_fleet
from ecr_lifecycle.core.config.shards import stack_plans
from stacks.splice import Splicer
from stacks.target_stack import TargetStack

pytestmark = pytest.mark.slow  # processes, engines or many generated cases: not in the fast tier

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "repositories.yaml"
MULTI = ROOT / "examples" / "multi-account" / "repositories.yaml"
LOCAL_ENV = {"ECR_ENDPOINT_URL": "http://127.0.0.1:4566"}


def synth_stack(config: Path, target: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    fleet = load_fleet(str(config), env or LOCAL_ENV)
    values = Splicer()
    stack = TargetStack(CdktfTesting.app(), stack_plans(fleet)[target], state_dir="../../..", values=values)
    doc: dict[str, Any] = json.loads(values.splice_text(CdktfTesting.synth(stack)))
    return doc


def run_main(config: Path, outdir: Path, cwd: Path = ROOT, engine: str = "cdktf") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--config", str(config), "--outdir", str(outdir)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **LOCAL_ENV, "ECR_LIFECYCLE_ENGINE": engine},
        timeout=180,
    )


def test_local_stack_has_one_policy_resource_over_names_and_patterns() -> None:
    doc = synth_stack(EXAMPLE, "local")
    policy = doc["resource"]["aws_ecr_lifecycle_policy"]["this"]
    assert policy["for_each"] == "${merge(local.pattern_repositories, local.repositories)}"
    assert policy["repository"] == "${each.key}"
    assert policy["policy"] == "${local.policies[each.value]}"
    assert sorted(doc["locals"]["repositories"]) == ["payments/api", "payments/worker", "web/frontend"]
    assert [p["regex"] for p in doc["locals"]["patterns"]] == ["^team-a/[^/]*$", "^sandbox/.*$"]
    assert doc["locals"]["patterns"][0]["exclude"] == ["^team-a/legacy-[^/]*$"]
    assert "aws_ecr_repositories" in doc["data"]
    assert "aws_ecr_repository_creation_template" not in doc.get("resource", {})


def test_local_provider_skips_credentials_only_for_loopback_targets() -> None:
    local = synth_stack(EXAMPLE, "local")["provider"]["aws"][0]
    assert local["skip_credentials_validation"] is True and local["endpoints"][0]["ecr"] == "http://127.0.0.1:4566"
    prod = synth_stack(MULTI, "prod-eu")["provider"]["aws"][0]
    assert not any(k.startswith("skip_") for k in prod) and "access_key" not in prod
    assert prod["allowed_account_ids"] == ["111111111111"]
    assert prod["assume_role"][0]["role_arn"].endswith(":role/ecr-lifecycle-deployer")


def test_remote_stack_has_s3_backend_and_creation_templates() -> None:
    doc = synth_stack(MULTI, "dev-eu")
    assert doc["terraform"]["backend"]["s3"]["use_lockfile"] is True
    assert doc["terraform"]["backend"]["s3"]["key"] == "ecr-lifecycle/dev-eu.tfstate"
    templates = doc["locals"]["creation_templates"]
    assert sorted(templates) == ["ROOT", "docker-hub"]
    assert templates["ROOT"]["applied_for"] == ["PULL_THROUGH_CACHE", "REPLICATION"]
    resource = doc["resource"]["aws_ecr_repository_creation_template"]["creation_template"]
    assert resource["lifecycle_policy"] == "${local.policies[each.value.policy]}"
    assert doc["terraform"]["required_providers"]["aws"] == {"source": "hashicorp/aws", "version": ">= 5.61.0, < 7.0.0"}


@pytest.mark.parametrize(("config", "target"), [(EXAMPLE, "local"), (MULTI, "prod-eu"), (MULTI, "dev-eu")])
def test_every_referenced_policy_exists_and_is_valid(config: Path, target: str) -> None:
    from ecr_lifecycle.core.policy import check_policy_text

    doc = synth_stack(config, target)
    policies = doc["locals"]["policies"]
    referenced = set(doc["locals"]["repositories"].values())
    referenced |= {p["policy"] for p in doc["locals"].get("patterns", [])}
    referenced |= {t["policy"] for t in doc["locals"].get("creation_templates", {}).values()}
    assert referenced == set(policies)
    for text in policies.values():
        assert check_policy_text(text).ok


def test_golden_output_for_the_bundled_example(tmp_path: Path) -> None:
    # A copy laid out like a checkout, so the state path (relative to the config) reads as in the repository.
    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    shutil.copy(EXAMPLE, tmp_path / "repositories.yaml")
    proc = run_main(tmp_path / "repositories.yaml", tmp_path / "cdktf.out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    produced = (tmp_path / "cdktf.out" / "stacks" / "local" / "cdk.tf.json").read_text()
    golden = ROOT / "tests" / "golden" / "local.cdk.tf.json"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(produced)
    assert produced == golden.read_text(), "synthesized JSON changed; review, then rerun with UPDATE_GOLDEN=1"


def test_synthesis_is_byte_identical_and_independent_of_entry_order(tmp_path: Path) -> None:
    text = EXAMPLE.read_text()
    api = text[text.index("  - name: payments/api") : text.index("  - name: payments/worker")]
    worker = text[text.index("  - name: payments/worker") : text.index("  - name: web/frontend")]
    swapped = text.replace(api + worker, worker + api)
    assert swapped != text
    outputs = []
    for name, config_text in (("a", text), ("b", text), ("c", swapped)):
        project = tmp_path / name
        shutil.copytree(ROOT / "policies", project / "policies")
        (project / "repositories.yaml").write_text(config_text)
        proc = run_main(project / "repositories.yaml", project / "cdktf.out", cwd=project)
        assert proc.returncode == 0, proc.stderr
        outputs.append((project / "cdktf.out" / "stacks" / "local" / "cdk.tf.json").read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]


def _terraform(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"}
    return subprocess.run(["terraform", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300)


ENGINES = ("cdktf", "cdktn")


def _without_engine_version(doc: dict[str, Any]) -> dict[str, Any]:
    metadata = doc["//"]["metadata"]
    assert metadata.pop("version") in {"0.21.0", "0.24.0"}
    return doc


@pytest.mark.parametrize("config", [EXAMPLE, MULTI], ids=["bundled-example", "multi-account"])
def test_both_engines_synthesize_the_same_terraform(tmp_path: Path, config: Path) -> None:
    """cdktf 0.21 and CDK Terrain 0.24 differ only in the engine version they stamp into the metadata."""
    stacks: dict[str, dict[str, Any]] = {}
    for engine in ENGINES:
        proc = run_main(config, tmp_path / engine, engine=engine)
        assert proc.returncode == 0, proc.stderr
        for path in sorted((tmp_path / engine / "stacks").glob("*/cdk.tf.json")):
            doc = json.loads(path.read_text())
            assert doc["//"]["metadata"]["version"] == {"cdktf": "0.21.0", "cdktn": "0.24.0"}[engine]
            stacks.setdefault(path.parent.name, {})[engine] = _without_engine_version(doc)
    assert stacks and all(len(by_engine) == 2 for by_engine in stacks.values())
    for name, by_engine in stacks.items():
        assert by_engine["cdktf"] == by_engine["cdktn"], name


def test_an_unknown_engine_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    proc = run_main(EXAMPLE, tmp_path / "out", engine="cdk8s")
    assert proc.returncode == 1
    assert proc.stderr.strip() == "error: ECR_LIFECYCLE_ENGINE='cdk8s': expected one of cdktf, cdktn"
    assert not (tmp_path / "out").exists()


def test_a_node_that_does_not_start_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "node"
    broken.write_text("#!/bin/sh\necho 'node: cannot start' >&2\nexit 1\n")
    broken.chmod(0o755)
    proc = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--config", str(EXAMPLE), "--outdir", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env={**os.environ, **LOCAL_ENV, "JSII_NODE": str(broken)},
        timeout=180,
    )
    assert proc.returncode == 1
    assert "error: the CDK engine did not start" in proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("config", [EXAMPLE, MULTI], ids=["bundled-example", "multi-account"])
def test_terraform_validate_accepts_every_stack(tmp_path: Path, config: Path, engine: str) -> None:
    """Proves our hand-written constructs against the real hashicorp/aws provider schema, on either engine."""
    out = tmp_path / "out"
    assert run_main(config, out, engine=engine).returncode == 0
    plugin_cache = tmp_path / "plugins"
    for stack in sorted((out / "stacks").iterdir()):
        init = _terraform(["init", "-backend=false", "-input=false", "-no-color"], stack)
        assert init.returncode == 0, init.stdout + init.stderr
        validate = _terraform(["validate", "-no-color", "-json"], stack)
        result = json.loads(validate.stdout)
        assert result["valid"], result["diagnostics"]
        assert result["warning_count"] == 0, result["diagnostics"]
    assert not plugin_cache.exists()
