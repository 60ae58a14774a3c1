"""Read the images in use from every target's workloads (ECS, Lambda, Batch, App Runner): shared by ``in-use``
and the ``--in-use-live`` guard of ``preview`` and ``diff``."""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Sequence
from typing import Any

from ecr_lifecycle.app.inuse import collect_in_use
from ecr_lifecycle.cli.errors import CliError, aws_failures
from ecr_lifecycle.core.config.model import Fleet, Target, UnknownTarget
from ecr_lifecycle.core.preview.guards import ImageRef, Usage


def collect_live(
    fleet: Fleet, names: Sequence[str] | None, profile: str | None, endpoint_url: str | None, rollback: int
) -> list[tuple[str, Usage]]:
    from ecr_lifecycle.aws.inuse import batch_in_use, ecs_in_use, lambda_in_use, resolve_tags
    from ecr_lifecycle.aws.session import check_account, describe_failure, ecr_client, service_client

    try:
        targets = fleet.select_targets(names)
    except UnknownTarget as exc:
        raise CliError(str(exc)) from None
    endpoint = endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
    found: list[tuple[str, Usage]] = []
    with aws_failures():
        for target in targets:
            check_account(target, profile=profile, endpoint_url=endpoint)
            clients = {
                s: service_client(s, target, profile=profile, endpoint_url=endpoint) for s in ("ecs", "lambda", "batch")
            }
            mine: list[tuple[str, Usage]] = []
            try:
                mine += ecs_in_use(clients["ecs"], rollback)
                mine += lambda_in_use(clients["lambda"])
                mine += batch_in_use(clients["batch"])
            except Exception as exc:  # botocore errors: one line
                raise CliError(f"target {target.name}: cannot read workloads: {describe_failure(exc)}", 1) from None
            mine += _optional_apprunner(target, profile, endpoint)
            ecr = ecr_client(target, profile=profile, endpoint_url=endpoint)
            found += resolve_tags(ecr, target.account_id, target.region, mine)
    return found


def live_references(fleet: Fleet, profile: str | None, endpoint_url: str | None, rollback: int = 5) -> list[ImageRef]:
    """The references ``--in-use-live`` guards: every target's workloads, with where each runs."""
    images = collect_in_use((), rollback, collect_live(fleet, None, profile, endpoint_url, rollback))
    return [dataclasses.replace(i.reference, used_by=i.used_by) for i in images]


def _optional_apprunner(target: Target, profile: str | None, endpoint: str | None) -> list[tuple[str, Usage]]:
    """App Runner is not in every region (nor in local emulators): where its endpoint cannot answer, say so."""
    from ecr_lifecycle.aws.inuse import apprunner_in_use
    from ecr_lifecycle.aws.session import describe_failure, service_client

    try:
        client: Any = service_client("apprunner", target, profile=profile, endpoint_url=endpoint, attempts=2)
        return list(apprunner_in_use(client))
    except Exception as exc:  # an unknown endpoint, or a region without App Runner
        print(f"note: target {target.name}: App Runner not read: {describe_failure(exc)}", file=sys.stderr)
        return []
