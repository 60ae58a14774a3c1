"""Hostile and careless input: each test reproduces one defect found by trying to break the tool."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ecr_lifecycle.core.config.model import is_loopback_url
from ecr_lifecycle.core.preview.guards import BadReference, parse_reference
from tests.helpers import policy, rule
from tests.inprocess import invoke

NOW = "2026-06-01T00:00:00Z"
DIGEST = "sha256:" + "a" * 64

TWO_TARGETS = """
version: 1
targets:
  - {name: a, region: eu-west-1, account_id: "111111111111"}
  - {name: b, region: us-east-1, account_id: "222222222222"}
repositories:
  - name: payments/worker
    targets: [a]
    rules:
      - selection: {tagStatus: any, countType: imageCountMoreThan, countNumber: 1}
        action: {type: expire}
        description: keep only the newest image of the worker here
  - name: payments/worker
    targets: [b]
    rules:
      - selection: {tagStatus: any, countType: imageCountMoreThan, countNumber: 100}
        action: {type: expire}
        description: keep a hundred images of the worker in this one
"""


def _image(digest: str, tag: str, day: int) -> dict[str, Any]:
    return {
        "repositoryName": "payments/worker",
        "imageDigest": digest,
        "imageTags": [tag],
        "imagePushedAt": f"2026-05-{day:02d}T00:00:00Z",
        "imageSizeInBytes": 1000,
    }


@pytest.fixture
def fleet(tmp_path: Path) -> Path:
    """One repository name in two targets: target a expires the older image, target b keeps it."""
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / ".keep").write_text("")  # git keeps no empty folder
    (tmp_path / "repositories.yaml").write_text(TWO_TARGETS)
    for target in ("a", "b"):
        folder = tmp_path / "inv" / target
        folder.mkdir(parents=True)
        images = [_image(DIGEST, "v1", 1), _image("sha256:" + "b" * 64, "v2", 2)]
        (folder / "images.json").write_text(json.dumps({"imageDetails": images}))
    return tmp_path


# 1. Decisions keyed by repository name only: the second target overwrote the first.
def test_in_use_guard_sees_every_target_with_the_same_repository_name(fleet: Path) -> None:
    (fleet / "in-use.txt").write_text(f"payments/worker@{DIGEST}\n")
    out = invoke(
        "preview", "--config", str(fleet / "repositories.yaml"), "--images", str(fleet / "inv"),
        "--in-use", str(fleet / "in-use.txt"), "--now", NOW, "--format", "json",
    )  # fmt: skip
    assert out.code == 3, out.stderr
    doc = json.loads(out.stdout)
    assert [(h["target"], h["imageDigest"]) for h in doc["inUse"]] == [("a", DIGEST)]
    assert "(target a)" in out.stderr
    assert sorted((i["target"], i["expiring"]) for i in doc["impact"]) == [("a", 1), ("b", 0)]
    table = invoke(
        "preview", "--config", str(fleet / "repositories.yaml"), "--images", str(fleet / "inv"), "--now", NOW
    )
    assert "target" in table.stdout.splitlines()[1] + table.stdout.splitlines()[2]


def test_diff_guard_sees_every_target_with_the_same_repository_name(fleet: Path) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=fleet, check=True)
    subprocess.run(["git", "add", "-A"], cwd=fleet, check=True)
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}  # fmt: skip
    subprocess.run(["git", "commit", "-qm", "base"], cwd=fleet, check=True, env=env)
    config = fleet / "repositories.yaml"
    config.write_text(config.read_text().replace("countNumber: 100", "countNumber: 50"))
    (fleet / "in-use.txt").write_text(f"payments/worker@{DIGEST}\n")
    out = invoke(
        "diff", "--config", str(config), "--base", "main", "--images", str(fleet / "inv"),
        "--in-use", str(fleet / "in-use.txt"), "--now", NOW, "--format", "json",
    )  # fmt: skip
    assert out.code == 3, out.stderr
    assert [(h["target"], h["imageDigest"]) for h in json.loads(out.stdout)["inUse"]] == [("a", DIGEST)]


# 2. References: every form Docker accepts; the digest wins; the registry must be the target's.
@pytest.mark.parametrize(
    ("text", "repository", "tag", "digest", "account", "region"),
    [
        ("payments/worker:v1", "payments/worker", "v1", None, None, None),
        (f"payments/worker@{DIGEST}", "payments/worker", None, DIGEST, None, None),
        (f"payments/worker:v1@{DIGEST}", "payments/worker", "v1", DIGEST, None, None),
        (
            f"111111111111.dkr.ecr.eu-west-1.amazonaws.com/payments/worker:v1@{DIGEST}",
            "payments/worker", "v1", DIGEST, "111111111111", "eu-west-1",
        ),
        ("localhost:5000/team/app:latest", "team/app", "latest", None, None, None),
        ("ghcr.io/org/app:1.0", "org/app", "1.0", None, None, None),
        # Neither tag nor digest: Docker, the kubelet and ECS pull :latest.
        ("payments/worker", "payments/worker", "latest", None, None, None),
        ("111111111111.dkr.ecr.eu-west-1.amazonaws.com/payments/worker", "payments/worker", "latest", None,
         "111111111111", "eu-west-1"),
    ],
)  # fmt: skip
def test_every_docker_reference_form_parses(
    text: str, repository: str, tag: str | None, digest: str | None, account: str | None, region: str | None
) -> None:
    ref = parse_reference(text, "f:1")
    assert (ref.repository, ref.tag, ref.digest, ref.account, ref.region) == (repository, tag, digest, account, region)


@pytest.mark.parametrize("text", ["Payments/Worker:v1", "repo:tag@md5", "repo:bad tag", ":v1", "a//b:c"])
def test_unparseable_references_are_refused(text: str) -> None:
    with pytest.raises(BadReference, match="f:7"):
        parse_reference(text, "f:7")


# ECR's private registry hosts as AWS documents them ("Amazon ECR endpoints and quotas", "Making requests to
# Amazon ECR registries": IPv4, FIPS, China, dual-stack), in any case and with a port; lookalikes are others.
@pytest.mark.parametrize(
    ("host", "account", "region"),
    [
        ("111111111111.dkr.ecr.eu-west-1.amazonaws.com", "111111111111", "eu-west-1"),
        ("111111111111.dkr.ecr-fips.us-gov-west-1.amazonaws.com", "111111111111", "us-gov-west-1"),
        ("111111111111.dkr.ecr.cn-north-1.amazonaws.com.cn", "111111111111", "cn-north-1"),
        ("111111111111.dkr-ecr.eu-west-1.on.aws", "111111111111", "eu-west-1"),
        ("111111111111.dkr-ecr-fips.us-east-1.on.aws", "111111111111", "us-east-1"),
        ("111111111111.dkr-ecr.cn-northwest-1.on.amazonwebservices.com.cn", "111111111111", "cn-northwest-1"),
        ("111111111111.DKR-ECR.EU-WEST-1.ON.AWS", "111111111111", "eu-west-1"),
        ("111111111111.dkr.ecr.eu-west-1.amazonaws.com:443", "111111111111", "eu-west-1"),
        ("111111111111.dkr-ecr.eu-west-1.on.aws:443", "111111111111", "eu-west-1"),
        # Not ECR's private registry: another registry, concerning no target.
        ("111111111111.dkr-ecr.eu-west-1.on.aws.evil.com", None, None),
        ("evil.com.111111111111.dkr-ecr.eu-west-1.on.aws", None, None),
        ("111111111111.dkr.ecr.eu-west-1.amazonaws.com.evil", None, None),
        ("11111111111.dkr-ecr.eu-west-1.on.aws", None, None),
        ("public.ecr.aws", None, None),
    ],
)
def test_every_ecr_registry_host_names_its_account_and_region(
    host: str, account: str | None, region: str | None
) -> None:
    for suffix in (":v1", f"@{DIGEST}", ""):
        ref = parse_reference(f"{host}/payments/worker{suffix}", "f:1")
        assert (ref.repository, ref.account, ref.region) == ("payments/worker", account, region), suffix
        assert ref.concerns("111111111111", "eu-west-1") is (account == "111111111111" and region == "eu-west-1")


def test_a_dual_stack_reference_trips_the_guard(fleet: Path) -> None:
    (fleet / "in-use.txt").write_text(f"111111111111.dkr-ecr.eu-west-1.on.aws/payments/worker@{DIGEST}\n")
    config = fleet / "repositories.yaml"
    out = invoke(
        "preview", "--config", str(config), "--images", str(fleet / "inv" / "a"),
        "--target", "a", "--in-use", str(fleet / "in-use.txt"), "--now", NOW,
    )  # fmt: skip
    assert out.code == 3, out.stderr
    assert "payments/worker" in out.stderr


def _latest_fleet(fleet: Path) -> Path:
    """Target a, whose policy expires the older image: tagged ``latest`` here (the newer one is v2)."""
    images = [_image(DIGEST, "latest", 1), _image("sha256:" + "b" * 64, "v2", 2)]
    (fleet / "inv" / "a" / "images.json").write_text(json.dumps({"imageDetails": images}))
    return fleet


def test_a_bare_repository_in_an_in_use_list_means_latest(fleet: Path) -> None:
    (_latest_fleet(fleet) / "in-use.txt").write_text("111111111111.dkr.ecr.eu-west-1.amazonaws.com/payments/worker\n")
    out = invoke(
        "preview", "--config", str(fleet / "repositories.yaml"), "--images", str(fleet / "inv" / "a"),
        "--target", "a", "--in-use", str(fleet / "in-use.txt"), "--now", NOW,
    )  # fmt: skip
    assert out.code == 3, out.stderr


def test_a_kubernetes_image_without_tag_is_in_use_as_latest(fleet: Path) -> None:
    pod = {
        "kind": "Pod",
        "metadata": {"name": "api", "namespace": "prod"},
        "spec": {
            "containers": [{"name": "app", "image": "111111111111.dkr.ecr.eu-west-1.amazonaws.com/payments/worker"}]
        },
    }
    (fleet / "k8s.json").write_text(json.dumps({"kind": "List", "items": [pod]}))
    listed = invoke("in-use", "--no-aws", "--kubernetes", str(fleet / "k8s.json"), "--format", "json")
    assert listed.code == 0, listed.stderr
    refs = [i["reference"] for i in json.loads(listed.stdout)["images"]]
    assert refs == ["111111111111.dkr.ecr.eu-west-1.amazonaws.com/payments/worker"]
    (fleet / "in-use.json").write_text(listed.stdout)
    out = invoke(
        "preview", "--config", str(fleet / "repositories.yaml"), "--images", str(_latest_fleet(fleet) / "inv" / "a"),
        "--target", "a", "--in-use", str(fleet / "in-use.json"), "--now", NOW,
    )  # fmt: skip
    assert out.code == 3, out.stderr


def test_tag_and_digest_reference_trips_the_guard_by_its_digest(fleet: Path) -> None:
    # The tag names the newest image (kept), the digest the old one (expired): the digest is what runs.
    (fleet / "in-use.txt").write_text(f"payments/worker:v2@{DIGEST}\n")
    out = invoke(
        "preview", "--config", str(fleet / "repositories.yaml"), "--images", str(fleet / "inv" / "a"),
        "--target", "a", "--in-use", str(fleet / "in-use.txt"), "--now", NOW,
    )  # fmt: skip
    assert out.code == 3, out.stderr


def test_registry_host_must_be_the_targets(fleet: Path) -> None:
    args = ["preview", "--config", str(fleet / "repositories.yaml"), "--images", str(fleet / "inv"), "--now", NOW]
    other = "999999999999.dkr.ecr.eu-west-1.amazonaws.com"
    (fleet / "other.txt").write_text(f"{other}/payments/worker@{DIGEST}\nghcr.io/payments/worker@{DIGEST}\n")
    assert invoke(*args, "--in-use", str(fleet / "other.txt")).code == 0
    (fleet / "ours.txt").write_text(f"111111111111.dkr.ecr.eu-west-1.amazonaws.com/payments/worker@{DIGEST}\n")
    assert invoke(*args, "--in-use", str(fleet / "ours.txt")).code == 3


def test_a_bad_reference_line_exits_1_naming_the_line(fleet: Path) -> None:
    (fleet / "in-use.txt").write_text("# deployed\npayments/worker:v1\nnot a reference\n")
    out = invoke("preview", "--config", str(fleet / "repositories.yaml"), "--images", str(fleet / "inv"),
                 "--in-use", str(fleet / "in-use.txt"), "--now", NOW)  # fmt: skip
    assert out.code == 1 and "in-use.txt:3:" in out.stderr and out.stdout == ""


# 4. Markdown: untrusted strings stay text.
ALLOWED_TAGS = {"<details>", "</details>", "<summary>", "</summary>", "<sub>", "</sub>", "<br>"}
HOSTILE_NAME = "evil</details><img src=x onerror=alert(1)>|`x`@org/team"


def _without_code_spans(text: str) -> str:
    """The text with each code span (a run of N backticks up to the next run of exactly N) blanked:
    GitHub shows a code span's content literally, HTML and mentions included."""
    import re

    out, i = [], 0
    for match in re.finditer(r"`+", text):
        if match.start() < i:
            continue
        fence = match.group()
        end = re.compile(r"(?<!`)" + fence + r"(?!`)").search(text, match.end())
        if end is None:
            continue
        out.append(text[i : match.start()] + "CODE")
        i = end.end()
    return "".join(out) + text[i:]


