"""The baseline for the synthesis benchmark: cdktf's straightforward app over the same config.

One generic ``TerraformResource`` per repository (no prebuilt provider bindings), the policy text and
repository name set on each: what a team writes first. It loads the config with our loader, so the
comparison isolates how the stacks are built and synthesized. Patterns are left out (the straightforward
app cannot expand them without reading the registry), which only makes the baseline faster.
Run: python -m benchmarks.baseline_app --config FILE --outdir DIR
"""

from __future__ import annotations

import argparse
import json

from ecr_lifecycle.core.config.load import load_fleet
from stacks.engine import cdk


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--outdir", required=True)
    args = parser.parse_args(argv)
    fleet = load_fleet(args.config, {})
    app = cdk.App(outdir=args.outdir)
    for name in sorted(fleet.plans):
        plan = fleet.plans[name]
        stack = cdk.TerraformStack(app, name)
        provider = cdk.TerraformProvider(
            stack, "aws", terraform_resource_type="aws", terraform_provider_source="hashicorp/aws"
        )
        provider.add_override("region", plan.target.region)
        for i, (repository, key) in enumerate(sorted(plan.named.items())):
            policy = cdk.TerraformResource(
                stack, f"policy-{i}", terraform_resource_type="aws_ecr_lifecycle_policy", provider=provider
            )
            policy.add_override("repository", repository)
            policy.add_override("policy", json.dumps(json.loads(plan.policies[key])))
    app.synth()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
