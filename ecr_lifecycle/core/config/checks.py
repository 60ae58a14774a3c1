"""Checks of the config itself (not of a policy): regions, shared Terraform states, and patterns or excludes
that can never act.

Each is one ``Check`` owning its code, title, source, docs link and logic, like the policy checks;
``docs/rules.md`` lists them too. The logic reads the schema-valid config data.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from ecr_lifecycle.core.config.matching import GlobError, glob_covers, glob_to_regex, globs_overlap
from ecr_lifecycle.core.config.model import Backend
from ecr_lifecycle.core.config.shards import stack_backend, stack_slots
from ecr_lifecycle.core.config.targets import parse_backend
from ecr_lifecycle.core.policy.findings import Problem, Scope, check
from ecr_lifecycle.core.suggest import closest

C = Scope.CONFIG
REGIONS_DOC = "https://docs.aws.amazon.com/general/latest/gr/ecr.html"
NAMES_DOC = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-create.html"
STATE_DOC = "https://developer.hashicorp.com/terraform/language/backend"

# Regions with ECR, as of 2026 (public endpoints list). A newer one only gets a warning (W104).
KNOWN_REGIONS = frozenset(
    [
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
        "af-south-1",
        "ap-east-1",
        "ap-east-2",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-6",
        "ap-southeast-7",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ca-central-1",
        "ca-west-1",
        "eu-central-1",
        "eu-central-2",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "eu-south-1",
        "eu-south-2",
        "eu-north-1",
        "il-central-1",
        "me-south-1",
        "me-central-1",
        "mx-central-1",
        "sa-east-1",
        "us-gov-east-1",
        "us-gov-west-1",
        "cn-north-1",
        "cn-northwest-1",
        "eusc-de-east-1",
    ]
)


def _valid_glob(glob: str) -> bool:
    try:
        glob_to_regex(glob)
    except GlobError:
        return False
    return True


@check("E401", "Unknown region that looks like a typo", "DER", C, docs=REGIONS_DOC)
def region_typo(data: dict[str, Any]) -> Iterator[Problem]:
    for i, target in enumerate(data["targets"]):
        region = target["region"]
        guess = closest(region, KNOWN_REGIONS, cutoff=0.8)
        if region not in KNOWN_REGIONS and guess is not None:
            yield Problem(f"targets[{i}].region", f"unknown region {region!r}; did you mean {guess!r}?")


@check("W104", "Region not in our list of ECR regions", "DER", C, docs=REGIONS_DOC)
def region_unknown(data: dict[str, Any]) -> Iterator[Problem]:
    for i, target in enumerate(data["targets"]):
        region = target["region"]
        if region not in KNOWN_REGIONS and closest(region, KNOWN_REGIONS, cutoff=0.8) is None:
            yield Problem(
                f"targets[{i}].region",
                f"region {region!r} is not one we know ECR in; fine if it is new, otherwise check the spelling",
            )


def _state_location(backend: Backend) -> str:
    if backend.kind == "s3":
        # The region too: bucket names are unique per AWS partition only, and a bucket named with the wrong
        # region fails at init instead of sharing anything.
        return f"s3://{backend.bucket}/{backend.key} in {backend.region}"
    assert backend.path is not None
    # Every relative path is relative to the config's folder (each stack's backend points there).
    return f"local file {os.path.normpath(backend.path)}"


def _stack(target: str, stack: str) -> str:
    return repr(target) if stack == target else f"{target!r} (stack {stack!r})"


@check("E402", "Two targets share one Terraform state", "DER", C, docs=STATE_DOC)
def shared_state(data: dict[str, Any]) -> Iterator[Problem]:
    """Deploying a stack makes its state hold only that stack's resources: another target's policies in
    the same state are destroyed. Checked per stack, after shards add their suffixes to the state key."""
    owners: dict[str, tuple[int, str, str]] = {}  # state -> the first (target index, target, stack) using it
    reported: set[tuple[str, str]] = set()
    for i, raw in enumerate(data["targets"]):
        name = raw["name"]
        backend = parse_backend(name, raw.get("backend"))
        for slot in stack_slots(name, raw.get("shards", 1), raw.get("previous_shards")):
            state = _state_location(stack_backend(backend, slot))
            j, other, other_stack = owners.setdefault(state, (i, name, slot.name))
            # Two targets with one name are refused as such (their states are the same because of it).
            if other == name or (other, name) in reported:
                continue
            reported.add((other, name))
            yield Problem(
                f"targets[{i}].backend" if "backend" in raw else f"targets[{i}].name",
                f"target {_stack(name, slot.name)} uses the same Terraform state as target "
                f"{_stack(other, other_stack)} (targets[{j}]): {state}; deploying one would destroy the other's "
                "policies: give each target its own backend path or key",
            )


def _targets_of(entry: dict[str, Any], all_targets: list[str]) -> set[str]:
    return set(entry.get("targets") or all_targets)


@check("W101", "Pattern an earlier pattern already covers: it never matches", "DER", C, docs=NAMES_DOC)
def covered_pattern(data: dict[str, Any]) -> Iterator[Problem]:
    all_targets = [t["name"] for t in data["targets"]]
    earlier: list[tuple[int, dict[str, Any]]] = []
    for i, entry in enumerate(data.get("repositories") or []):
        glob = entry.get("pattern")
        if glob is None or not _valid_glob(glob):
            continue
        for j, before in earlier:
            shared = _targets_of(entry, all_targets) & _targets_of(before, all_targets)
            excluded = [e for e in before.get("exclude") or () if _valid_glob(e) and globs_overlap(e, glob)]
            if shared and not excluded and glob_covers(before["pattern"], glob):
                scope = "" if len(shared) == len(all_targets) else f" in target(s) {', '.join(sorted(shared))}"
                yield Problem(
                    f"repositories[{i}].pattern",
                    f"pattern {glob!r} never matches{scope}: the earlier pattern {before['pattern']!r} "
                    f"(repositories[{j}]) takes every name it matches first; move it above or remove it",
                )
                break
        earlier.append((i, entry))


@check("W102", "Pattern no repository name can match", "DER", C, docs=NAMES_DOC)
def unmatchable_pattern(data: dict[str, Any]) -> Iterator[Problem]:
    for i, entry in enumerate(data.get("repositories") or []):
        glob = entry.get("pattern")
        if glob is not None and (glob.endswith("/") or glob.startswith("/") or "//" in glob):
            yield Problem(
                f"repositories[{i}].pattern",
                f"pattern {glob!r} never matches: repository names neither start nor end with '/' nor hold '//'",
            )


@check("W103", "Exclude that never matches a name of its pattern", "DER", C, docs=NAMES_DOC)
def useless_exclude(data: dict[str, Any]) -> Iterator[Problem]:
    for i, entry in enumerate(data.get("repositories") or []):
        glob = entry.get("pattern")
        if glob is None or not _valid_glob(glob):
            continue
        for j, exclude in enumerate(entry.get("exclude") or ()):
            if _valid_glob(exclude) and not globs_overlap(glob, exclude):
                yield Problem(
                    f"repositories[{i}].exclude[{j}]",
                    f"exclude {exclude!r} never matches a name of pattern {glob!r}; fix or remove it",
                )


CHECKS = (region_typo, region_unknown, shared_state, covered_pattern, unmatchable_pattern, useless_exclude)
