"""Config checks: each code has a config that triggers it and the example configs trigger none."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecr_lifecycle.core.config.checks import CHECKS
from ecr_lifecycle.core.config.load import load_fleet
from ecr_lifecycle.core.sourcefile import SourceError
from tests.test_synth import EXAMPLE, MULTI

HEAD = "version: 1\ntargets:\n  - {name: t, region: REGION}\n"
RULE = (
    "    rules: [{selection: {tagStatus: any, countType: imageCountMoreThan, countNumber: 5}, "
    "action: {type: expire}, description: keep the newest five images of any kind}]\n"
)

CASES = [
    ("E401", HEAD.replace("REGION", "eu-wset-1"), "targets[0].region", "did you mean 'eu-west-1'?"),
    ("W104", HEAD.replace("REGION", "zz-moon-9"), "targets[0].region", "not one we know ECR in"),
    (
        "E402",
        "version: 1\ntargets:\n  - {name: t, region: REGION, backend: {type: local, path: x.tfstate}}\n"
        "  - {name: u, region: REGION, backend: {type: local, path: ./x.tfstate}}\n",
        "targets[1].backend",
        "target 'u' uses the same Terraform state as target 't' (targets[0]): local file x.tfstate;",
    ),
    (
        "W101",
        HEAD + "repositories:\n  - pattern: 'team-*/**'\n" + RULE + "  - pattern: 'team-a/*'\n" + RULE,
        "repositories[1].pattern",
        "the earlier pattern 'team-*/**' (repositories[0]) takes every name",
    ),
    ("W102", HEAD + "repositories:\n  - pattern: 'team-a/'\n" + RULE, "repositories[0].pattern", "never matches"),
    (
        "W103",
        HEAD + "repositories:\n  - pattern: 'team-a/*'\n    exclude: ['team-b/*']\n" + RULE,
        "repositories[0].exclude[0]",
        "never matches a name of pattern 'team-a/*'",
    ),
]


def _load(tmp: Path, text: str) -> object:
    (tmp / "policies").mkdir(exist_ok=True)
    (tmp / "repositories.yaml").write_text(text.replace("REGION", "us-east-1"))
    return load_fleet(str(tmp / "repositories.yaml"))


@pytest.mark.parametrize(("code", "config", "path", "message"), CASES, ids=[c[0] for c in CASES])
def test_each_config_check_fires(tmp_path: Path, code: str, config: str, path: str, message: str) -> None:
    if code.startswith("E"):
        with pytest.raises(SourceError) as raised:
            _load(tmp_path, config)
        assert any(f"{path}: {code} " in m and message in m for m in raised.value.messages), raised.value.messages
        return
    fleet = _load(tmp_path, config)
    found = [(where, f) for where, f in fleet.config_warnings if f.code == code]  # type: ignore[attr-defined]
    assert found and found[0][0].endswith(path) and message in found[0][1].message


def test_every_config_check_has_a_case() -> None:
    assert {c.code for c in CHECKS} == {c[0] for c in CASES}


def test_an_earlier_pattern_whose_exclude_lets_names_through_does_not_cover() -> None:
    from ecr_lifecycle.core.config.matching import glob_covers, globs_overlap

    assert glob_covers("team-*/**", "team-a/*") and not glob_covers("team-a/*", "team-*/**")
    assert globs_overlap("team-*/x", "*-a/*") and not globs_overlap("team-a/*", "team-b/*")


@pytest.mark.parametrize("config", [EXAMPLE, MULTI], ids=["bundled", "multi-account"])
def test_the_examples_are_clean(config: Path) -> None:
    assert load_fleet(str(config), {"ECR_ENDPOINT_URL": "http://127.0.0.1:1"}).config_warnings == ()


W003_RULE = (
    "    rules: [{selection: {tagStatus: any, countType: sinceImagePushed, countUnit: days, countNumber: 30}, "
    "action: {type: expire}, description: expire everything older than a month}]\n"
)


def _validate(tmp: Path, text: str, *extra: str) -> tuple[int, str, str]:
    from tests.inprocess import invoke

    (tmp / "policies").mkdir(exist_ok=True)
    (tmp / "repositories.yaml").write_text(text)
    out = invoke("validate", "--config", str(tmp / "repositories.yaml"), *extra)
    return out.code, out.stdout, out.stderr


def test_many_entries_with_one_warning_print_one_line(tmp_path: Path) -> None:
    entries = "".join(f"  - name: svc/app-{n:03d}\n" + W003_RULE for n in range(300))
    code, out, _ = _validate(tmp_path, HEAD.replace("REGION", "us-east-1") + "repositories:\n" + entries)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("W003 from inline rules, 300 entries (t/svc/app-000, t/svc/app-001, t/svc/app-002, …)")
    assert lines[1].endswith("300 warning(s)")
    code, out, _ = _validate(
        tmp_path, HEAD.replace("REGION", "us-east-1") + "repositories:\n" + entries, "--every-warning"
    )
    assert len(out.splitlines()) == 301


@pytest.mark.parametrize("where", ["entry", "defaults", "template"])
def test_warnings_can_be_silenced_with_a_reason_and_are_counted(tmp_path: Path, where: str) -> None:
    ignore = "[{code: W003, reason: 'scratch repositories, nothing runs from them'}]"
    head = HEAD.replace("REGION", "us-east-1")
    (tmp_path / "policies").mkdir()
    template = (
        "description: expire everything older than a month\n"
        "rules:\n  - selection: {tagStatus: any, countType: sinceImagePushed, countUnit: days, countNumber: 30}\n"
        "    action: {type: expire}\n    description: expire everything older than a month\n"
    )
    if where == "template":
        template += f"ignore: {ignore}\n"
    (tmp_path / "policies" / "month.yaml").write_text(template)
    entry = "  - name: svc/a\n    templates: [month]\n"
    if where == "entry":
        entry += f"    ignore: {ignore}\n"
    defaults = f"defaults:\n  ignore: {ignore}\n" if where == "defaults" else ""
    code, out, _ = _validate(tmp_path, head + defaults + "repositories:\n" + entry)
    assert code == 0
    assert "W003" not in out.split("\n")[0] and out.strip().endswith("0 warning(s), 1 silenced by ignore")


def test_an_ignore_needs_a_reason(tmp_path: Path) -> None:
    text = (
        HEAD.replace("REGION", "us-east-1") + "repositories:\n  - name: svc/a\n    ignore: [{code: W003}]\n" + W003_RULE
    )
    code, _, err = _validate(tmp_path, text)
    assert code == 1 and "reason" in err


def test_config_warnings_can_be_silenced_per_entry(tmp_path: Path) -> None:
    text = (
        HEAD.replace("REGION", "us-east-1")
        + "repositories:\n  - pattern: 'team-a/*'\n    exclude: ['team-b/*']\n"
        + "    ignore: [{code: W103, reason: 'kept while team-b moves in'}]\n"
        + RULE
    )
    code, out, _ = _validate(tmp_path, text)
    assert code == 0 and "W103" not in out and "1 silenced by ignore" in out


def test_validate_against_an_inventory_lists_idle_entries_and_unmatched_repositories(tmp_path: Path) -> None:
    import json

    from tests.inprocess import invoke

    images = [
        {"repositoryName": name, "imageDigest": "sha256:1", "imagePushedAt": 1767225600}
        for name in ("payments/api", "team-a/search", "tools/unmanaged")
    ]
    (tmp_path / "images.json").write_text(json.dumps({"imageDetails": images}))
    env_config = str(EXAMPLE)
    out = invoke("validate", "--config", env_config, "--images", str(tmp_path / "images.json"))
    assert out.code == 0, out.stderr
    assert "entry matches no repository: local/payments/worker (" in out.stdout
    assert "entry matches no repository: local/pattern sandbox/**" in out.stdout
    assert "1 repositories no entry matches: local/tools/unmanaged" in out.stdout
    doc = json.loads(invoke("validate", "--config", env_config, "--images", str(tmp_path / "images.json"),
                            "--format", "json").stdout)  # fmt: skip
    assert doc["coverage"]["repositoriesWithoutEntry"] == [{"target": "local", "repository": "tools/unmanaged"}]


def test_compiled_schemas_never_reach_for_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from ecr_lifecycle.core import jsonschema_errors
    from ecr_lifecycle.core.config.targets import target_schema

    def refuse(*_: object) -> None:
        raise AssertionError("network access while compiling a schema")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(jsonschema_errors, "_COMPILED", {})
    full = jsonschema_errors.packaged_schema("ecr_lifecycle.core.config.schema", "repositories.schema.json")
    for schema in (full, target_schema()):
        assert jsonschema_errors._fast_validator(schema) is not None
        assert jsonschema_errors.is_valid(schema, {"version": 1, "targets": [{"name": "t", "region": "us-east-1"}]})
        assert not jsonschema_errors.is_valid(schema, {"version": 1, "targets": [{"name": "t"}]})


def _s3(name: str, key: str, extra: str = "", region: str = "eu-west-1") -> str:
    backend = f"{{type: s3, bucket: state, key: {key}, region: {region}}}"
    return f"  - {{name: {name}, region: us-east-1, {extra}backend: {backend}}}\n"


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        (
            _s3("a", "ecr.tfstate") + _s3("b", "ecr.tfstate"),
            "targets[1].backend: E402 target 'b' uses the same Terraform state as target 'a' (targets[0]): "
            "s3://state/ecr.tfstate in eu-west-1;",
        ),
        (  # a shard's own key is the one another target names
            _s3("a", "ecr.tfstate", "shards: 2, ") + _s3("b", "ecr-1-of-2.tfstate"),
            "target 'b' uses the same Terraform state as target 'a' (stack 'a-1') (targets[0]): "
            "s3://state/ecr-1-of-2.tfstate in eu-west-1;",
        ),
        (  # both default to terraform.a-0-of-2.tfstate
            "  - {name: a, region: us-east-1, shards: 2}\n  - {name: a-0-of-2, region: us-east-1}\n",
            "targets[1].name: E402 target 'a-0-of-2' uses the same Terraform state as target 'a' (stack 'a-0') "
            "(targets[0]): local file terraform.a-0-of-2.tfstate;",
        ),
        (  # a retired shard still points at its old state
            _s3("a", "ecr.tfstate", "shards: 2, previous_shards: 1, ") + _s3("b", "ecr.tfstate"),
            "target 'b' uses the same Terraform state as target 'a' (stack 'a-retired') (targets[0]): "
            "s3://state/ecr.tfstate in eu-west-1;",
        ),
    ],
    ids=["same-s3-key", "shard-key", "default-paths", "retired-shard"],
)
def test_two_targets_on_one_state_are_one_located_line(tmp_path: Path, targets: str, message: str) -> None:
    code, out, err = _validate(tmp_path, "version: 1\ntargets:\n" + targets)
    assert code == 1  # invalid config content (README's exit codes)
    lines = [line for line in (out + err).splitlines() if "E402" in line]
    assert len(lines) == 1 and message in lines[0] and str(tmp_path / "repositories.yaml") + ":" in lines[0], out + err
    assert "Traceback" not in out + err


def test_targets_on_their_own_states_pass(tmp_path: Path) -> None:
    targets = (
        "  - {name: a, region: us-east-1}\n  - {name: b, region: us-east-1, shards: 2}\n"  # default paths
        + _s3("c", "ecr.tfstate")
        + _s3("d", "ecr.tfstate", region="cn-north-1")  # another partition: another bucket of that name
        + _s3("e", "ecr.tfstate", "shards: 2, ")  # its shards use ecr-0-of-2 and ecr-1-of-2
        + "  - {name: f, region: us-east-1, backend: {type: local, path: ecr.tfstate}}\n"  # local, not S3
    )
    code, out, err = _validate(tmp_path, "version: 1\ntargets:\n" + targets)
    assert code == 0, out + err