def _markdown_is_sound(text: str) -> None:
    import re

    prose = _without_code_spans(text)
    assert "`" not in prose.replace("``", ""), f"an unbalanced code span in {text!r}"
    for tag in re.findall(r"<[^>]*>", prose):
        assert tag in ALLOWED_TAGS, f"raw HTML {tag!r} in {text!r}"
    assert not re.search(r"(?<![\w\u200b])@org", prose), "a mention survived"
    rows = [line for line in text.splitlines() if line.startswith("|")]
    for line in rows:
        cells = re.split(r"(?<!\\)\|", line)
        header = re.split(r"(?<!\\)\|", next(r for r in rows if r.count("---") == 0))
        assert len(cells) == len(header), f"a table row has {len(cells)} cells: {line!r}"


def test_preview_markdown_keeps_hostile_repository_names_as_text(tmp_path: Path) -> None:
    images = [
        {"repositoryName": HOSTILE_NAME, "imageDigest": "sha256:1", "imageTags": ["v`1|x"],
         "imagePushedAt": "2026-01-01T00:00:00Z", "imageSizeInBytes": 5},
    ]  # fmt: skip
    (tmp_path / "images.json").write_text(json.dumps({"imageDetails": images}))
    (tmp_path / "policy.json").write_text(json.dumps(policy(rule(1, "any", "imageCountMoreThan", 1), rule(0, "any"))))
    (tmp_path / "policy.json").write_text(
        json.dumps(policy(rule(1, "any", "sinceImagePushed", 1, description="</details>@org hi <b>")))
    )
    (tmp_path / "in-use.txt").write_text("evil:v1\n")
    out = invoke("preview", "--images", str(tmp_path / "images.json"), "--policy", str(tmp_path / "policy.json"),
                 "--now", NOW, "--format", "markdown")  # fmt: skip
    assert out.code == 0, out.stderr
    _markdown_is_sound(out.stdout)
    assert "`` evil</details>" not in out.stdout


