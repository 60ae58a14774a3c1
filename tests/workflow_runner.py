"""Runs a GitHub Actions workflow's jobs on this machine, step by step, for the end-to-end pipeline test.

What it does like GitHub: ``${{ }}`` expressions (contexts, ``&&``/``||``/``!``/``==``/``!=``,
``always()``/``success()``/``failure()``, ``fromJSON``/``format``/``contains``), job and step ``if:``,
``needs`` outputs and results, ``strategy.matrix`` from an expression, ``GITHUB_OUTPUT``/
``GITHUB_STEP_SUMMARY``/``GITHUB_ENV`` files, ``bash -eo pipefail`` for ``run:``, a fresh checkout per
job, artifacts between jobs. What it replaces: the setup actions (the machine is set up already), the AWS
credentials action (environment variables for the local endpoint, the role it was asked for recorded),
``gh`` (a recorder), ``pip install pipenv``/``pipenv sync`` (the locked environment exists).
An action it does not know fails the run, so a pipeline change cannot slip past the test unexercised.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||!|\(|\)|,)"
    r"|(?P<name>[A-Za-z_][\w-]*(?:\.[\w-]+|\.\*)*))"
)


# The machine is set up already (Python, Node, Terraform) and the job works in a fresh clone.
SETUP_ACTIONS = ("actions/checkout", "actions/setup-python", "actions/setup-node", "hashicorp/setup-terraform")


class WorkflowError(Exception):
    pass


def _lookup(context: dict[str, Any], path: str) -> Any:
    value: Any = context
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part, value.get(part.lower()))
        else:
            return None
    return value


def evaluate(expression: str, context: dict[str, Any]) -> Any:
    """A GitHub expression, translated token by token into Python and evaluated over ``context``."""
    out: list[str] = []
    pos = 0
    text = expression.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise WorkflowError(f"cannot parse expression {expression!r} at {text[pos:]!r}")
        pos = m.end()
        if m["str"] is not None:
            out.append(repr(m["str"][1:-1].replace("''", "'")))
        elif m["num"] is not None:
            out.append(m["num"])
        elif m["op"] is not None:
            out.append({"&&": " and ", "||": " or ", "!": " not "}.get(m["op"], m["op"]))
        else:
            name = m["name"]
            following = text[pos:].lstrip()
            if following.startswith("("):
                out.append(f"_fn_{name}")
            elif name in ("true", "false", "null"):
                out.append({"true": "True", "false": "False", "null": "None"}[name])
            else:
                out.append(f"_get({name!r})")
    status = context.get("_status", "success")
    functions = {
        "_get": lambda path: _lookup(context, path),
        "_fn_always": lambda: True,
        "_fn_success": lambda: status == "success",
        "_fn_failure": lambda: status == "failure",
        "_fn_cancelled": lambda: False,
        "_fn_fromJSON": lambda s: json.loads(s),
        "_fn_toJSON": lambda v: json.dumps(v),
        "_fn_contains": lambda hay, needle: needle in (hay or ""),
        "_fn_format": lambda fmt, *args: re.sub(r"\{(\d+)\}", lambda g: _text(args[int(g[1])]), fmt),
    }
    return eval("".join(out), {"__builtins__": {}}, functions)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def substitute(text: str, context: dict[str, Any]) -> str:
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: _text(evaluate(m[1], context)), text)


def _condition(raw: Any, context: dict[str, Any]) -> bool:
    if raw is None:
        return bool(context.get("_status", "success") == "success")
    text = str(raw).strip()
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2]
    uses_status = re.search(r"\b(always|success|failure|cancelled)\(", text)
    result = bool(evaluate(text, context))
    if not uses_status:
        result = result and context.get("_status", "success") == "success"
    return result


@dataclass
class StepRun:
    name: str
    outcome: str  # success, failure, skipped
    output: str = ""


@dataclass
class JobRun:
    name: str
    matrix: dict[str, Any] | None
    result: str  # success, failure, skipped
    outputs: dict[str, str] = field(default_factory=dict)
    steps: list[StepRun] = field(default_factory=list)
    summary: str = ""
    roles: list[str] = field(default_factory=list)


class Runner:
    """One workflow run: an event, a repository to check out, and the machine's environment for steps."""

    def __init__(
        self,
        workflow: Path,
        *,
        event_name: str,
        event: dict[str, Any],
        ref: str,
        repository: Path,
        checkout_ref: str,
        work: Path,
        secrets: dict[str, str],
        base_env: dict[str, str],
        aws_env: dict[str, str],
        shims: Path,
    ) -> None:
        self.flow = yaml.safe_load(workflow.read_text())
        self.event_name = event_name
        self.github = {
            "event_name": event_name,
            "event": event,
            "ref": ref,
            "base_ref": (event.get("pull_request") or {}).get("base", {}).get("ref", ""),
            "head_ref": (event.get("pull_request") or {}).get("head", {}).get("ref", ""),
            "token": "recorded-token",
            "repository": "example/ecr-policies",
        }
        self.repository = repository
        self.checkout_ref = checkout_ref
        self.work = work
        self.secrets = secrets
        self.base_env = base_env
        self.aws_env = aws_env
        self.shims = shims
        self.artifacts = work / "artifacts"
        self.jobs: dict[str, list[JobRun]] = {}
        self._count = 0

    def run(self, job_names: list[str]) -> dict[str, list[JobRun]]:
        """Runs the named jobs in this order (callers list them in an order their ``needs`` allow)."""
        for name in job_names:
            job = self.flow["jobs"][name]
            needs = job.get("needs") or []
            needs = [needs] if isinstance(needs, str) else needs
            for need in needs:
                if need not in self.jobs:
                    raise WorkflowError(f"job {name} needs {need}, which has not run")
            context = self._context(needs)
            context["_status"] = (
                "success" if all(r.result in ("success",) for n in needs for r in self.jobs[n]) else "failure"
            )
            if not _condition(job.get("if"), context):
                self.jobs[name] = [JobRun(name, None, "skipped")]
                continue
            matrix = (job.get("strategy") or {}).get("matrix")
            if matrix is None:
                self.jobs[name] = [self._run_job(name, job, context, None)]
                continue
            if isinstance(matrix, str):
                matrix = evaluate(matrix.strip()[3:-2], context)
            entries = list(matrix.get("include") or [])
            if not entries:
                raise WorkflowError(f"job {name}: an empty matrix")
            self.jobs[name] = [self._run_job(name, job, {**context, "matrix": entry}, entry) for entry in entries]
        return self.jobs

    def _context(self, needs: list[str]) -> dict[str, Any]:
        need_ctx = {}
        for need in needs:
            runs = self.jobs[need]
            result = "success" if all(r.result == "success" for r in runs) else (
                "skipped" if all(r.result == "skipped" for r in runs) else "failure"
            )  # fmt: skip
            outputs: dict[str, str] = {}
            for r in runs:
                outputs.update(r.outputs)
            need_ctx[need] = {"result": result, "outputs": outputs}
        return {
            "github": self.github,
            "secrets": self.secrets,
            "vars": {},
            "needs": need_ctx,
            "env": dict(self.flow.get("env") or {}),
            "runner": {"os": "Linux", "temp": str(self.work / "tmp")},
        }

    def _workspace(self, name: str) -> Path:
        self._count += 1
        path = self.work / f"{self._count:02d}-{name}"
        subprocess.run(
            ["git", "clone", "-q", "--no-hardlinks", str(self.repository), str(path)], check=True, timeout=120
        )
        subprocess.run(["git", "checkout", "-q", self.checkout_ref], cwd=path, check=True, timeout=60)
        return path

    def _run_job(
        self, name: str, job: dict[str, Any], context: dict[str, Any], matrix: dict[str, Any] | None
    ) -> JobRun:
        run = JobRun(name, matrix, "success")
        workspace = self._workspace(name if not matrix else f"{name}-{'-'.join(map(str, matrix.values()))}")
        env = {k: _text(v) for k, v in (self.flow.get("env") or {}).items()}
        env |= {k: _text(substitute(str(v), context)) for k, v in (job.get("env") or {}).items()}
        context = {**context, "env": dict(env), "steps": {}, "_status": "success"}
        summary = workspace.parent / f"{workspace.name}.summary.md"
        summary.write_text("")
        for index, step in enumerate(job["steps"]):
            label = step.get("name") or step.get("uses") or f"step {index}"
            if not _condition(step.get("if"), context):
                run.steps.append(StepRun(label, "skipped"))
                continue
            outcome, output, outputs = self._step(step, context, env, workspace, summary, run)
            run.steps.append(StepRun(label, outcome, output))
            if step.get("id"):
                context["steps"][step["id"]] = {"outputs": outputs, "outcome": outcome, "conclusion": outcome}
            if outcome == "failure":
                context["_status"] = "failure"
                run.result = "failure"
        run.summary = summary.read_text()
        for key, value in (job.get("outputs") or {}).items():
            run.outputs[key] = _text(substitute(str(value), context))
        return run

    def _step(
        self,
        step: dict[str, Any],
        context: dict[str, Any],
        env: dict[str, str],
        workspace: Path,
        summary: Path,
        run: JobRun,
    ) -> tuple[str, str, dict[str, str]]:
        inputs = {k: _text(substitute(str(v), context)) for k, v in (step.get("with") or {}).items()}
        if "uses" in step:
            action = step["uses"].split("@")[0]
            if action in SETUP_ACTIONS:
                return "success", "", {}
            if action == "aws-actions/configure-aws-credentials":
                role = inputs.get("role-to-assume", "")
                if not role:
                    return "failure", "configure-aws-credentials: no role-to-assume", {}
                run.roles.append(role)
                env.update(self.aws_env)
                env["AWS_REGION"] = env["AWS_DEFAULT_REGION"] = inputs.get("aws-region") or env.get("AWS_REGION", "")
                context["env"] = dict(env)
                return "success", "", {}
            if action == "actions/upload-artifact":
                target = self.artifacts / inputs["name"]
                target.mkdir(parents=True)
                for pattern in inputs["path"].split("\n"):
                    pattern = pattern.strip()
                    for path in sorted(workspace.glob(pattern)) if pattern else []:
                        shutil.copy(path, target / path.name)
                if not any(target.iterdir()):
                    return "failure", f"upload-artifact {inputs['name']}: no files match {inputs['path']!r}", {}
                return "success", "", {}
            if action == "actions/download-artifact":
                for folder in sorted(self.artifacts.iterdir()) if self.artifacts.is_dir() else []:
                    if fnmatch.fnmatch(folder.name, inputs.get("pattern", "*")):
                        for path in folder.iterdir():
                            shutil.copy(path, workspace / path.name)
                return "success", "", {}
            raise WorkflowError(f"the test runner does not know the action {step['uses']!r}; teach it, don't skip it")
        step_env = {k: _text(substitute(str(v), context)) for k, v in (step.get("env") or {}).items()}
        script = substitute(step["run"], context)
        files = {
            name: workspace.parent / f"{workspace.name}.{name.lower()}" for name in ("GITHUB_OUTPUT", "GITHUB_ENV")
        }
        for path in files.values():
            path.write_text("")
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=workspace,
            env={
                **self.base_env,
                **env,
                **step_env,
                "PATH": f"{self.shims}:{self.base_env['PATH']}",
                "GITHUB_STEP_SUMMARY": str(summary),
                "GITHUB_WORKSPACE": str(workspace),
                "GITHUB_ACTIONS": "true",
                **{k: str(v) for k, v in files.items()},
            },
            capture_output=True,
            text=True,
            timeout=1200,
        )
        outputs = _read_key_values(files["GITHUB_OUTPUT"].read_text())
        env.update(_read_key_values(files["GITHUB_ENV"].read_text()))
        return ("success" if proc.returncode == 0 else "failure"), proc.stdout + proc.stderr, outputs


