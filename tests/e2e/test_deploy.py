"""End to end: real cdktf, real Terraform and the real hashicorp/aws provider against a local ECR endpoint.

moto's ECR accepts neither archive-era policy fields nor repository creation templates,
so the local target deploys neither; both are proven by ``terraform validate`` against
the real provider schema in ``tests/test_synth.py``. These tests never skip: a machine
without terraform or node fails them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from devtools.local_ecr import local_ecr
from ecr_lifecycle.core.config.load import load_fleet
from ecr_lifecycle.core.policy import equivalent_policy_texts
from tests.e2e.project import CDKTF, REPOSITORIES, Project, scratch_project

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    assert CDKTF.exists(), "run scripts/bootstrap.sh (npm ci) first"
    path = scratch_project(tmp_path_factory.mktemp("project"))
    with local_ecr() as url:
        proj = Project(path, url)
        for name in REPOSITORIES:
            proj.ecr.create_repository(repositoryName=name)
            proj.ecr.put_image(
                repositoryName=name,
                imageTag="v1.0.0",
                imageManifest=json.dumps(
                    {
                        "schemaVersion": 2,
                        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                        "config": {"digest": "sha256:" + "1" * 64, "size": 1},
                        "layers": [],
                    }
                ),
            )
        yield proj


def expected_policies(project: Project) -> dict[str, str]:
    fleet = load_fleet(str(project.path / "repositories.yaml"), project.env)
    existing = {r["repositoryName"] for r in project.ecr.describe_repositories()["repositories"]}
    out = {}
    for name in sorted(existing):
        entry = fleet.entry_for("local", name)
        if entry is not None:
            out[name] = entry.composed.text
    return out


def _changed(changes: dict[str, list[str]]) -> set[str]:
    return {address.split('"')[1] for address in changes}


def test_1_deploy_puts_exactly_the_rendered_policies(project: Project) -> None:
    project.cdktf("deploy", "local", "--auto-approve", "--skip-provider-lock")
    live = project.live_policies()
    expected = expected_policies(project)
    assert (
        sorted(live)
        == sorted(expected)
        == ["payments/api", "payments/worker", "sandbox/alice/experiment", "team-a/search", "web/frontend"]
    )
    for name, text in expected.items():
        assert equivalent_policy_texts(live[name], text), name


def test_2_second_plan_has_no_changes(project: Project) -> None:
    code, changes = project.plan()
    assert (code, changes) == (0, {})


def test_3_a_template_parameter_change_touches_exactly_its_users(project: Project) -> None:
    template = project.path / "policies" / "feature-branches.yaml"
    original = template.read_text()
    before = expected_policies(project)
    try:
        template.write_text(original.replace("default: feature-", "default: feat-"))
        after = expected_policies(project)
        users = {name for name in after if after[name] != before[name]}
        assert users == {"web/frontend", "team-a/search"}  # the repositories using feature-branches
        project.synth()
        code, changes = project.plan()
        assert code == 2
        assert _changed(changes) == users
        assert all(actions == ["delete", "create"] for actions in changes.values())  # policy is ForceNew
    finally:
        template.write_text(original)
        project.synth()


def test_4_a_new_repository_matching_a_pattern_gets_its_policy_on_the_next_plan(project: Project) -> None:
    project.ecr.create_repository(repositoryName="team-a/newsvc")
    project.ecr.create_repository(repositoryName="team-a/legacy-new")  # excluded by the pattern
    code, changes = project.plan()
    assert code == 2
    assert changes == {'aws_ecr_lifecycle_policy.this["team-a/newsvc"]': ["create"]}
    project.cdktf("deploy", "local", "--auto-approve", "--skip-provider-lock")
    assert equivalent_policy_texts(
        project.live_policies()["team-a/newsvc"], expected_policies(project)["team-a/newsvc"]
    )


def test_5_a_config_error_stops_deploy_before_terraform_runs(project: Project) -> None:
    config = project.path / "repositories.yaml"
    original = config.read_text()
    before = project.live_policies()
    state = (project.path / "terraform.local.tfstate").read_bytes()
    try:
        config.write_text(
            original.replace(
                "templates: [untagged-cleanup, keep-releases, keep-last]",
                "templates: [untagged-cleanup, keep-releasez, keep-last]",
            )
        )
        proc = project.cdktf("deploy", "local", "--auto-approve", "--skip-provider-lock", check=False)
        output = proc.stdout + proc.stderr
        assert proc.returncode != 0
        assert "unknown template 'keep-releasez'" in output
        assert "Apply complete" not in output and "Creating..." not in output
        assert (project.path / "terraform.local.tfstate").read_bytes() == state
        assert project.live_policies() == before
    finally:
        config.write_text(original)


def test_6_destroy_removes_every_policy_and_nothing_else(project: Project) -> None:
    project.cdktf("destroy", "local", "--auto-approve")
    assert project.live_policies() == {}
    names = {r["repositoryName"] for r in project.ecr.describe_repositories()["repositories"]}
    assert set(REPOSITORIES) <= names
    images: Any = project.ecr.describe_images(repositoryName="payments/api")["imageDetails"]
    assert [i["imageTags"] for i in images] == [["v1.0.0"]]