def test_review_markdown_keeps_hostile_descriptions_as_text(tmp_path: Path) -> None:
    from ecr_lifecycle.core.config.load import load_fleet
    from ecr_lifecycle.core.report.review import Review, compare
    from ecr_lifecycle.views.review import markdown

    (tmp_path / "policies").mkdir()
    config = tmp_path / "repositories.yaml"
    body = "version: 1\ntargets: [{name: t, region: us-east-1}]\nrepositories:\n  - name: app/api\n    rules:\n"
    rule_text = (
        "      - selection: {tagStatus: tagged, tagPrefixList: [DESC], countType: imageCountMoreThan, countNumber: 5}\n"
        "        action: {type: expire}\n        description: 'DESC keeps five images of this kind'\n"
    )
    config.write_text(body + rule_text.replace("DESC", "v"))
    base = load_fleet(str(config))
    config.write_text(body + rule_text.replace("DESC", "</details><img src=x>@org|x"))
    head = load_fleet(str(config))
    changes, templates = compare(base, head)
    _markdown_is_sound(markdown(Review("base", "head", changes, templates)))


def test_drift_markdown_keeps_live_descriptions_as_text(tmp_path: Path) -> None:
    from ecr_lifecycle.app.drift import detect_drift
    from ecr_lifecycle.core.config.load import load_fleet
    from ecr_lifecycle.views.drift import markdown

    (tmp_path / "policies").mkdir()
    config = tmp_path / "repositories.yaml"
    config.write_text("version: 1\ntargets: [{name: t, region: us-east-1}]\n")
    live = json.dumps(policy(rule(1, "any", description="</details><img src=x> @org | pipes")))
    report = detect_drift(load_fleet(str(config)), {"t": {HOSTILE_NAME: live}})
    _markdown_is_sound(markdown(report))


