"""The AWS-facing commands (``import``, ``drift``, ``preview --live``) against bad flags, bad environments and
an unreachable or half-writable output: one line, the documented exit code, nothing written."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devtools.local_ecr import local_client, local_ecr
from ecr_lifecycle.aws import policies
from ecr_lifecycle.aws.session import LOCAL_KEY, AwsSetupError, check_account, ecr_client, service_client
from ecr_lifecycle.core.config.model import Backend, Target
from tests.inprocess import invoke

POLICY = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "description": "keep the newest ten images of any kind",
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 10},
                "action": {"type": "expire"},
            }
        ]
    }
)


@pytest.fixture(scope="module")
def registry() -> Iterator[str]:
    with local_ecr() as url:
        ecr = local_client("ecr", url)
        ecr.create_repository(repositoryName="svc/a")
        ecr.put_lifecycle_policy(repositoryName="svc/a", lifecyclePolicyText=POLICY)
        yield url


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, registry: str) -> str:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", LOCAL_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", LOCAL_KEY)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    return registry


def _import(output: Path, url: str, *extra: str) -> list[str]:
    return [
        "import",
        "--output",
        str(output),
        "--name",
        "local",
        "--region",
        "us-east-1",
        "--endpoint-url",
        url,
        *extra,
    ]


def _listing(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_import_writes_a_config_that_validates(tmp_path: Path, aws_env: str) -> None:
    out = invoke(*_import(tmp_path / "adopted", aws_env))
    assert out.code == 0, out.stderr
    assert invoke("validate", "--config", str(tmp_path / "adopted" / "repositories.yaml")).code == 0
    assert [p.name for p in tmp_path.iterdir()] == ["adopted"]  # no staging folder left behind


def test_import_refuses_any_existing_file_without_force(tmp_path: Path, aws_env: str) -> None:
    target = tmp_path / "adopted"
    (target / "policies").mkdir(parents=True)
    (target / "policies" / "imported-1.yaml").write_text("mine\n")  # no repositories.yaml: still refused
    out = invoke(*_import(target, aws_env))
    assert out.code == 2 and "imported-1.yaml exists; pass --force" in out.stderr
    assert _listing(target) == {"policies/imported-1.yaml": b"mine\n"}


def test_import_force_onto_a_folder_named_like_the_config_writes_nothing(tmp_path: Path, aws_env: str) -> None:
    target = tmp_path / "adopted"
    (target / "repositories.yaml").mkdir(parents=True)
    out = invoke(*_import(target, aws_env, "--force"))
    assert out.code == 2 and "is not a regular file" in out.stderr and "Traceback" not in out.stderr
    assert _listing(target) == {} and not (target / "policies").exists()


def test_import_output_that_is_a_file(tmp_path: Path, aws_env: str) -> None:
    (tmp_path / "file").write_text("x")
    out = invoke(*_import(tmp_path / "file", aws_env))
    assert out.code == 2 and "not a folder" in out.stderr


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        ("targets: [{name: x}]", "region"),
        ("targets: [1]", "targets[0]"),
        ("targets: [{name: x, region: us-east-1, endpoints: {ecr: 5}}]", "endpoints.ecr"),
        ("targets: [{name: x, region: 'bogus region'}]", "region"),
    ],
)
def test_import_targets_are_checked_like_a_config(tmp_path: Path, aws_env: str, targets: str, message: str) -> None:
    (tmp_path / "targets.yaml").write_text(targets + "\n")
    out = invoke("import", "--output", str(tmp_path / "o"), "--targets-from", str(tmp_path / "targets.yaml"))
    assert out.code == 1 and message in out.stderr and out.stderr.count("\n") == 1
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("extra", "env", "message"),
    [
        (["--profile", "nope"], {}, "profile"),
        (["--endpoint-url", "notaurl"], {}, "notaurl"),
        ([], {"AWS_MAX_ATTEMPTS": "abc"}, "AWS_MAX_ATTEMPTS"),
    ],
)
def test_setup_failures_are_one_line_exit_1(
    tmp_path: Path, aws_env: str, monkeypatch: pytest.MonkeyPatch, extra: list[str], env: dict[str, str], message: str
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    args = ["import", "--output", str(tmp_path / "o"), "--name", "local", "--region", "us-east-1"]
    out = invoke(*args, *(extra if "--endpoint-url" in extra else [*extra, "--endpoint-url", aws_env]))
    assert out.code == 1 and message in out.stderr and out.stderr.count("\n") == 1, out.stderr
    assert not (tmp_path / "o").exists()


def test_an_unreachable_endpoint_is_exit_1(tmp_path: Path, aws_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    out = invoke(*_import(tmp_path / "o", "http://127.0.0.1:9"))
    assert out.code == 1 and out.stderr.count("\n") == 1 and "Traceback" not in out.stderr


def test_save_inventory_onto_a_file_is_one_line(tmp_path: Path, aws_env: str) -> None:
    (tmp_path / "policies").mkdir()
    config = tmp_path / "repositories.yaml"
    config.write_text(f"version: 1\ntargets: [{{name: local, region: us-east-1, endpoints: {{ecr: '{aws_env}'}}}}]\n")
    (tmp_path / "inv").write_text("a file, not a folder")
    out = invoke("preview", "--config", str(config), "--live", "--save-inventory", str(tmp_path / "inv"))
    assert out.code == 2 and "--save-inventory" in out.stderr and out.stderr.count("\n") == 1


ADOPT_RULES = (
    "    rules: [{selection: {tagStatus: any, countType: imageCountMoreThan, countNumber: 10}, "
    "action: {type: expire}, description: keep the newest ten images of any kind}]\n"
)


def _config(tmp: Path, url: str, extra: str = "", account: str = "") -> Path:
    (tmp / "policies").mkdir(exist_ok=True)
    config = tmp / "repositories.yaml"
    account_line = f", account_id: '{account}'" if account else ""
    config.write_text(
        f"version: 1\ntargets: [{{name: local, region: us-east-1{account_line}, endpoints: {{ecr: '{url}'}}}}]\n"
        + extra
    )
    return config


@pytest.mark.parametrize("command", [["drift"], ["preview", "--live"], ["prune-adopt"]])
def test_the_credentials_must_reach_the_configured_account(tmp_path: Path, aws_env: str, command: list[str]) -> None:
    adopted = "repositories:\n  - name: svc/a\n    adopt: true\n" + ADOPT_RULES
    config = _config(tmp_path, aws_env, adopted, account="111111111111")  # moto answers as 123456789012
    out = invoke(*command, "--config", str(config), *(["--format", "json"] if command[0] != "prune-adopt" else []))
    assert out.code == 1, out.stderr
    assert "123456789012" in out.stderr and "111111111111" in out.stderr and out.stdout == ""
    matching = _config(tmp_path, aws_env, account="123456789012")
    assert invoke("drift", "--config", str(matching)).code in (0, 4)


def test_import_checks_the_account_too(tmp_path: Path, aws_env: str) -> None:
    out = invoke(*_import(tmp_path / "o", aws_env, "--account-id", "111111111111"))
    assert out.code == 1 and "123456789012" in out.stderr and not (tmp_path / "o").exists()


def test_prune_adopt_removes_only_the_flags_whose_policy_is_in_place(tmp_path: Path, aws_env: str) -> None:
    extra = (
        "repositories:\n"
        "  # adopted from the live registry\n"
        "  - name: svc/a\n    adopt: true  # in place\n"
        + ADOPT_RULES
        + "  - name: svc/missing\n    adopt: true\n"
        + ADOPT_RULES
    )
    config = _config(tmp_path, aws_env, extra)
    ecr = local_client("ecr", aws_env)
    ecr.create_repository(repositoryName="svc/missing")  # a repository whose policy was deleted after import
    drift = invoke("drift", "--config", str(config))
    assert "svc/missing: 'adopt: true'" in drift.stdout and "the next plan fails" in drift.stdout
    assert "1 'adopt: true' flag(s) can be removed" in drift.stdout
    before = config.read_text()
    out = invoke("prune-adopt", "--config", str(config))
    assert out.code == 0, out.stderr
    assert config.read_text() == before.replace("    adopt: true  # in place\n", "    # in place\n")
    assert "1 'adopt: true' flag(s) removed, 1 kept" in out.stderr


ADOPTED = "repositories:\n  - name: svc/a\n    adopt: true\n" + ADOPT_RULES


def test_prune_adopt_edits_the_file_a_symlinked_config_points_to(tmp_path: Path, aws_env: str) -> None:
    real = _config(tmp_path, aws_env, ADOPTED)
    (tmp_path / "link").mkdir()
    (tmp_path / "link" / "policies").mkdir()
    link = tmp_path / "link" / "repositories.yaml"
    link.symlink_to(real)
    out = invoke("prune-adopt", "--config", str(link))
    assert out.code == 0, out.stderr
    assert link.is_symlink() and link.resolve() == real
    assert "adopt" not in real.read_text()


def test_prune_adopt_in_a_read_only_folder_is_one_line_exit_2(
    tmp_path: Path, aws_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _config(tmp_path, aws_env, ADOPTED)
    before = config.read_bytes()
    if os.geteuid() == 0:  # permission bits do not bind root: the folder refuses new files as the kernel would
        real_open = os.open

        def refusing(path: str, flags: int, *args: int, **kwargs: int) -> int:
            if flags & os.O_CREAT and os.path.dirname(os.path.abspath(path)) == str(tmp_path):
                raise PermissionError(errno.EACCES, "Permission denied", path)
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(os, "open", refusing)
    tmp_path.chmod(0o555)
    try:
        out = invoke("prune-adopt", "--config", str(config))
    finally:
        tmp_path.chmod(0o755)
    assert out.code == 2 and out.stderr == f"error: {config}: cannot write: Permission denied\n"
    assert config.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["policies", "repositories.yaml"]


def test_prune_adopt_refuses_a_config_edited_while_aws_was_read(
    tmp_path: Path, aws_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _config(tmp_path, aws_env, ADOPTED)
    # Someone adds an entry above svc/a meanwhile: index 0 is now svc/b, whose flag must stay.
    edited = config.read_text().replace(
        "repositories:\n", "repositories:\n  - name: svc/b\n    adopt: true\n" + ADOPT_RULES
    )
    real_read = policies.read_policies

    def read_and_edit(*args: Any, **kwargs: Any) -> dict[str, str | None]:
        config.write_text(edited)
        return real_read(*args, **kwargs)

    monkeypatch.setattr(policies, "read_policies", read_and_edit)
    out = invoke("prune-adopt", "--config", str(config))
    assert out.code == 2 and out.stderr == f"error: {config} changed while it was being read; run again\n"
    assert config.read_text() == edited


def test_progress_only_on_a_terminal_or_when_asked(tmp_path: Path, aws_env: str) -> None:
    config = _config(tmp_path, aws_env)
    quiet = invoke("drift", "--config", str(config))
    assert quiet.stderr == ""
    shown = invoke("drift", "--config", str(config), "--progress")
    assert "reading local" in shown.stderr


def test_failures_never_print_a_urls_password() -> None:
    from ecr_lifecycle.aws.session import describe_failure

    said = describe_failure(ValueError('Could not connect to "http://user:s3cret@127.0.0.1:9/"'))
    assert "s3cret" not in said and "http://user:***@127.0.0.1:9/" in said


SERVICES = ("ecs", "lambda", "batch", "apprunner", "sts", "ecr")


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every boto3 client made records its endpoint; one off loopback fails the test before it sends anything."""
    import boto3.session

    from ecr_lifecycle.core.config.model import is_loopback_url

    made: list[str] = []
    real = boto3.session.Session.client

    def client(self: boto3.session.Session, *args: Any, **kwargs: Any) -> Any:
        made_client = real(self, *args, **kwargs)
        made.append(made_client.meta.endpoint_url)
        assert is_loopback_url(made_client.meta.endpoint_url), f"a client for {made_client.meta.endpoint_url}"
        return made_client

    monkeypatch.setattr(boto3.session.Session, "client", client)
    return made


