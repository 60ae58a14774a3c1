"""Plans at fleet scale against a local ECR endpoint: one stack against 10 shards planned 2 at a time.

For each size, the registry holds N repositories with their policies already deployed and Terraform's
state says so (written directly: deploying 10,000 policies through Terraform would take most of an hour),
so each plan is what a pull request pays: refresh every policy, read the repository list, compare. Wall
time and peak RSS of Terraform (with its provider) are printed side by side for both layouts, in one run.
Run: pipenv run python -m benchmarks.plan [--sizes 1000,5000,10000] [--shards 10] [--parallel 2]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from devtools.local_ecr import local_client, local_ecr
from ecr_lifecycle.core.config.load import load_fleet
from ecr_lifecycle.core.config.shards import shard_of

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "123456789012"  # moto's
PROVIDER = 'provider["registry.terraform.io/hashicorp/aws"]'

MEASURE = (
    "import resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "proc = subprocess.run(sys.argv[2:], cwd=sys.argv[1], capture_output=True, text=True)\n"
    "wall = time.perf_counter() - start\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
    "sys.stderr.write(proc.stderr[-2000:])\n"
    "print(wall, peak, proc.returncode)\n"
)


def _config(state: Path, shards: int) -> str:
    return (
        "version: 1\ntargets:\n"
        "  - name: bench\n    region: us-east-1\n"
        "    endpoints: {ecr: '${ECR_ENDPOINT_URL}', sts: '${ECR_ENDPOINT_URL}'}\n"
        + (f"    shards: {shards}\n" if shards > 1 else "")
        + f"    backend: {{type: local, path: '{state}/bench.tfstate'}}\n"
        "repositories:\n  - pattern: 'svc/*'\n    templates: [untagged-cleanup, keep-last]\n"
    )


def _state(names: list[str], policy: str) -> str:
    instances = [
        {
            "index_key": name,
            "schema_version": 0,
            "attributes": {"id": name, "policy": policy, "registry_id": ACCOUNT, "repository": name},
            "sensitive_attributes": [],
        }
        for name in names
    ]
    resource = {"mode": "managed", "type": "aws_ecr_lifecycle_policy", "name": "this", "provider": PROVIDER}
    doc = {
        "version": 4,
        "terraform_version": "1.5.0",
        "serial": 1,
        "lineage": str(uuid.uuid4()),
        "outputs": {},
        "resources": [resource | {"instances": instances}],
        "check_results": None,
    }
    return json.dumps(doc)


def _terraform(stack: Path, env: dict[str, str], *args: str) -> tuple[float, float, int]:
    proc = subprocess.run(
        [sys.executable, "-c", MEASURE, str(stack), "terraform", *args], capture_output=True, text=True, env=env
    )
    wall, peak, code = proc.stdout.split()
    if code not in ("0", "2"):
        raise SystemExit(f"terraform {args[0]} in {stack.name} failed:\n{proc.stderr}")
    return float(wall), float(peak), int(code)


def _layout(folder: Path, shards: int, names: list[str], env: dict[str, str]) -> list[Path]:
    """Synthesize the config with ``shards``, write each stack's state, init each stack (not timed)."""
    folder.mkdir()
    state = folder / "state"
    state.mkdir()
    shutil.copytree(ROOT / "policies", folder / "policies")
    (folder / "repositories.yaml").write_text(_config(state, shards))
    synth = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--outdir", "out"], cwd=folder, env=env, capture_output=True, text=True
    )
    if synth.returncode != 0:
        raise SystemExit(synth.stderr)
    plan = load_fleet(str(folder / "repositories.yaml"), env).plans["bench"]
    policy = plan.policies[plan.patterns[0].policy_key]
    stacks = []
    for k in range(shards):
        mine = [n for n in names if shards == 1 or shard_of(n, shards) == k]
        key = "bench.tfstate" if shards == 1 else f"bench-{k}-of-{shards}.tfstate"
        (state / key).write_text(_state(mine, policy))
        stack = folder / "out" / "stacks" / ("bench" if shards == 1 else f"bench-{k}")
        _terraform(stack, env, "init", "-input=false", "-no-color")
        stacks.append(stack)
    return stacks


def _plan_all(stacks: list[Path], env: dict[str, str], parallel: int) -> tuple[float, float]:
    args = ("plan", "-input=false", "-no-color", "-lock=false", "-detailed-exitcode")
    start = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        results = list(pool.map(lambda stack: _terraform(stack, env, *args), stacks))
    if any(code != 0 for _, _, code in results):
        raise SystemExit("a plan found changes: the written state does not match the registry")
    return time.perf_counter() - start, max(peak for _, peak, _ in results)


def _provider_mirror() -> dict[str, str]:
    """The provider mirror ``scripts/bootstrap.sh`` found, unless Terraform is configured already: the plans
    must not reach for the registry."""
    generated = ROOT / ".terraformrc.generated"
    return {"TF_CLI_CONFIG_FILE": str(generated)} if generated.is_file() else {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="200,1000", help="repository counts, comma-separated")
    parser.add_argument("--shards", type=int, default=10)
    parser.add_argument("--parallel", type=int, default=2)
    args = parser.parse_args(argv)
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        with tempfile.TemporaryDirectory() as tmp, local_ecr() as url:
            folder = Path(tmp)
            cache = folder / "plugins"
            cache.mkdir()
            env = {**_provider_mirror(), **os.environ, "ECR_ENDPOINT_URL": url, "CHECKPOINT_DISABLE": "1",
                   "TF_IN_AUTOMATION": "1", "TF_PLUGIN_CACHE_DIR": str(cache)}  # fmt: skip
            ecr = local_client("ecr", url, "us-east-1")
            names = [f"svc/r-{i:05d}" for i in range(size)]
            one = _layout(folder / "one", 1, names, env)
            many = _layout(folder / "sharded", args.shards, names, env)
            text = json.loads(json.dumps(load_fleet(str(folder / "one" / "repositories.yaml"), env).plans["bench"]
                                         .policies.popitem()[1]))  # fmt: skip
            for name in names:
                ecr.create_repository(repositoryName=name)
                ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=text)
            single = _plan_all(one, env, 1)
            sharded = _plan_all(many, env, args.parallel)
        rows.append((size, single, sharded))
        print(
            f"  {size} repositories: one stack {single[0]:.1f} s; {args.shards} shards {sharded[0]:.1f} s", flush=True
        )
    print(f"\n| repositories | one stack: wall | peak RSS | {args.shards} shards, {args.parallel} at a time: wall "
          "| peak RSS per plan | faster |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|")
    for size, (wall1, peak1), (wall2, peak2) in rows:
        print(f"| {size:,} | {wall1:.1f} s | {peak1:.0f} MB | {wall2:.1f} s | {peak2:.0f} MB | {wall1 / wall2:.1f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
