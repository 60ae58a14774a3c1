"""Checks of the config itself (not of a policy): regions, and patterns or excludes that can never act.

Each is one ``Check`` owning its code, title, source, docs link and logic, like the policy checks;
``docs/rules.md`` lists them too. The logic reads the schema-valid config data.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ecr_lifecycle.core.config.matching import GlobError, glob_covers, glob_to_regex, globs_overlap
from ecr_lifecycle.core.policy.findings import Problem, Scope, check
from ecr_lifecycle.core.suggest import closest

C = Scope.CONFIG
REGIONS_DOC = "https://docs.aws.amazon.com/general/latest/gr/ecr.html"
NAMES_DOC = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-create.html"

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


CHECKS = (region_typo, region_unknown, covered_pattern, unmatchable_pattern, useless_exclude)
