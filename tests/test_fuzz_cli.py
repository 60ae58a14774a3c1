"""Fuzzing the command line in-process with generated configs, templates, inventories and in-use lists.

Whatever the input: the exit code is one docs/commands.md documents, no exception escapes (a traceback for
the user), and no command that failed left a file behind."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.inprocess import invoke
from tests.test_inventory_parsers import records

DOCUMENTED = {0, 1, 2, 3, 4}

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.sampled_from(["${days}", "${keep}", "${nope}", "any", "tagged", "untagged", "expire", "imageCountMoreThan",
                     "sinceImagePushed", "days", "us-east-1", "app/api", "team-*/**", "keep-last", "t", "ROOT"]),
    # Text that looks right and is not: trailing control characters, other Unicode forms, marks.
    st.sampled_from(["t\n", "app/api\n", "us-east-1\n", "111111111111\n", "t\r", "app/api\x00", "t\t",
                     "Cafe\u0301", "\ufeffkeep", "\ufeff", "keep\u200b", "\u202eipa/ppa", "ﬀ", "app\u2028api"]),
)  # fmt: skip
_nested = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(["name", "pattern", "templates", "params", "rules", "selection", "action", "targets",
                             "exclude", "region", "days", "keep", "description", "tagStatus", "countType",
                             "countNumber", "countUnit", "type", "rulePriority", "parameters", "default"]),
            inner,
            max_size=5,
        ),
    ),
    max_leaves=20,
)  # fmt: skip
_values = st.one_of(_scalars, _nested)  # st.recursive alone almost never draws a bare scalar
_references = st.one_of(
    st.text(alphabet="abc/:@.-_ 0123456789sha\n#", max_size=40),
    st.lists(
        st.sampled_from([
            "app/api", "app/api:v1", f"app/api@sha256:{'a' * 64}",
            "111111111111.dkr.ecr.us-east-1.amazonaws.com/app/api", "111111111111.dkr-ecr.us-east-1.on.aws/app/api:v1",
            "111111111111.DKR-ECR-FIPS.us-east-1.on.aws:443/app/api",
            "111111111111.dkr-ecr.cn-north-1.on.amazonwebservices.com.cn/app/api", "x.on.aws.evil.com/app/api",
            "app/api\n", "app/api:v1\r", "Cafe\u0301/api", "localhost:5000/app/api", "app/api:", "@sha256:",
        ]),
        max_size=4,
    ).map("\n".join),
)  # fmt: skip
_pod = {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "app/api"}]},
        "status": {"initContainerStatuses": [{"name": "i", "imageID": f"app/api@sha256:{'b' * 64}"}]}}  # fmt: skip
_kubernetes = st.one_of(
    st.sampled_from([_pod, {"kind": "List", "items": [_pod]}, {"items": [_pod, 1, None]}, {}, [], {"items": "x"},
                     {"kind": 7}, {"kind": "Deployment", "spec": {"template": {"spec": {"containers": "x"}}}}]),
    _nested,
)  # fmt: skip

VALID_CONFIG: dict[str, Any] = {
    "version": 1,
    "targets": [{"name": "t", "region": "us-east-1"}],
    "repositories": [{"name": "app/api", "templates": ["keep"], "params": {"keep": 5}}],
}
VALID_TEMPLATE: dict[str, Any] = {
    "description": "keep some",
    "parameters": {"keep": {"type": "integer", "minimum": 1, "default": 10, "description": "how many"}},
    "rules": [{"selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": "${keep}"},
               "action": {"type": "expire"}, "description": "Keep the newest ${keep} images here"}],
}  # fmt: skip


CONFIG_PATHS: list[list[str | int]] = [
    [], ["version"], ["targets"], ["targets", 0], ["targets", 0, "region"], ["targets", 0, "endpoints"],
    ["repositories"], ["repositories", 0], ["repositories", 0, "templates"], ["repositories", 0, "templates", 0],
    ["repositories", 0, "params"], ["repositories", 0, "params", "keep"], ["repositories", 0, "rules"],
    ["repositories", 0, "pattern"], ["repositories", 0, "exclude"], ["defaults"], ["creation_templates"],
    ["policies_dir"], ["repositories", 0, "targets"],
]  # fmt: skip
TEMPLATE_PATHS: list[list[str | int]] = [
    [], ["description"], ["parameters"], ["parameters", "keep"], ["parameters", "keep", "default"],
    ["parameters", "keep", "type"], ["rules"], ["rules", 0], ["rules", 0, "selection"],
    ["rules", 0, "selection", "countNumber"], ["rules", 0, "action"], ["rules", 0, "description"],
]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, valid: dict[str, Any], paths: list[list[str | int]]) -> str:
    """The valid document with one part replaced by anything, or raw text damage, as YAML text."""
    doc = json.loads(json.dumps(valid))
    if draw(st.integers(0, 2)) == 0:
        return yaml.safe_dump(doc)  # often valid: then the other inputs get their turn
    node: Any = doc
    path = draw(st.sampled_from(paths))
    for step in path[:-1]:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
    last = path[-1] if path else None
    fits_dict = isinstance(node, dict) and isinstance(last, str)
    fits_list = isinstance(node, list) and isinstance(last, int) and last < len(node)
    if fits_dict or fits_list:
        node[last] = draw(_values)
    text = yaml.safe_dump(doc)
    damage = draw(st.sampled_from(["", "insert", "truncate", "anchor"]))
    if damage == "insert":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.text(alphabet="[]{}:&*!|>-'\"#\n \t", max_size=6)) + text[at:]
    elif damage == "truncate":
        text = text[: draw(st.integers(0, len(text)))]
    elif damage == "anchor":
        text += "x: &a [1, 2]\ny: [*a, *a, *a]\n"
    return text


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=mutated(VALID_CONFIG, CONFIG_PATHS), template=mutated(VALID_TEMPLATE, TEMPLATE_PATHS), image=records(),
       in_use=_references, kubernetes=_kubernetes)  # fmt: skip
def test_the_cli_never_breaks(config: str, template: str, image: Any, in_use: str, kubernetes: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "policies").mkdir()
        (root / "policies" / "keep.yaml").write_text(template)
        (root / "repositories.yaml").write_text(config)
        (root / "images.json").write_text(json.dumps({"imageDetails": [image]}, default=str))
        (root / "in-use.txt").write_text(in_use)
        (root / "k8s.json").write_text(json.dumps(kubernetes))
        before = _files(root)
        conf = ["--config", str(root / "repositories.yaml")]
        runs = [
            ("validate", *conf),
            ("validate", *conf, "--format", "json"),
            ("render", "app/api", *conf),
            ("preview", *conf, "--images", str(root / "images.json"), "--in-use", str(root / "in-use.txt"),
             "--now", "2026-06-01T00:00:00Z", "--format", "json"),
            ("preview", *conf, "--images", str(root / "images.json"), "--format", "markdown"),
            ("in-use", "--no-aws", "--kubernetes", str(root / "k8s.json"), "--format", "json"),
        ]  # fmt: skip
        for argv in runs:
            out = invoke(*argv)
            assert out.code in DOCUMENTED, (argv, out)
            assert "Traceback" not in out.stderr, (argv, out.stderr)
            if out.code in (1, 2):
                assert out.stderr.strip(), (argv, "a failure must say why")
            assert _files(root) == before, (argv, "a command wrote a file")
        assert os.listdir(root / "policies") != []