def _local_target(url: str, *services: str, role_arn: str | None = None) -> Target:
    endpoints = tuple((s, url) for s in services)
    return Target("local", "eu-west-1", Backend("local"), role_arn=role_arn, endpoints=endpoints)


def _client(service: str, target: Target, endpoint_url: str | None = None) -> Any:
    if service == "ecr":
        return ecr_client(target, endpoint_url=endpoint_url)
    return service_client(service, target, endpoint_url=endpoint_url)


@pytest.mark.parametrize("service", SERVICES)
def test_a_local_targets_clients_all_go_to_its_emulator(service: str, aws_env: str, loopback_only: list[str]) -> None:
    """Only ECR and STS listed: the other services go to the ECR endpoint (moto serves all on one port)."""
    target = _local_target(aws_env, "ecr", "sts")
    client = _client(service, target)
    assert client.meta.endpoint_url == aws_env and loopback_only == [aws_env]


@pytest.mark.parametrize("service", SERVICES)
def test_a_role_is_assumed_through_the_local_targets_sts(service: str, aws_env: str, loopback_only: list[str]) -> None:
    target = _local_target(aws_env, "ecr", "sts", role_arn="arn:aws:iam::123456789012:role/deployer")
    client = _client(service, target)
    assert loopback_only == [aws_env, aws_env]  # the STS client that assumed the role, then this one
    if service == "sts":  # the client holds the role's keys, not the emulator's
        assert ":assumed-role/deployer/ecr-lifecycle" in client.get_caller_identity()["Arn"]
    check_account(dataclasses.replace(target, account_id="123456789012"))