# 8. Input files: bounded before parsing, one line, the documented exit code.
def _config_with(tmp: Path, text: str) -> Path:
    (tmp / "policies").mkdir(exist_ok=True)
    (tmp / "policies" / ".keep").write_text("")
    path = tmp / "repositories.yaml"
    path.write_text(text)
    return path


BASE = "version: 1\ntargets: [{name: t, region: us-east-1}]\n"


def test_yaml_alias_bomb_is_refused(tmp_path: Path) -> None:
    bomb = "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9) if i else 'x'}]\n" for i in range(8))
    out = invoke("validate", "--config", str(_config_with(tmp_path, BASE + bomb)))
    assert out.code == 2 and "aliases expand" in out.stderr and out.stderr.count("\n") == 1


@pytest.mark.parametrize("depth", [5_000, 100_000])
def test_deep_yaml_is_refused(tmp_path: Path, depth: int) -> None:
    out = invoke("validate", "--config", str(_config_with(tmp_path, BASE + "x: " + "[" * depth + "]" * depth)))
    assert out.code == 2 and "nested more than" in out.stderr


def test_a_template_that_is_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    config = _config_with(tmp_path, BASE)
    (tmp_path / "policies" / "zero.yaml").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "policies" / "fifo.yaml")
    out = invoke("validate", "--config", str(config))
    # Broken templates no entry uses are reported and fail nothing; an entry that uses one fails.
    assert out.code == 0, out.stderr
    assert "zero.yaml: a symlink out of the template folder" in out.stdout
    assert "fifo.yaml: not a regular file" in out.stdout
    config.write_text(BASE + "repositories: [{name: app/api, templates: [fifo]}]\n")
    out = invoke("validate", "--config", str(config))
    assert out.code == 1 and "fifo.yaml: not a regular file" in out.stderr


