"""The pure core, the use cases and the renderers import no cdktf, boto3 or networking code; cdktf stays in
stacks/ and main.py; no layer imports one above it."""

from __future__ import annotations

import ast
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FORBIDDEN_IN_CORE = {
    "cdktf",
    "constructs",
    "jsii",
    "boto3",
    "botocore",
    "socket",
    "urllib.request",
    "http",
    "requests",
    "subprocess",
    "ecr_lifecycle.aws",
    "ecr_lifecycle.cli",
    "stacks",
}


def _imports(path: str) -> set[str]:
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _python_files(folder: str) -> list[str]:
    out: list[str] = []
    for root, _, files in os.walk(os.path.join(ROOT, folder)):
        out.extend(os.path.join(root, f) for f in files if f.endswith(".py"))
    return out


def test_core_has_no_forbidden_imports() -> None:
    pure = (
        _python_files("ecr_lifecycle/core") + _python_files("ecr_lifecycle/app") + _python_files("ecr_lifecycle/views")
    )
    assert len(pure) > 30
    for path in pure:
        for name in _imports(path):
            top = {name, name.split(".")[0]} | {".".join(name.split(".")[:2])}
            assert not (top & FORBIDDEN_IN_CORE), f"{path} imports {name}"


def test_cdktf_is_confined_to_stacks_and_main() -> None:
    for path in _python_files("ecr_lifecycle") + _python_files("tests") + _python_files("benchmarks"):
        if os.sep + "tests" + os.sep in path and "synth" in os.path.basename(path):
            continue  # synthesis tests use cdktf's Testing helpers
        for name in _imports(path):
            assert name.split(".")[0] not in {"cdktf", "constructs", "jsii"}, f"{path} imports {name}"


LAYERS = [
    "ecr_lifecycle.core",
    "ecr_lifecycle.views",
    "ecr_lifecycle.app",
    "ecr_lifecycle.aws",
    "ecr_lifecycle.terraform",
    "ecr_lifecycle.kube",
    "ecr_lifecycle.cli",
]
# Which layers each may import: data flows config -> policy -> preview/report, then use cases, then shells.
MAY_IMPORT = {
    "ecr_lifecycle.core": {"ecr_lifecycle.core"},
    "ecr_lifecycle.app": {"ecr_lifecycle.core", "ecr_lifecycle.app"},
    "ecr_lifecycle.views": {"ecr_lifecycle.core", "ecr_lifecycle.app", "ecr_lifecycle.views"},
    "ecr_lifecycle.aws": {"ecr_lifecycle.core", "ecr_lifecycle.aws"},
    "ecr_lifecycle.terraform": {"ecr_lifecycle.core", "ecr_lifecycle.terraform"},
    "ecr_lifecycle.kube": {"ecr_lifecycle.core", "ecr_lifecycle.kube"},
    "ecr_lifecycle.cli": set(LAYERS),
}


def test_layers_import_only_downwards() -> None:
    for layer, allowed in MAY_IMPORT.items():
        for path in _python_files(layer.replace(".", os.sep)):
            for name in _imports(path):
                if name.startswith("ecr_lifecycle."):
                    owner = ".".join(name.split(".")[:2])
                    assert owner in allowed, f"{path} ({layer}) imports {name}"


def test_the_shipped_package_holds_no_dev_tools() -> None:
    assert not os.path.exists(os.path.join(ROOT, "ecr_lifecycle", "devtools"))
