"""Images AWS workloads run or can roll back to: ECS services (every deployment, so the previous task definition
during a rollout too), running tasks (with the digest ECS resolved), the newest ACTIVE revisions of each task
definition family, and image-packaged Lambda functions ($LATEST and every alias, as resolved digests)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ecr_lifecycle.core.preview.guards import Usage


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _images(task_definition: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for c in task_definition.get("containerDefinitions") or ():
        if isinstance(c.get("image"), str):
            yield str(c.get("name") or ""), c["image"]


def ecs_in_use(ecs: Any, rollback_revisions: int = 5) -> Iterator[tuple[str, Usage]]:
    described: dict[str, dict[str, Any]] = {}

    def task_definition(arn: str) -> dict[str, Any]:
        if arn not in described:
            described[arn] = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
        return described[arn]

    clusters = [a for page in ecs.get_paginator("list_clusters").paginate() for a in page["clusterArns"]]
    for cluster in clusters:
        cluster_name = cluster.rsplit("/", 1)[-1]
        services = [
            a for page in ecs.get_paginator("list_services").paginate(cluster=cluster) for a in page["serviceArns"]
        ]
        for chunk in _chunks(services, 10):
            for service in ecs.describe_services(cluster=cluster, services=chunk)["services"]:
                # The desired task definition, and every deployment's: during a rollout, the old one still runs.
                wanted = [(service.get("taskDefinition"), "desired")] + [
                    (d.get("taskDefinition"), str(d.get("status", "")).lower())
                    for d in service.get("deployments") or ()
                ]
                for arn, status in dict.fromkeys((a, s) for a, s in wanted if a):
                    td = task_definition(arn)
                    revision = f"task definition {td['family']}:{td['revision']} ({status})"
                    for container, image in _images(td):
                        name = f"{cluster_name}/{service['serviceName']}"
                        yield image, Usage("ECS service", name, f"{revision}, container {container}")
        tasks = [a for page in ecs.get_paginator("list_tasks").paginate(cluster=cluster) for a in page["taskArns"]]
        for chunk in _chunks(tasks, 100):
            for task in ecs.describe_tasks(cluster=cluster, tasks=chunk)["tasks"]:
                name = f"{cluster_name}/{task['taskArn'].rsplit('/', 1)[-1]}"
                for c in task.get("containers") or ():
                    if c.get("image"):
                        yield c["image"], Usage("ECS task", name, f"container {c.get('name')}")
                    if c.get("imageDigest") and c.get("image"):
                        repository = c["image"].split("@", 1)[0].rsplit(":", 1)[0] if "/" in c["image"] else c["image"]
                        yield (
                            f"{repository}@{c['imageDigest']}",
                            Usage("ECS task", name, f"container {c.get('name')}, running"),
                        )
    families = [
        f
        for page in ecs.get_paginator("list_task_definition_families").paginate(status="ACTIVE")
        for f in page["families"]
    ]
    for family in families:
        arns = [
            a
            for page in ecs.get_paginator("list_task_definitions").paginate(familyPrefix=family, status="ACTIVE")
            for a in page["taskDefinitionArns"]
            if a.rsplit("/", 1)[-1].rsplit(":", 1)[0] == family
        ]
        newest = sorted(arns, key=lambda a: int(a.rsplit(":", 1)[-1]), reverse=True)[:rollback_revisions]
        for arn in newest:
            td = task_definition(arn)
            for container, image in _images(td):
                detail = f"rollback target, container {container}"
                yield image, Usage("ECS task definition", f"{td['family']}:{td['revision']}", detail)


def lambda_in_use(lam: Any) -> Iterator[tuple[str, Usage]]:
    functions = [f for page in lam.get_paginator("list_functions").paginate() for f in page["Functions"]]
    for function in functions:
        if function.get("PackageType") != "Image":
            continue
        name = function["FunctionName"]
        code = lam.get_function(FunctionName=name)["Code"]
        for key in ("ImageUri", "ResolvedImageUri"):
            if code.get(key):
                yield code[key], Usage("Lambda function", name, "$LATEST")
        aliases = [a for page in lam.get_paginator("list_aliases").paginate(FunctionName=name) for a in page["Aliases"]]
        for alias in aliases:
            code = lam.get_function(FunctionName=name, Qualifier=alias["Name"])["Code"]
            detail = f"alias {alias['Name']} -> version {alias['FunctionVersion']}"
            for key in ("ResolvedImageUri", "ImageUri"):
                if code.get(key):
                    yield code[key], Usage("Lambda function", name, detail)


def batch_in_use(batch: Any) -> Iterator[tuple[str, Usage]]:
    """ACTIVE AWS Batch job definitions: what the next job submitted to them runs."""
    pages = batch.get_paginator("describe_job_definitions").paginate(status="ACTIVE")
    for definition in (d for page in pages for d in page["jobDefinitions"]):
        name = f"{definition['jobDefinitionName']}:{definition.get('revision')}"
        container = definition.get("containerProperties") or {}
        if isinstance(container.get("image"), str):
            yield container["image"], Usage("Batch job definition", name)
        for node in (definition.get("nodeProperties") or {}).get("nodeRangeProperties") or ():
            image = (node.get("container") or {}).get("image")
            if isinstance(image, str):
                yield image, Usage("Batch job definition", name, f"nodes {node.get('targetNodes')}")


def apprunner_images(services: list[dict[str, Any]]) -> Iterator[tuple[str, Usage]]:
    """Image-based App Runner services (``describe_service`` results)."""
    for service in services:
        repo = (service.get("SourceConfiguration") or {}).get("ImageRepository") or {}
        if isinstance(repo.get("ImageIdentifier"), str):
            yield repo["ImageIdentifier"], Usage("App Runner service", str(service.get("ServiceName")))


def apprunner_in_use(apprunner: Any) -> Iterator[tuple[str, Usage]]:
    arns: list[str] = []
    token: str | None = None
    while True:  # botocore has no paginator for it
        page = apprunner.list_services(**({"NextToken": token} if token else {}))
        arns += [s["ServiceArn"] for s in page.get("ServiceSummaryList") or ()]
        token = page.get("NextToken")
        if not token:
            break
    yield from apprunner_images([apprunner.describe_service(ServiceArn=arn)["Service"] for arn in arns])


def resolve_tags(ecr: Any, account: str | None, region: str, found: list[tuple[str, Usage]]) -> list[tuple[str, Usage]]:
    """Tag-only references to this registry, pinned to the digest the tag names now (``repo:tag@digest``):
    the in-use list then stays true after the tag moves. References to other registries, unknown
    repositories or tags are kept as written."""
    from ecr_lifecycle.core.preview.guards import BadReference, parse_reference

    cache: dict[tuple[str, str], str | None] = {}
    out = []
    for text, usage in found:
        try:
            ref = parse_reference(text, "in-use")
        except BadReference:
            out.append((text, usage))
            continue
        if ref.digest is not None or ref.tag is None or not ref.concerns(account, region):
            out.append((text, usage))
            continue
        key = (ref.repository, ref.tag)
        if key not in cache:
            try:
                details = ecr.describe_images(repositoryName=ref.repository, imageIds=[{"imageTag": ref.tag}])
                cache[key] = details["imageDetails"][0]["imageDigest"] if details["imageDetails"] else None
            except Exception:  # a repository or tag that does not exist (any more): keep the reference as is
                cache[key] = None
        digest = cache[key]
        out.append((f"{text}@{digest}" if digest else text, usage))
    return out
