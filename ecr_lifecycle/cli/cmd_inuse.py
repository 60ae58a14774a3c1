"""``in-use``: the images workloads run or can roll back to, with where each is used."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ecr_lifecycle.app.inuse import collect_in_use
from ecr_lifecycle.cli import exitcodes
from ecr_lifecycle.cli.errors import CliError, read_text
from ecr_lifecycle.cli.files import write_text
from ecr_lifecycle.cli.fleet import add_config_argument, load_fleet_or_fail
from ecr_lifecycle.cli.help import add_command
from ecr_lifecycle.cli.inuse_live import collect_live
from ecr_lifecycle.cli.reading import add_read_arguments
from ecr_lifecycle.core.inuse.kubernetes import NotKubectlJson, kubectl_items
from ecr_lifecycle.core.inuse.model import to_json
from ecr_lifecycle.core.preview.guards import Usage


def register(sub: Any) -> None:
    p = add_command(
        sub,
        "in-use",
        "list the images workloads run or can roll back to (for the --in-use guard)",
        "Reads Kubernetes objects as `kubectl get pods,deployments,replicasets,statefulsets,daemonsets,cronjobs,jobs\n"
        "-A -o json` prints them and lists every image they use, with where: pods (with the digest the kubelet\n"
        "resolved), controllers' pod templates, and the newest --rollback-revisions ReplicaSets of each Deployment.\n"
        "preview and diff take its JSON with --in-use.",
        (0, 1, 2),
        "python -m ecr_lifecycle in-use --kubernetes k8s.json --format json --output in-use.json\n"
        "  (k8s.json: kubectl get pods,deployments,replicasets,statefulsets,daemonsets,cronjobs -A -o json)",
    )
    p.add_argument("--kubernetes", nargs="+", metavar="FILE", default=[], help="kubectl -o json output files")
    p.add_argument(
        "--kube-context",
        action="append",
        metavar="CONTEXT",
        help="read a cluster's API server through this kubeconfig context (repeatable; needs the kubernetes package)",
    )
    p.add_argument("--kubeconfig", metavar="FILE", help="with --kube-context: the kubeconfig (default: the usual one)")
    add_config_argument(p)
    p.add_argument("--target", action="append", help="only this target (repeatable; default: all)")
    p.add_argument("--no-aws", action="store_true", help="read no AWS account: only the --kubernetes files")
    p.add_argument("--endpoint-url", help="AWS endpoint for every service (a local emulator)")
    p.add_argument("--profile", help="AWS profile")
    p.add_argument(
        "--rollback-revisions",
        type=int,
        default=5,
        metavar="K",
        help="ReplicaSets kept per Deployment as rollback targets (default: %(default)s)",
    )
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: %(default)s)")
    p.add_argument("--output", metavar="FILE", help="write to FILE (whole or not at all) instead of stdout")
    add_read_arguments(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if args.rollback_revisions < 0:
        raise CliError("--rollback-revisions must be 0 or more")
    documents = []
    for path in args.kubernetes:
        try:
            document = json.loads(read_text(path, "kubectl output"))
        except (ValueError, RecursionError) as exc:
            raise CliError(f"{path}: not kubectl JSON output: {exc}") from None
        try:
            kubectl_items(document)  # refused here, before any AWS account is read
        except NotKubectlJson as exc:
            raise CliError(f"{path}: {exc}") from None
        documents.append((path, document))
    for context in args.kube_context or ():
        from ecr_lifecycle.kube.reader import KubeError, read_cluster

        try:
            documents.append((f"context {context}", read_cluster(context, args.kubeconfig)))
        except KubeError as exc:
            raise CliError(str(exc), exitcodes.INVALID) from None
    found = [] if args.no_aws else _aws(args)
    if not documents and args.no_aws:
        raise CliError("nothing to read: give --kubernetes files, or leave out --no-aws")
    images = collect_in_use(documents, args.rollback_revisions, found)
    if args.format == "json":
        text = json.dumps(to_json(images), indent=2) + "\n"
    else:
        lines = [f"{i.reference.text}: " + "; ".join(u.text() for u in i.used_by) for i in images]
        text = "\n".join([*lines, f"{len(images)} image reference(s) in use"]) + "\n"
    if args.output:
        write_text(args.output, text, name=f"--output {args.output}")
    else:
        sys.stdout.write(text)
    return exitcodes.OK


def _aws(args: argparse.Namespace) -> list[tuple[str, Usage]]:
    fleet = load_fleet_or_fail(args.config, reaches_aws=True)
    return collect_live(fleet, args.target, args.profile, args.endpoint_url, args.rollback_revisions, args)