def _read_key_values(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, marker = line.split("<<", 1)
            body = []
            i += 1
            while lines[i] != marker:
                body.append(lines[i])
                i += 1
            out[key] = "\n".join(body)
        elif "=" in line:
            key, value = line.split("=", 1)
            out[key] = value
        i += 1
    return out


def write_shims(folder: Path, venv: Path, gh_log: Path) -> Path:
    """``python``/``pipenv`` over the locked environment and a ``gh`` that records what it was asked."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "python").write_text(
        "#!/usr/bin/env bash\n"
        '# "python -m pip install pipenv==X": the machine has it already\n'
        'if [ "$1 $2 $3" = "-m pip install" ] && [[ "$4" == pipenv* ]]; then exit 0; fi\n'
        f'exec {venv}/bin/python "$@"\n'
    )
    (folder / "pipenv").write_text(
        "#!/usr/bin/env bash\n"
        'case "$1" in\n'
        "  sync|install) exit 0 ;;  # the locked environment exists\n"
        f'  run) shift; PATH="{venv}/bin:$PATH" exec "$@" ;;\n'
        '  *) echo "pipenv shim: $1 not supported" >&2; exit 2 ;;\n'
        "esac\n"
    )
    (folder / "gh").write_text(
        "#!/usr/bin/env bash\n"
        f'exec {venv}/bin/python -c \'\nimport json, sys\nargs = sys.argv[1:]\nbody = None\nif "--body-file" in args:\n'
        '    body = open(args[args.index("--body-file") + 1]).read()\n'
        f'with open("{gh_log}", "a") as log:\n    log.write(json.dumps({{"args": args, "body": body}}) + "\\n")\n'
        "# No earlier comment: --edit-last fails as gh does, and the workflow falls back to a new comment.\n"
        'sys.exit(1 if "--edit-last" in args else 0)\n\' "$@"\n'
    )
    for shim in ("python", "pipenv", "gh"):
        (folder / shim).chmod(0o755)
    return folder
