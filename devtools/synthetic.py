"""Deterministic synthetic data: realistic image inventories and large fleet configs.

Same seed, same output, on every machine: the bundled example inventory and the
benchmarks are generated from here.
"""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime
from typing import Any

DAY = 86_400


def _digest(*parts: object) -> str:
    return "sha256:" + hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def repository_images(
    repository: str,
    now: float,
    rng: random.Random,
    count: int,
    *,
    registry_id: str = "123456789012",
    epoch: bool = False,
) -> list[dict[str, Any]]:
    """A service's history: releases, main builds, feature branches and untagged leftovers over ~8 months."""
    images = []
    base_size = rng.randint(40, 900) * 1024 * 1024
    release = [1, rng.randint(0, 9), 0]
    for n in range(count):
        age_days = (count - n) * (240 / max(count, 1)) + rng.random()
        pushed = now - age_days * DAY
        kind = rng.random()
        if kind < 0.15:
            release[2] += 1
            if rng.random() < 0.15:
                release = [release[0], release[1] + 1, 0]
            tags = [f"v{release[0]}.{release[1]}.{release[2]}"]
        elif kind < 0.55:
            tags = [f"main-{_digest(repository, n)[7:14]}"]
        elif kind < 0.80:
            tags = [f"feature-{rng.choice(['login', 'search', 'billing', 'cache', 'api-v2'])}-{n}"]
        else:
            tags = []
        detail: dict[str, Any] = {
            "registryId": registry_id,
            "repositoryName": repository,
            "imageDigest": _digest(repository, n),
            "imageSizeInBytes": int(base_size * rng.uniform(0.8, 1.2)),
            "imagePushedAt": pushed if epoch else _iso(pushed),
            "imageManifestMediaType": "application/vnd.docker.distribution.manifest.v2+json",
        }
        if tags:
            detail["imageTags"] = tags
        if rng.random() < 0.7:
            pulled = pushed + rng.uniform(0, min(age_days, 60)) * DAY
            detail["lastRecordedPullTime"] = pulled if epoch else _iso(pulled)
        images.append(detail)
    return images


def inventory(repositories: dict[str, int], now: float, seed: int = 7, *, epoch: bool = False) -> dict[str, Any]:
    rng = random.Random(seed)
    details: list[dict[str, Any]] = []
    for name, count in sorted(repositories.items()):
        details.extend(repository_images(name, now, rng, count, epoch=epoch))
    return {"imageDetails": details}


def fleet_config(repositories: int, targets: int, patterns: int) -> str:
    """A large config as users write it (for the synthesis benchmark): every named entry lists its own
    templates with its own parameters, so thousands of distinct policies; patterns carry excludes."""
    lines = ["version: 1", "targets:"]
    for t in range(targets):
        lines += [f"  - name: target-{t}", "    region: eu-west-1", f"    account_id: '{100000000000 + t}'"]
    lines.append("repositories:")

    def templates(n: int) -> str:
        # Coprime strides: parameters combine into thousands of distinct policies, as in a real fleet.
        keep, days, releases = 10 + (n * 37) % 491, 3 + (n * 13) % 89, 5 + (n * 7) % 45
        return [
            f"templates: [untagged-cleanup, {{name: keep-last, params: {{keep: {keep}}}}}]\n"
            f"    params: {{days: {days}}}",
            "templates:\n      - untagged-cleanup\n"
            f"      - {{name: keep-releases, params: {{keep: {releases}}}}}\n"
            f"      - {{name: keep-last, params: {{keep: {keep + 50}}}}}\n    params: {{days: {days}}}",
            f"templates: [untagged-cleanup, feature-branches, keep-last]\n    params: {{days: {days}, keep: {keep}}}",
            f"templates: [keep-releases, keep-last]\n    params: {{keep: {keep}}}",
            "templates: [untagged-cleanup, {name: feature-branches, params: {prefix: 'pr-'}}, keep-releases, "
            f"keep-last]\n    params: {{days: {days}}}",
            f"templates: [archive-then-expire]\n    params: {{archive_after_days: {90 + days}}}",
        ][n % 6]

    for r in range(repositories):
        lines += [
            f"  - name: team-{r % 50}/service-{r:05d}",
            f"    targets: [target-{r % targets}]",
            f"    {templates(r)}",
        ]
    for p in range(patterns):
        lines += [f"  - pattern: 'dynamic-{p}/*'", f"    exclude: ['dynamic-{p}/legacy-*']", f"    {templates(p)}"]
    return "\n".join(lines) + "\n"


def fleet_inventory(images: int, repositories: int, now: float, seed: int = 11) -> dict[str, Any]:
    """A fleet-scale inventory as the performance benchmarks describe it: images spread evenly over the
    repositories, five tag kinds (``v1.X.Y``, ``build-N``, ``feature-x-N``, ``prod-N``, untagged) at random,
    ISO 8601 push times with ``+00:00`` over 400 days, 60 % with a ``lastRecordedPullTime``."""
    rng = random.Random(seed)
    details = []
    for n in range(images):
        repository = f"team-{n % repositories % 97}/service-{n % repositories:05d}"
        kind = rng.randrange(5)
        tags = [[f"v1.{n % 50}.{n}"], [f"build-{n}"], [f"feature-x-{n}"], [f"prod-{n}"], []][kind]
        pushed = now - rng.uniform(0, 400) * DAY
        detail: dict[str, Any] = {
            "registryId": "123456789012",
            "repositoryName": repository,
            "imageDigest": _digest(repository, n),
            "imageTags": tags,
            "imageSizeInBytes": rng.randint(10, 900) * 1024 * 1024,
            "imagePushedAt": _iso(pushed),
            "imageManifestMediaType": "application/vnd.docker.distribution.manifest.v2+json",
        }
        if rng.random() < 0.6:
            detail["lastRecordedPullTime"] = _iso(pushed + rng.uniform(0, now - pushed))
        if not tags:
            del detail["imageTags"]
        details.append(detail)
    return {"imageDetails": details}


# The benchmarks' policy: prod prefix keep 20, v1.* keep 10, feature-* after 14 days, untagged after 7, any keep 30.
FLEET_POLICY: dict[str, Any] = {
    "rules": [
        {"rulePriority": 1, "description": "keep the newest 20 prod images",
         "selection": {"tagStatus": "tagged", "tagPrefixList": ["prod"], "countType": "imageCountMoreThan",
                       "countNumber": 20}, "action": {"type": "expire"}},
        {"rulePriority": 2, "description": "keep the newest 10 v1 releases",
         "selection": {"tagStatus": "tagged", "tagPatternList": ["v1.*"], "countType": "imageCountMoreThan",
                       "countNumber": 10}, "action": {"type": "expire"}},
        {"rulePriority": 3, "description": "feature builds after 14 days",
         "selection": {"tagStatus": "tagged", "tagPatternList": ["feature-*"], "countType": "sinceImagePushed",
                       "countUnit": "days", "countNumber": 14}, "action": {"type": "expire"}},
        {"rulePriority": 4, "description": "untagged images after 7 days",
         "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days",
                       "countNumber": 7}, "action": {"type": "expire"}},
        {"rulePriority": 5, "description": "everything else: keep the newest 30",
         "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 30},
         "action": {"type": "expire"}},
    ]
}  # fmt: skip