def test_a_template_symlinked_out_of_the_project_is_not_echoed(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("password: hunter2\n")
    (tmp_path / "project").mkdir()
    config = _config_with(tmp_path / "project", BASE)
    (tmp_path / "project" / "policies" / "x.yaml").symlink_to(secret)
    out = invoke("validate", "--config", str(config))
    assert out.code == 0 and "hunter2" not in out.stdout + out.stderr


def test_non_utf8_stdin_is_refused_whatever_the_locale() -> None:
    out = invoke("validate", "--policy", "-", stdin=b'{"rules": [\xff]}')
    assert out.code == 2 and "not UTF-8" in out.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "ecr_lifecycle", "validate", "--policy", "-"],
        input=b'{"rules":[{"rulePriority":1,"description":"\xe9\xe9 not utf-8 but latin-1 here","selection":'
        b'{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}',
        capture_output=True,
        env={**os.environ, "LC_ALL": "C.UTF-8", "PYTHONIOENCODING": "utf-8:surrogateescape"},
    )
    assert proc.returncode == 2 and b"not UTF-8" in proc.stderr


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"imagePushedAt": "-inf"}, "not a date between 1970 and 9999"),
        ({"imagePushedAt": 1e400}, "not a date between 1970 and 9999"),
        ({"imagePushedAt": 10**400}, "not a date between 1970 and 9999"),
        ({"imageSizeInBytes": 2**70}, "imageSizeInBytes"),
    ],
)
def test_inventory_values_out_of_range_are_refused(tmp_path: Path, record: dict[str, Any], message: str) -> None:
    raw = {"repositoryName": "a/b", "imageDigest": "sha256:1", "imagePushedAt": 1767225600, **record}
    (tmp_path / "images.json").write_text(json.dumps({"imageDetails": [raw]}).replace("Infinity", "1e400"))
    (tmp_path / "policy.json").write_text(json.dumps(policy(rule(1, "any"))))
    out = invoke("preview", "--images", str(tmp_path / "images.json"), "--policy", str(tmp_path / "policy.json"))
    assert out.code == 1 and message in out.stderr and out.stdout == ""