@pytest.mark.parametrize(
    ("service", "flag"),
    [(s, None) for s in SERVICES if s != "sts"] + [(s, "https://ecr.example.com") for s in SERVICES[:4]],
)
def test_a_local_target_without_an_endpoint_for_a_service_is_refused(
    service: str, flag: str | None, aws_env: str, loopback_only: list[str]
) -> None:
    """Listing only STS (or an --endpoint-url off loopback, which is where ECR was asked to go): nothing local
    serves the service, and AWS is no stand-in for an emulator."""
    target = _local_target(aws_env, "sts")
    with pytest.raises(AwsSetupError) as refused:
        _client(service, target, flag)
    assert f"none serves {service}" in str(refused.value) and "\n" not in str(refused.value)
    assert loopback_only == []


def test_in_use_refuses_a_local_target_that_lists_no_endpoint_for_ecs(
    tmp_path: Path, aws_env: str, loopback_only: list[str]
) -> None:
    (tmp_path / "policies").mkdir()
    config = tmp_path / "repositories.yaml"
    config.write_text(f"version: 1\ntargets: [{{name: local, region: us-east-1, endpoints: {{sts: '{aws_env}'}}}}]\n")
    out = invoke("in-use", "--config", str(config))
    assert out.code == 1 and out.stdout == "" and out.stderr.count("\n") == 1, out.stderr
    assert "target local: its endpoints are all on loopback" in out.stderr and "none serves ecs" in out.stderr
