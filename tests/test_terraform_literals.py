"""What ``render`` prints is exactly what Terraform plans: strings from configs and templates are data.

Terraform evaluates ``${…}`` and ``%{…}`` anywhere in a configuration's JSON strings; a rule
description ``${file("/etc/hostname")}`` must reach AWS as those characters, not as a file's content.
cdktf reads its own token markers (``#{TfToken[…]}``, numbers like ``-8.10956221259138e+298``) in any
string it is given; such text in a description must neither break synthesis nor be replaced.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ecr_lifecycle.core.config.load import load_fleet
from stacks.literal import literal_text
from stacks.splice import stable_json
from tests.test_synth import run_main, synth_stack

pytestmark = pytest.mark.slow  # processes, engines or many generated cases: not in the fast tier

HOSTILE = [
    "cwd=${path.cwd}",
    '${file("/etc/hostname")}',
    "%{ if true }directive%{ endif }",
    "$${already} and %%{escaped}",
    "ends with $",
    "${",
    # cdktf's encodings of a list token, a string token, a map token and a number token
    "#{TfToken[TOKEN.1]}",
    "${TfToken[TOKEN.2]} and &{TfToken[TOKEN.3]}",
    "keep -8.10956221259138e+298 and -1.8881545897087503e+289",
]
DESCRIPTION = '${file("/etc/hostname")} #{TfToken[TOKEN.1]} -8.109562212591381e+298'


CONFIG = """
version: 1
targets:
  - name: local
    region: us-east-1
    endpoints: {{ecr: "http://127.0.0.1:9"}}
repositories:
  - name: app/api
    rules:
{rules}
creation_templates:
  - prefix: ROOT
    description: {description}
    rules:
      - selection: {{tagStatus: untagged, countType: sinceImagePushed, countUnit: days, countNumber: 3}}
        action: {{type: expire}}
        description: {description}
"""


def _config(tmp: Path) -> Path:
    rules = "\n".join(
        f"      - description: {json.dumps(d)}\n"
        f"        selection: {{tagStatus: tagged, tagPatternList: [{json.dumps('v' + str(i) + '*')}], "
        "countType: imageCountMoreThan, countNumber: 5}\n"
        "        action: {type: expire}"
        for i, d in enumerate(HOSTILE)
    )
    (tmp / "policies").mkdir()
    path = tmp / "repositories.yaml"
    path.write_text(CONFIG.format(rules=rules, description=json.dumps(DESCRIPTION)))
    return path


def test_every_string_and_key_is_written_escaped() -> None:
    assert json.loads(stable_json({"${a}": ["%{b}", 1, True, None]})) == {"$${a}": ["%%{b}", 1, True, None]}
    assert literal_text("$${x}") == "$$${x}"  # Terraform reads $$$ { as a literal "$" then "${": no expression


def test_synthesized_json_holds_no_expression_of_ours_from_config_strings(tmp_path: Path) -> None:
    doc = synth_stack(_config(tmp_path), "local", {})
    policies = doc["locals"]["policies"]
    fleet = load_fleet(str(tmp_path / "repositories.yaml"))
    texts = {e.composed.text for e in fleet.all_policies()}
    assert sorted(policies.values()) == sorted(literal_text(t) for t in texts)
    assert {r.description for e in fleet.all_policies() for r in e.composed.policy.rules} >= set(HOSTILE)
    assert doc["locals"]["creation_templates"]["ROOT"]["description"] == literal_text(DESCRIPTION)


def test_terraform_plans_exactly_the_rendered_policy_text(tmp_path: Path) -> None:
    """A real ``terraform plan`` (nothing is contacted: the target is a loopback emulator, and creating
    resources reads nothing) evaluates the policy to the bytes ``render`` gives."""
    config = _config(tmp_path)
    out = tmp_path / "cdktf.out"
    proc = run_main(config, out, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    stack = out / "stacks" / "local"
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"}

    def terraform(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["terraform", *args], cwd=stack, capture_output=True, text=True, env=env, timeout=300)

    init = terraform("init", "-input=false", "-no-color")
    assert init.returncode == 0, init.stdout + init.stderr
    plan = terraform("plan", "-input=false", "-no-color", "-refresh=false", "-out=plan.bin")
    assert plan.returncode == 0, plan.stdout + plan.stderr
    shown = json.loads(terraform("show", "-json", "plan.bin").stdout)
    planned = {
        r["address"]: r["values"]
        for r in shown["planned_values"]["root_module"]["resources"]
        if r["type"] in ("aws_ecr_lifecycle_policy", "aws_ecr_repository_creation_template")
    }
    fleet = load_fleet(str(config))
    entry = fleet.entry_for("local", "app/api")
    assert entry is not None
    # The provider stores the policy with its own key order (it normalises the JSON); the content must
    # be exactly ours, strings included.
    assert json.loads(planned['aws_ecr_lifecycle_policy.this["app/api"]']["policy"]) == json.loads(entry.composed.text)
    template = planned['aws_ecr_repository_creation_template.creation_template["ROOT"]']
    assert template["description"] == DESCRIPTION
    assert json.loads(template["lifecycle_policy"]) == json.loads(fleet.creation_templates[0].composed.text)
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else None
    if hostname:
        assert hostname not in json.dumps(planned)
    shutil.rmtree(stack / ".terraform", ignore_errors=True)


# Terraform reads backend blocks literally: this must be the state file's name, character for character.
BACKEND_PATH = "state-${x}-%{y}-$${z}.tfstate"
BACKEND_CONFIG = f"""
version: 1
targets:
  - name: local
    region: us-east-1
    endpoints: {{ecr: "http://127.0.0.1:9"}}
    backend: {{type: local, path: {json.dumps(BACKEND_PATH)}}}
repositories:
  - name: app/api
    templates: [untagged-cleanup]
"""


def test_state_lands_at_the_backend_path_as_written_and_errored_state_survives_a_synth(tmp_path: Path) -> None:
    """The backend path holds ``${``, ``%{`` and ``$${``: Terraform must write the state to exactly that file.
    And ``errored.tfstate``, which Terraform leaves in the stack folder when it cannot save the state, must
    still be there for ``terraform state push`` after the next synthesis."""
    config = tmp_path / "repositories.yaml"
    config.write_text(BACKEND_CONFIG)
    out = tmp_path / "cdktf.out"
    proc = run_main(config, out, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    stack = out / "stacks" / "local"
    doc = json.loads((stack / "cdk.tf.json").read_text())
    assert doc["terraform"]["backend"]["local"]["path"] == "../../../" + BACKEND_PATH
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"}

    def terraform(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["terraform", *args], cwd=stack, capture_output=True, text=True, env=env, timeout=300)

    init = terraform("init", "-input=false", "-no-color")
    assert init.returncode == 0, init.stdout + init.stderr
    errored = json.dumps(
        {
            "version": 4,
            "terraform_version": "1.5.0",
            "serial": 3,
            "lineage": "st27-errored",
            "outputs": {},
            "resources": [],
        }
    ).encode()
    (stack / "errored.tfstate").write_bytes(errored)
    proc = run_main(config, out, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (stack / "errored.tfstate").read_bytes() == errored
    push = terraform("state", "push", "-no-color", "errored.tfstate")
    assert push.returncode == 0, push.stdout + push.stderr
    assert [p.name for p in tmp_path.glob("*.tfstate")] == [BACKEND_PATH]
    assert json.loads((tmp_path / BACKEND_PATH).read_text())["lineage"] == "st27-errored"
    shutil.rmtree(stack / ".terraform", ignore_errors=True)
