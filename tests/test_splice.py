"""Config data written into ``cdk.tf.json`` after synthesis is byte for byte what the engine would write.

``stacks/splice.py`` keeps everything from the config away from the CDK engine (it reads token markers in
strings, and large maps cost most of a synthesis in it). These tests hold the written text to the engine's
own: the same random, hostile values synthesized once through the engine and once spliced, on both engines.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from stacks.literal import literal_text
from stacks.splice import COLLAPSES_EMPTY, SpliceError, Splicer, js_string, stable_json
from tests.test_synth import run_main

pytestmark = pytest.mark.slow  # processes, engines or many generated cases: not in the fast tier

ROOT = Path(__file__).resolve().parent.parent

# Pieces strings are made of: quotes, backslashes, every kind of control character, Terraform's template
# openers, characters JSON.stringify leaves alone (DEL, U+2028, BOM, U+FFFF), and characters on both
# sides of U+FFFF, where UTF-16 order (JavaScript's key order) and code point order disagree.
PIECES = [
    "a", "Z", "0", "-", "/", " ", '"', "\\", "\n", "\r", "\t", "\b", "\f", "\x00", "\x01", "\x1f", "\x7f",
    "é", "\u2028", "\u2029", "\ufeff", "\uffff", "\uff5e", "\U0001f600", "\U00010000", "${", "%{", "}",
    "$${", "%%{", "$", "%", "{",
]  # fmt: skip


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 6)))


def _value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randint(0, 9 if depth < 3 else 5)
    if kind <= 2:
        return _text(rng)
    if kind == 3:
        return rng.choice([0, 1, -1, 42, 2**53 - 1, -(2**53) + 1])
    if kind == 4:
        return rng.choice([True, False])
    if kind == 5:
        return rng.choice(["", "plain", "${path.cwd}"])
    if kind <= 7:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {_text(rng): _value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


ENGINE_VS_SPLICE = """
import json, sys
from stacks.engine import cdk
from stacks.literal import literal_text
from stacks.splice import COLLAPSES_EMPTY, Splicer