def test_duplicate_digests_and_deep_json_are_one_line_errors(tmp_path: Path) -> None:
    (tmp_path / "policy.json").write_text(json.dumps(policy(rule(1, "any"))))
    raw = {"repositoryName": "a/b", "imageDigest": "sha256:1", "imagePushedAt": 1767225600}
    (tmp_path / "dup.json").write_text(json.dumps({"imageDetails": [raw, raw]}))
    out = invoke("preview", "--images", str(tmp_path / "dup.json"), "--policy", str(tmp_path / "policy.json"))
    assert out.code == 1 and "listed more than once" in out.stderr and out.stdout == ""
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    out = invoke("preview", "--images", str(tmp_path / "deep.json"), "--policy", str(tmp_path / "policy.json"))
    assert out.code == 2 and "nested too deeply" in out.stderr
    (tmp_path / "in-use.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "images.json").write_text(json.dumps({"imageDetails": [raw]}))
    out = invoke("preview", "--images", str(tmp_path / "images.json"), "--policy", str(tmp_path / "policy.json"),
                 "--in-use", str(tmp_path / "in-use.json"))  # fmt: skip
    assert out.code == 1 and "nested too deeply" in out.stderr


@pytest.mark.parametrize(("flag", "value"), [("--now", "nan"), ("--now", "inf"), ("--now", "1e400"),
                                             ("--price-per-gb", "nan"), ("--price-per-gb", "-1")])  # fmt: skip
def test_non_finite_numbers_on_the_command_line(tmp_path: Path, flag: str, value: str) -> None:
    raw = {"repositoryName": "a/b", "imageDigest": "sha256:1", "imagePushedAt": 1767225600}
    (tmp_path / "images.json").write_text(json.dumps({"imageDetails": [raw]}))
    (tmp_path / "policy.json").write_text(json.dumps(policy(rule(1, "any"))))
    out = invoke("preview", "--images", str(tmp_path / "images.json"), "--policy", str(tmp_path / "policy.json"),
                 "--format", "json", flag, value)  # fmt: skip
    assert out.code == 2 and out.stdout == "" and out.stderr.count("\n") == 1


def test_a_policies_dir_that_cannot_be_read(tmp_path: Path) -> None:
    config = _config_with(tmp_path, BASE + "policies_dir: " + "x" * 300 + "\n")
    out = invoke("validate", "--config", str(config))
    assert out.code == 2 and "cannot read the template folder" in out.stderr


def test_diff_survives_an_absolute_symlink_in_the_base_revision(tmp_path: Path) -> None:
    config = _config_with(tmp_path, BASE)
    (tmp_path / "link").symlink_to("/etc/passwd")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}  # fmt: skip
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, env=env)
    out = invoke("diff", "--config", str(config), "--base", "main")
    assert out.code == 0, out.stderr
    assert "No lifecycle policy changes." in out.stdout


@pytest.mark.slow
# 9. Algorithmic blow-ups: before, 50,000 'any' rules took minutes and '*a*a*a*b' on a long tag 57 s.
def test_no_quadratic_validation_or_backtracking_matching() -> None:
    script = (
        "import json, sys\n"
        "from ecr_lifecycle.core.policy import check_policy\n"
        "from ecr_lifecycle.core.policy.tags import pattern_matches\n"
        "rules = [{'rulePriority': i, 'selection': {'tagStatus': 'any', 'countType': 'imageCountMoreThan',"
        " 'countNumber': 1}, 'action': {'type': 'expire'}} for i in range(1, 50001)]\n"
        "codes = {f.code for f in check_policy({'rules': rules}).errors}\n"
        "assert codes == {'E302', 'E303', 'E306'}, codes\n"
        "assert not any(pattern_matches('*a*a*a*b', 'a' * 1000) for _ in range(200))\n"
    )
    # A hang guard, not a speed target: the linear code needs about a second, the old one minutes.
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


# 11. Loopback means the literal loopback hosts, nothing that merely starts like one.
@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:4566", True),
        ("http://localhost:4566", True),
        ("http://[::1]:4566", True),
        ("http://127.0.0.1.evil.com", False),
        ("http://127.evil.com", False),
        ("http://evil.com\\@127.0.0.1", False),
        ("http://user:pw@127.0.0.1", False),
        ("http://localhost.evil.com", False),
        ("file:///etc/passwd", False),
        ("http://127.0.0.1:notaport", False),
    ],
)
def test_loopback_hosts_only(url: str, loopback: bool) -> None:
    assert is_loopback_url(url) is loopback


def test_loopback_is_checked_after_variable_expansion(tmp_path: Path) -> None:
    from ecr_lifecycle.core.config.load import load_fleet

    config = _config_with(
        tmp_path, "version: 1\ntargets: [{name: t, region: us-east-1, endpoints: {ecr: '${ECR_URL}'}}]\n"
    )
    assert load_fleet(str(config), {"ECR_URL": "http://127.0.0.1:9"}).targets[0].is_local
    assert not load_fleet(str(config), {"ECR_URL": "http://127.0.0.1.evil.com"}).targets[0].is_local
