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
from ecr_lifecycle.core.config.shards import SHARD_EXPRESSION, StackPlan

from .aws_provider import AwsProvider
from .ecr_lifecycle_policy import EcrLifecyclePolicy
from .ecr_repositories import DataEcrRepositories
from .ecr_repository_creation_template import EcrRepositoryCreationTemplate
from .engine import cdk
from .splice import Splicer

CREATION_TEMPLATES = "aws_ecr_repository_creation_template.creation_template"


class TargetStack(cdk.TerraformStack):
    def __init__(self, scope: Construct, stack: StackPlan, *, state_dir: str, values: Splicer) -> None:
        """``values``: where everything from the config goes, as placeholders the engine never reads."""
        super().__init__(scope, stack.name)
        plan = stack.plan
        _backend(self, stack.backend, state_dir, values)
        provider = AwsProvider(self, plan.target, values)
        if stack.retired:
            _forget(self, plan)
            return
        cdk.TerraformLocal(self, "policies", values.whole(plan.policies))
        cdk.TerraformLocal(self, "repositories", values.whole(plan.named))
        # Sharded: a repository that a pattern finds belongs here only if its name hashes to this shard.
        in_shard = (
            ""
            if stack.shards == 1
            else f" && {SHARD_EXPRESSION.format(name='name', shards=stack.shards)} == {stack.shard}"
        )
        for_each = "${local.repositories}"
        imports: list[dict[str, Any]] = []
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
            cdk.TerraformLocal(self, "patterns", values.whole(patterns))
            # First matching pattern wins; a name excluded by a pattern falls through to later ones.
            cdk.TerraformLocal(
                self,
                "pattern_hits",
                f"${{{{ for name in {data.names_expression} : name => "
                "[ for p in local.patterns : p.policy if can(regex(p.regex, name)) "
                "&& length([ for e in p.exclude : e if can(regex(e, name)) ]) == 0 ] "
                f"if !contains(keys(local.repositories), name){in_shard} }}}}",
            )
            cdk.TerraformLocal(
                self,
                "pattern_repositories",
                "${{ for name, hits in local.pattern_hits : name => hits[0] if length(hits) > 0 }}",
            )
            for_each = "${merge(local.pattern_repositories, local.repositories)}"
            if stack.import_all:
                imports.append(_import_each("${local.pattern_repositories}", "aws_ecr_lifecycle_policy.this"))
            elif any(p.adopt for p in plan.patterns):
                imports.append(_adopt_pattern_matches(self, plan, data.names_expression, in_shard))
        EcrLifecyclePolicy(
            self,
            "this",
            provider=provider,
            for_each=for_each,
            repository="${each.key}",
            policy="${local.policies[each.value]}",
        )
        # Import blocks are idempotent: once a policy is in state, Terraform ignores its block.
        named = sorted(set(plan.adopt) | (set(plan.named) if stack.import_all else set()))
        imports[:0] = [{"to": f"aws_ecr_lifecycle_policy.this[{json.dumps(n)}]", "id": values.whole(n)} for n in named]
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
            cdk.TerraformLocal(self, "creation_templates", values.whole(templates))
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
            if stack.import_all:
                imports.append(_import_each("${local.creation_templates}", CREATION_TEMPLATES))
        if imports:
            self.add_override("import", imports)


def _import_each(for_each: str, resource: str) -> dict[str, Any]:
    return {"for_each": for_each, "to": f"{resource}[each.key]", "id": "${each.key}"}


def _forget(stack: cdk.TerraformStack, plan: TargetPlan) -> None:
    """A retired shard: Terraform drops what its state holds and destroys nothing."""
    resources = ["aws_ecr_lifecycle_policy.this"]
    if plan.creation_templates:
        resources.append(CREATION_TEMPLATES)
    stack.add_override("removed", [{"from": r, "lifecycle": {"destroy": False}} for r in resources])


def _adopt_pattern_matches(stack: cdk.TerraformStack, plan: TargetPlan, names: str, in_shard: str) -> dict[str, Any]:
    """The import block for every repository an adopting pattern gives its policy to, known at plan time only.

    Like the named ones, they are no-ops once the policies are in state; ``prune-adopt`` removes the flag."""
    flags = [p.adopt for p in plan.patterns]
    cdk.TerraformLocal(stack, "pattern_adopt_flags", flags)
    cdk.TerraformLocal(
        stack,
        "pattern_adopt",
        f"${{{{ for name in {names} : name => "
        "[ for i, p in local.patterns : local.pattern_adopt_flags[i] if can(regex(p.regex, name)) "
        "&& length([ for e in p.exclude : e if can(regex(e, name)) ]) == 0 ] "
        f"if !contains(keys(local.repositories), name){in_shard} }}}}",
    )
    return {
        # HCL evaluates both sides of &&: try() keeps an empty list from failing the plan.
        "for_each": "${{ for name, flags in local.pattern_adopt : name => name if try(flags[0], false) }}",
        "to": "aws_ecr_lifecycle_policy.this[each.key]",
        "id": "${each.key}",
    }


def _backend(stack: cdk.TerraformStack, backend: Backend, state_dir: str, values: Splicer) -> None:
    # Terraform reads backend blocks literally (no ``${…}``, no ``$${`` unescaping): ``values.exact``.
    if backend.kind == "s3":
        assert backend.bucket and backend.key and backend.region  # guaranteed by the config schema
        cdk.S3Backend(
            stack,
            bucket=values.exact(backend.bucket),
            key=values.exact(backend.key),
            region=values.exact(backend.region),
            encrypt=backend.encrypt,
            role_arn=values.exact(backend.role_arn) if backend.role_arn is not None else None,
        )
        if backend.use_lockfile:
            stack.add_override("terraform.backend.s3.use_lockfile", True)
        return
    # A relative path keeps cdk.tf.json identical across checkouts; Terraform runs in the stack's folder.
    assert backend.path
    cdk.LocalBackend(stack, path=values.exact(os.path.join(state_dir, backend.path)))
