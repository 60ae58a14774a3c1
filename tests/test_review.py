"""``diff``: review reports from real git repositories with two commits."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from tests.test_cli_validate import cli

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "review"

BASE = """\
version: 1
targets:
  - name: prod
    region: eu-west-1
repositories:
  - name: app/api
    templates: [untagged-cleanup, keep-last]
    params: {days: 7, keep: 30}
  - name: app/worker
    templates: [untagged-cleanup, keep-last]
  - name: legacy/monolith
    rules:
      - rulePriority: 1
        description: untagged
        selection: {tagStatus: untagged, countType: imageCountMoreThan, countNumber: 5}
        action: {type: expire}
      - rulePriority: 2
        description: everything
        selection: {tagStatus: any, countType: imageCountMoreThan, countNumber: 200}
        action: {type: expire}
  - pattern: team-a/*
    templates: [untagged-cleanup, keep-last]
    params: {keep: 50}
"""


def git(repo: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)


def make_repo(tmp: Path, change: Callable[[Path], None], commit: bool = True) -> Path:
    repo = tmp / "fleet"
    repo.mkdir()
    shutil.copytree(ROOT / "policies", repo / "policies")
    (repo / "repositories.yaml").write_text(BASE)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "change")
    change(repo)
    if commit:
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "change")
    return repo


def edit(old: str, new: str) -> Callable[[Path], None]:
    def apply(repo: Path) -> None:
        text = (repo / "repositories.yaml").read_text()
        assert old in text
        (repo / "repositories.yaml").write_text(text.replace(old, new))

    return apply


def template_edit(repo: Path) -> None:
    path = repo / "policies" / "keep-last.yaml"
    path.write_text(path.read_text().replace("Keep the newest ${keep} images", "Keep only the newest ${keep}"))


def renumber(repo: Path) -> None:
    for n in (1, 2):
        edit(f"rulePriority: {n}\n", f"rulePriority: {n}0\n")(repo)


CASES: dict[str, Callable[[Path], None]] = {
    "parameter-change": edit("params: {keep: 50}", "params: {keep: 40}"),
    "template-swap": edit(
        "  - name: app/worker\n    templates: [untagged-cleanup, keep-last]",
        "  - name: app/worker\n    templates: [untagged-cleanup, feature-branches, keep-last]",
    ),
    "new-pattern": edit(
        "    params: {keep: 50}\n",
        "    params: {keep: 50}\n  - pattern: sandbox/**\n    templates: [keep-last]\n    params: {keep: 5}\n",
    ),
    "repository-removed": edit("  - name: app/worker\n    templates: [untagged-cleanup, keep-last]\n", ""),
    "renumbered-rules": renumber,
    "template-file-change": template_edit,
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_markdown(tmp_path: Path, case: str) -> None:
    repo = make_repo(tmp_path, CASES[case])
    out = cli("diff", "--config", str(repo / "repositories.yaml"), "--format", "markdown")
    assert out.returncode == 0, out.stderr
    body = out.stdout.replace(_base_sha(repo), "BASE")
    golden = GOLDEN / f"{case}.md"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(body)
    assert body == golden.read_text()


def _base_sha(repo: Path) -> str:
    return subprocess.run(["git", "rev-parse", "main"], cwd=repo, capture_output=True, text=True).stdout.strip()[:12]


def test_renumbering_alone_is_reported_as_such(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, CASES["renumbered-rules"])
    doc = json.loads(cli("diff", "--config", str(repo / "repositories.yaml"), "--format", "json").stdout)
    assert [(c["entry"], c["kind"]) for c in doc["changes"]] == [("legacy/monolith", "renumbered")]


def test_template_change_names_its_cause_and_reach(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, template_edit)
    doc = json.loads(cli("diff", "--config", str(repo / "repositories.yaml"), "--format", "json").stdout)
    assert {c["cause"] for c in doc["changes"]} == {"template keep-last"}
    assert doc["templates"] == [{"name": "keep-last", "entries": 3}]


def test_json_output_matches_its_schema_with_impact(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, edit("params: {days: 7, keep: 30}", "params: {days: 7, keep: 3}"))
    images = [
        {
            "repositoryName": "app/api",
            "imageDigest": f"sha256:{n:02d}",
            "imageTags": [f"v{n}"],
            "imagePushedAt": f"2026-01-{n + 1:02d}T00:00:00Z",
            "imageSizeInBytes": 1024**3,
        }
        for n in range(10)
    ]
    inventory = tmp_path / "images.json"
    inventory.write_text(json.dumps({"imageDetails": images}))
    out = cli(
        "diff",
        "--config",
        str(repo / "repositories.yaml"),
        "--format",
        "json",
        "--images",
        str(inventory),
        "--now",
        "2026-02-01T00:00:00Z",
        "--detailed-exitcode",
    )
    assert out.returncode == 4, out.stderr
    doc = json.loads(out.stdout)
    schema = json.loads((ROOT / "docs" / "review.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(doc)
    assert doc["impact"]["newlyExpiringImages"] == 7
    assert [(c["entry"], c["repositories"]) for c in doc["changes"]] == [("app/api", 1)]
    assert doc["impact"]["freedBytes"] == 7 * 1024**3 and doc["impact"]["savingsPerMonthUpperBound"] == 0.7


def test_a_pattern_change_counts_the_repositories_it_touches(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, CASES["parameter-change"])
    images = [
        {"repositoryName": name, "imageDigest": "sha256:1", "imagePushedAt": "2026-01-01T00:00:00Z"}
        for name in ("team-a/one", "team-a/two", "team-b/other")
    ]
    (tmp_path / "images.json").write_text(json.dumps({"imageDetails": images}))
    out = cli(
        "diff",
        "--config",
        str(repo / "repositories.yaml"),
        "--images",
        str(tmp_path / "images.json"),
        "--format",
        "markdown",
        "--now",
        "2026-02-01T00:00:00Z",
    )
    assert "| prod | `pattern team-a/*` | changes | config | 1 | 2 |" in out.stdout


def test_in_use_guard_in_review(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, edit("params: {days: 7, keep: 30}", "params: {days: 7, keep: 1}"))
    images = [
        {
            "repositoryName": "app/api",
            "imageDigest": f"sha256:{n:02d}",
            "imageTags": [f"v{n}"],
            "imagePushedAt": f"2026-01-{n + 1:02d}T00:00:00Z",
        }
        for n in range(3)
    ]
    (tmp_path / "images.json").write_text(json.dumps({"imageDetails": images}))
    (tmp_path / "in-use.txt").write_text("app/api:v0\n")
    out = cli(
        "diff",
        "--config",
        str(repo / "repositories.yaml"),
        "--images",
        str(tmp_path / "images.json"),
        "--in-use",
        str(tmp_path / "in-use.txt"),
        "--now",
        "2026-02-01T00:00:00Z",
    )
    assert out.returncode == 3
    # One guard message for preview and diff: it says which action, which rule and where.
    assert "in-use image app/api:v0 would be expired by rule 2" in out.stderr


def test_working_tree_changes_count_and_the_checkout_is_untouched(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, edit("params: {keep: 50}", "params: {keep: 45}"), commit=False)
    before = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True).stdout
    out = cli("diff", "--config", str(repo / "repositories.yaml"), "--detailed-exitcode")
    assert out.returncode == 4 and "prod/pattern team-a/*: changes (config)" in out.stdout
    assert "all images: expire beyond the newest 50 → expire beyond the newest 45" in out.stdout
    after = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True).stdout
    assert before == after == " M repositories.yaml\n"


def test_no_change_and_bad_base(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, lambda _repo: None, commit=False)
    out = cli("diff", "--config", str(repo / "repositories.yaml"), "--detailed-exitcode")
    assert out.returncode == 0 and "No lifecycle policy changes." in out.stdout
    bad = cli("diff", "--config", str(repo / "repositories.yaml"), "--base", "no-such-ref")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr


def test_only_templates_that_change_a_policy_are_causes(tmp_path: Path) -> None:
    def change(repo: Path) -> None:
        keep = repo / "policies" / "keep-last.yaml"
        keep.write_text(keep.read_text().replace("default: 100", "default: 90"))  # app/worker uses the default
        untagged = repo / "policies" / "untagged-cleanup.yaml"
        text = untagged.read_text()
        assert "    description: " in text
        untagged.write_text(text.replace("    description: ", "    description: Reworded. ", 1))  # no policy changes

    repo = make_repo(tmp_path, change)
    out = cli("diff", "--config", str(repo / "repositories.yaml"), "--base", "main", "--format", "json")
    doc = json.loads(out.stdout)
    assert doc["templates"] == [{"name": "keep-last", "entries": 1}]
    assert [(c["entry"], c["cause"]) for c in doc["changes"]] == [("app/worker", "template keep-last")]


@pytest.mark.slow
def test_the_same_change_in_several_targets_is_shown_once(tmp_path: Path) -> None:
    two = BASE.replace(
        "targets:\n  - name: prod\n    region: eu-west-1",
        "targets:\n  - {name: prod, region: eu-west-1}\n  - {name: dev, region: eu-west-1}",
    )

    def change(repo: Path) -> None:
        (repo / "repositories.yaml").write_text(
            two.replace("params: {days: 7, keep: 30}", "params: {days: 7, keep: 20}")
        )

    def base(repo: Path) -> None:
        (repo / "repositories.yaml").write_text(two)

    repo = make_repo(tmp_path, base)  # committed: the base
    change(repo)
    out = cli("diff", "--config", str(repo / "repositories.yaml"), "--base", "HEAD", "--format", "markdown")
    assert out.returncode == 0, out.stderr
    assert "| dev, prod | `app/api` | changes |" in out.stdout
    assert out.stdout.count("<summary>") == 1 and "<summary>dev, prod / app/api: changes</summary>" in out.stdout
    text = cli("diff", "--config", str(repo / "repositories.yaml"), "--base", "HEAD").stdout
    assert "dev, prod/app/api: changes (config)" in text


@pytest.mark.slow
def test_markdown_with_an_inventory_carries_a_chart_the_other_formats_do_not(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, edit("params: {days: 7, keep: 30}", "params: {days: 7, keep: 3}"))
    images = [
        {"repositoryName": "app/api", "imageDigest": f"sha256:{n:02d}", "imageTags": [f"v{n}"],
         "imagePushedAt": f"2026-01-{n + 1:02d}T00:00:00Z", "imageSizeInBytes": 2**20}
        for n in range(10)
    ]  # fmt: skip
    (tmp_path / "images.json").write_text(json.dumps({"imageDetails": images}))
    args = ["diff", "--config", str(repo / "repositories.yaml"), "--images", str(tmp_path / "images.json"),
            "--now", "2026-02-01T00:00:00Z"]  # fmt: skip
    markdown = cli(*args, "--format", "markdown").stdout
    chart = markdown[markdown.index("```mermaid") :]
    assert "xychart-beta" in chart and 'x-axis ["app/api"]' in chart and "bar [7.0]" in chart
    assert "```mermaid" not in cli(*args).stdout and "mermaid" not in cli(*args, "--format", "json").stdout
    assert "```mermaid" not in cli("diff", "--config", str(repo / "repositories.yaml"), "--format", "markdown").stdout
