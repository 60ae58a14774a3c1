"""One Terraform stack per target: provider, backend, policies as data, two ``for_each`` resources.

Design for fleets of thousands: each distinct policy text appears once (``local.policies``,
keyed by content hash); repositories map to a key. Exact names are a static map;
patterns are resolved at plan time over ``data.aws_ecr_repositories`` with the regexes
the core compiled, so repositories created later get their policy on the next plan.
Resource addresses are ``aws_ecr_lifecycle_policy.this["<repository>"]`` whichever way a
repository was matched, so adding, removing or reordering entries never churns others.
"""

from __future__ import annotations

import json
import os
from typing import Any

from constructs import Construct

from ecr_lifecycle.core.config.matching import glob_to_regex
from ecr_lifecycle.core.config.model import Backend, TargetPlan

from .aws_provider import AwsProvider
from .ecr_lifecycle_policy import EcrLifecyclePolicy
from .ecr_repositories import DataEcrRepositories
from .ecr_repository_creation_template import EcrRepositoryCreationTemplate
from .engine import cdk
from .literal import literal


class TargetStack(cdk.TerraformStack):
    def __init__(self, scope: Construct, plan: TargetPlan, *, state_dir: str) -> None:
        super().__init__(scope, plan.target.name)
        _backend(self, plan.target.backend, state_dir)
        provider = AwsProvider(self, plan.target)
        cdk.TerraformLocal(self, "policies", literal(plan.policies))
        cdk.TerraformLocal(self, "repositories", literal(plan.named))
        for_each = "${local.repositories}"
        if plan.patterns:
            data = DataEcrRepositories(self, "all", provider=provider)
            patterns = [
                {
                    "regex": glob_to_regex(p.glob),
                    "exclude": [glob_to_regex(e) for e in p.exclude],
                    "policy": p.policy_key,
                }
                for p in plan.patterns
            ]
            cdk.TerraformLocal(self, "patterns", literal(patterns))
            # First matching pattern wins; a name excluded by a pattern falls through to later ones.
            cdk.TerraformLocal(
                self,
                "pattern_hits",
                f"${{{{ for name in {data.names_expression} : name => "
                "[ for p in local.patterns : p.policy if can(regex(p.regex, name)) "
                "&& length([ for e in p.exclude : e if can(regex(e, name)) ]) == 0 ] "
                "if !contains(keys(local.repositories), name) }}",
            )
            cdk.TerraformLocal(
                self,
                "pattern_repositories",
                "${{ for name, hits in local.pattern_hits : name => hits[0] if length(hits) > 0 }}",
            )
            for_each = "${merge(local.pattern_repositories, local.repositories)}"
            if any(p.adopt for p in plan.patterns):
                _adopt_pattern_matches(self, plan, data.names_expression)
        EcrLifecyclePolicy(
            self,
            "this",
            provider=provider,
            for_each=for_each,
            repository="${each.key}",
            policy="${local.policies[each.value]}",
        )
        if plan.adopt and not any(p.adopt for p in plan.patterns):
            # Import blocks are idempotent: once a policy is in state, Terraform ignores its block.
            self.add_override(
                "import",
                [
                    {"to": f"aws_ecr_lifecycle_policy.this[{json.dumps(name)}]", "id": literal(name)}
                    for name in plan.adopt
                ],
            )
        if plan.creation_templates:
            templates: dict[str, Any] = {
                t.prefix: {
                    "applied_for": list(t.applied_for),
                    "policy": t.composed.key,
                    "description": t.description
                    or f"ecr-lifecycle: {', '.join(t.composed.templates) or 'inline rules'}",
                }
                for t in plan.creation_templates
            }
            cdk.TerraformLocal(self, "creation_templates", literal(templates))
            EcrRepositoryCreationTemplate(
                self,
                "creation_template",
                provider=provider,
                for_each="${local.creation_templates}",
                prefix="${each.key}",
                applied_for="${each.value.applied_for}",
                lifecycle_policy="${local.policies[each.value.policy]}",
                description="${each.value.description}",
            )


def _adopt_pattern_matches(stack: cdk.TerraformStack, plan: TargetPlan, names: str) -> None:
    """Import blocks for every repository an adopting pattern gives its policy to, known at plan time only.

    Like the named ones, they are no-ops once the policies are in state; ``prune-adopt`` removes the flag."""
    flags = [p.adopt for p in plan.patterns]
    cdk.TerraformLocal(stack, "pattern_adopt_flags", flags)
    cdk.TerraformLocal(
        stack,
        "pattern_adopt",
        f"${{{{ for name in {names} : name => "
        "[ for i, p in local.patterns : local.pattern_adopt_flags[i] if can(regex(p.regex, name)) "
        "&& length([ for e in p.exclude : e if can(regex(e, name)) ]) == 0 ] "
        "if !contains(keys(local.repositories), name) }}",
    )
    stack.add_override(
        "import",
        [
            *[{"to": f"aws_ecr_lifecycle_policy.this[{json.dumps(n)}]", "id": literal(n)} for n in plan.adopt],
            {
                # HCL evaluates both sides of &&: try() keeps an empty list from failing the plan.
                "for_each": "${{ for name, flags in local.pattern_adopt : name => name if try(flags[0], false) }}",
                "to": "aws_ecr_lifecycle_policy.this[each.key]",
                "id": "${each.key}",
            },
        ],
    )


def _backend(stack: cdk.TerraformStack, backend: Backend, state_dir: str) -> None:
    if backend.kind == "s3":
        assert backend.bucket and backend.key and backend.region  # guaranteed by the config schema
        cdk.S3Backend(
            stack,
            bucket=literal(backend.bucket),
            key=literal(backend.key),
            region=literal(backend.region),
            encrypt=backend.encrypt,
            role_arn=literal(backend.role_arn),
        )
        if backend.use_lockfile:
            stack.add_override("terraform.backend.s3.use_lockfile", True)
        return
    # A relative path keeps cdk.tf.json identical across checkouts; Terraform runs in the stack's folder.
    assert backend.path
    cdk.LocalBackend(stack, path=literal(os.path.join(state_dir, backend.path)))