def escaped(value):
    if isinstance(value, str):
        return literal_text(value)
    if isinstance(value, dict):
        return {literal_text(k): escaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [escaped(v) for v in value]
    return value

values = json.load(open(sys.argv[1]))
for mode in ("engine", "spliced"):
    outdir = sys.argv[2] + "/" + mode
    app = cdk.App(outdir=outdir)
    stack = cdk.TerraformStack(app, "s")
    splicer = Splicer(collapse_empty=COLLAPSES_EMPTY[cdk.__name__])
    for i, value in enumerate(values):
        as_written = escaped(value) if mode == "engine" else splicer.whole(value)
        cdk.TerraformLocal(stack, f"v{i:03d}", as_written)
        # The same value as a list item, one level deeper.
        cdk.TerraformLocal(stack, f"w{i:03d}", [1, escaped(value) if mode == "engine" else splicer.whole(value)])
    app.synth()
    if mode == "spliced":
        splicer.apply(outdir)
"""


@pytest.mark.parametrize("engine", ["cdktf", "cdktn"])
def test_spliced_values_are_what_the_engine_writes(tmp_path: Path, engine: str) -> None:
    rng = random.Random(20261129)
    values = [_value(rng) for _ in range(150)]
    # Values with keys that sort differently by code point and by UTF-16 code unit, and empty containers.
    values += [{"\U0001f600": 1, "\uff5e": 2, "a": 3}, {}, [], {"k": {}}, [[]], ""]
    data = tmp_path / "values.json"
    data.write_text(json.dumps(values))  # ASCII-escaped, as jsii sends strings to Node
    proc = subprocess.run(
        [sys.executable, "-c", ENGINE_VS_SPLICE, str(data), str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "ECR_LIFECYCLE_ENGINE": engine},
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    engine_file = (tmp_path / "engine" / "stacks" / "s" / "cdk.tf.json").read_bytes()
    spliced_file = (tmp_path / "spliced" / "stacks" / "s" / "cdk.tf.json").read_bytes()
    assert b"ecr-lifecycle-data-" not in spliced_file
    assert spliced_file == engine_file
    # And what Terraform reads back is each value with its strings escaped.
    locals_ = json.loads(spliced_file)["locals"]
    assert [locals_[f"v{i:03d}"] for i in range(len(values))] == [json.loads(stable_json(v)) for v in values]
    assert (b'"v151": {}' in engine_file) is COLLAPSES_EMPTY[engine]


TOKENS = "#{TfToken[TOKEN.1]} ${TfToken[TOKEN.2]} -8.10956221259138e+298"

HOSTILE_TARGET = f"""
version: 1
targets:
  - name: prod
    region: eu-west-1
    account_id: "111111111111"
    profile: {json.dumps("p " + TOKENS)}
    role_arn: {json.dumps("arn:aws:iam::111111111111:role/" + TOKENS)}
    backend: {{type: s3, bucket: state, key: {json.dumps("k/" + TOKENS)}, region: eu-west-1,
               role_arn: {json.dumps("arn:aws:iam::111111111111:role/" + TOKENS)}}}
repositories:
  - name: app
    rules:
      - description: {json.dumps(TOKENS)}
        selection: {{tagStatus: untagged, countType: imageCountMoreThan, countNumber: 3}}
        action: {{type: expire}}
creation_templates:
  - prefix: ROOT
    description: {json.dumps(TOKENS)}
    templates: [untagged-cleanup]
"""


@pytest.mark.parametrize("engine", ["cdktf", "cdktn"])
def test_text_the_engine_reads_as_tokens_is_written_as_it_is(tmp_path: Path, engine: str) -> None:
    """In every place config text reaches: the provider, the backend, the policies, the creation templates."""
    config = tmp_path / "repositories.yaml"
    config.write_text(HOSTILE_TARGET)
    proc = run_main(config, tmp_path / "out", cwd=tmp_path, engine=engine)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((tmp_path / "out" / "stacks" / "prod" / "cdk.tf.json").read_text())
    escaped = literal_text(TOKENS)
    provider = doc["provider"]["aws"][0]
    assert provider["profile"] == "p " + escaped
    assert provider["assume_role"][0]["role_arn"].endswith("/" + escaped)
    backend = doc["terraform"]["backend"]["s3"]
    # Terraform reads the backend block literally: there, text is written unescaped.
    assert backend["key"] == "k/" + TOKENS and backend["role_arn"].endswith("/" + TOKENS)
    assert doc["locals"]["creation_templates"]["ROOT"]["description"] == escaped
    policy = doc["locals"]["policies"][doc["locals"]["repositories"]["app"]]
    assert json.loads(policy)["rules"][0]["description"] == escaped  # Terraform reads it back unescaped


def test_strings_are_escaped_like_json_stringify() -> None:
    assert js_string('a"b\\c\n\x01\x7f\u2028😀') == '"a\\"b\\\\c\\n\\u0001\x7f\u2028😀"'
    assert js_string("\ud800x") == '"\\ud800x"'  # a lone surrogate is escaped, as JSON.stringify does
    assert stable_json("${x} %{y}") == '"$${x} %%{y}"'
    assert stable_json({}, 2) == "{\n    }"
    assert stable_json({"a": [], "b": {}}, collapse_empty=True) == '{\n  "a": [],\n  "b": {}\n}'
    nested = '{\n    "a": 1,\n    "b": [\n      true,\n      null\n    ]\n  }'
    assert stable_json({"b": [True, None], "a": 1}, 1) == nested


def test_a_value_the_engine_cannot_write_exactly_is_refused() -> None:
    with pytest.raises(SpliceError, match="does not survive"):
        stable_json(2**53)
    with pytest.raises(SpliceError, match="cannot write a float"):
        stable_json(1.5)


def test_placeholders_are_replaced_at_their_depth_and_all_must_arrive(tmp_path: Path) -> None:
    splicer = Splicer()
    first, second = splicer.whole({"k": "v"}), splicer.whole("text")
    text = f'{{\n  "a": {{\n    "x": "{first}"\n  }},\n  "b": [\n    "{second}"\n  ]\n}}'
    spliced = '{\n  "a": {\n    "x": {\n      "k": "v"\n    }\n  },\n  "b": [\n    "text"\n  ]\n}'
    assert splicer.splice_text(text) == spliced
    with pytest.raises(SpliceError, match="not a whole JSON string"):
        splicer.splice_text(f'{{"a": "prefix {first}"}}')
    out = tmp_path / "out"
    (out / "stacks" / "s").mkdir(parents=True)
    (out / "stacks" / "s" / "cdk.tf.json").write_text(f'{{\n  "x": "{first}"\n}}')
    with pytest.raises(SpliceError, match="1 value"):
        splicer.apply(str(out))


def test_a_value_that_cannot_be_written_fails_the_splice_and_leaves_the_file(tmp_path: Path) -> None:
    splicer = Splicer()
    text = json.dumps({"a": splicer.whole("fine"), "b": splicer.whole([2**60]), "c": splicer.whole("late")}, indent=2)
    (tmp_path / "cdk.tf.json").write_text(text)
    with pytest.raises(SpliceError, match="does not survive"):
        splicer.apply(str(tmp_path))
    assert (tmp_path / "cdk.tf.json").read_text() == text  # untouched


def test_a_placeholder_is_never_text_from_the_config() -> None:
    a, b = Splicer(), Splicer()
    assert a.whole("x") != b.whole("x")  # each synthesis has its own nonce
    assert a.strings({"region": "eu-west-1", "n": [True, "y"]})["n"][0] is True
    assert literal_text("${a}%{b}") == "$${a}%%{b}"
