"""Read the images in use from every target's workloads (ECS, Lambda, Batch, App Runner): shared by ``in-use``
and the ``--in-use-live`` guard of ``preview`` and ``diff``."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Sequence
from typing import Any

from ecr_lifecycle.app.inuse import collect_in_use
from ecr_lifecycle.cli.errors import CliError, aws_failures
from ecr_lifecycle.cli.reading import report_reads, scheduler_for
from ecr_lifecycle.core.config.model import Fleet, Target, UnknownTarget
from ecr_lifecycle.core.preview.guards import ImageRef, Usage


def collect_live(
    fleet: Fleet,
    names: Sequence[str] | None,
    profile: str | None,
    endpoint_url: str | None,
    rollback: int,
    reads: argparse.Namespace | None = None,
) -> list[tuple[str, Usage]]:
    """Every target's workloads (several targets at once), in target order. ``reads``: the command's
    ``--concurrency``, ``--max-rps`` and ``--verbose`` (``cli/reading.py``), defaults without."""
    from ecr_lifecycle.aws.inuse import batch_in_use, ecs_in_use, lambda_in_use, resolve_tags
    from ecr_lifecycle.aws.reads import RegistryReadError, per_target
    from ecr_lifecycle.aws.session import check_account, describe_failure, ecr_client, service_client

    try:
        targets = fleet.select_targets(names)
    except UnknownTarget as exc:
        raise CliError(str(exc)) from None
    endpoint = endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
    options = reads or argparse.Namespace()

    def read(target: Target) -> list[tuple[str, Usage]]:
        check_account(target, profile=profile, endpoint_url=endpoint)
        clients = {
            s: service_client(s, target, profile=profile, endpoint_url=endpoint) for s in ("ecs", "lambda", "batch")
        }
        scheduler = scheduler_for(options, target)
        mine: list[tuple[str, Usage]] = []
        try:
            mine += ecs_in_use(clients["ecs"], rollback, scheduler)
            mine += lambda_in_use(clients["lambda"], scheduler)
            mine += batch_in_use(scheduler.attach(clients["batch"]))
        except RegistryReadError as exc:
            raise CliError(f"target {target.name}: cannot read workloads: {exc}", 1) from None
        except Exception as exc:  # botocore errors: one line
            raise CliError(f"target {target.name}: cannot read workloads: {describe_failure(exc)}", 1) from None
        mine += _optional_apprunner(target, profile, endpoint)
        ecr = ecr_client(target, profile=profile, endpoint_url=endpoint)
        pinned = resolve_tags(ecr, target.account_id, target.region, mine, scheduler)
        report_reads(options, target, scheduler)
        return pinned

    with aws_failures():
        return [found for mine in per_target(read, targets) for found in mine]


def live_references(
    fleet: Fleet,
    profile: str | None,
    endpoint_url: str | None,
    rollback: int = 5,
    reads: argparse.Namespace | None = None,
) -> list[ImageRef]:
    """The references ``--in-use-live`` guards: every target's workloads, with where each runs."""
    images = collect_in_use((), rollback, collect_live(fleet, None, profile, endpoint_url, rollback, reads))
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
