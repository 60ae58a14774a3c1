"""Images AWS workloads run or can roll back to: ECS services (every deployment, so the previous task definition
during a rollout too), running tasks (with the digest ECS resolved), the newest ACTIVE revisions of each task
definition family, and image-packaged Lambda functions ($LATEST and every alias, as resolved digests)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ecr_lifecycle.aws.reads import ReadScheduler
from ecr_lifecycle.core.preview.guards import Usage


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _images(task_definition: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for c in task_definition.get("containerDefinitions") or ():
        if isinstance(c.get("image"), str):
            yield str(c.get("name") or ""), c["image"]


def ecs_in_use(
    ecs: Any, rollback_revisions: int = 5, scheduler: ReadScheduler | None = None
) -> list[tuple[str, Usage]]:
    """Read concurrently (``scheduler``), listed in the order of a sequential walk: cluster by cluster, its
    services then its tasks; then the task definition families."""
    scheduler = scheduler or ReadScheduler()
    scheduler.attach(ecs)
    described: dict[str, dict[str, Any]] = {}

    def describe_all(arns: list[str]) -> None:
        missing = list(dict.fromkeys(a for a in arns if a not in described))
        tds = scheduler.map(
            lambda arn: ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"],
            missing,
            _named("task definition"),
        )
        described.update(zip(missing, tds, strict=True))

    def pages(op: str, key: str, **kwargs: Any) -> list[Any]:
        # ECS's largest page (its default is 10): fewer round trips.
        paginated = ecs.get_paginator(op).paginate(**kwargs, PaginationConfig={"PageSize": 100})
        return [a for page in paginated for a in page[key]]

    clusters = pages("list_clusters", "clusterArns")
    services = scheduler.map(lambda c: pages("list_services", "serviceArns", cluster=c), clusters, _named("cluster"))
    chunks = [(c, chunk) for c, arns in zip(clusters, services, strict=True) for chunk in _chunks(arns, 10)]
    found = scheduler.map(lambda cc: ecs.describe_services(cluster=cc[0], services=cc[1])["services"], chunks, _first)
    by_cluster: dict[str, list[dict[str, Any]]] = {c: [] for c in clusters}
    for (cluster, _), batch in zip(chunks, found, strict=True):
        by_cluster[cluster] += batch
    tasks = scheduler.map(
        lambda c: _tasks(ecs, c, pages("list_tasks", "taskArns", cluster=c)), clusters, _named("cluster")
    )
    wanted: dict[str, list[tuple[str, str]]] = {}
    for service in (s for batch in by_cluster.values() for s in batch):
        # The desired task definition, and every deployment's: during a rollout, the old one still runs.
        pairs = [(service.get("taskDefinition"), "desired")] + [
            (d.get("taskDefinition"), str(d.get("status", "")).lower()) for d in service.get("deployments") or ()
        ]
        wanted[service["serviceArn"]] = list(dict.fromkeys((a, s) for a, s in pairs if a))
    families = pages("list_task_definition_families", "families", status="ACTIVE")
    revisions = scheduler.map(
        lambda f: pages("list_task_definitions", "taskDefinitionArns", familyPrefix=f, status="ACTIVE"),
        families,
        _named("task definition family"),
    )
    newest_by_family = []
    for family, arns in zip(families, revisions, strict=True):
        mine = [a for a in arns if a.rsplit("/", 1)[-1].rsplit(":", 1)[0] == family]
        newest_by_family.append(
            sorted(mine, key=lambda a: int(a.rsplit(":", 1)[-1]), reverse=True)[:rollback_revisions]
        )
    describe_all([a for pairs in wanted.values() for a, _ in pairs] + [a for n in newest_by_family for a in n])

    out: list[tuple[str, Usage]] = []
    for cluster, cluster_tasks in zip(clusters, tasks, strict=True):
        cluster_name = cluster.rsplit("/", 1)[-1]
        for service in by_cluster[cluster]:
            for arn, status in wanted[service["serviceArn"]]:
                td = described[arn]
                revision = f"task definition {td['family']}:{td['revision']} ({status})"
                for container, image in _images(td):
                    name = f"{cluster_name}/{service['serviceName']}"
                    out.append((image, Usage("ECS service", name, f"{revision}, container {container}")))
        for task in cluster_tasks:
            name = f"{cluster_name}/{task['taskArn'].rsplit('/', 1)[-1]}"
            for c in task.get("containers") or ():
                if c.get("image"):
                    out.append((c["image"], Usage("ECS task", name, f"container {c.get('name')}")))
                if c.get("imageDigest") and c.get("image"):
                    repository = c["image"].split("@", 1)[0].rsplit(":", 1)[0] if "/" in c["image"] else c["image"]
                    usage = Usage("ECS task", name, f"container {c.get('name')}, running")
                    out.append((f"{repository}@{c['imageDigest']}", usage))
    for newest in newest_by_family:
        for arn in newest:
            td = described[arn]
            for container, image in _images(td):
                detail = f"rollback target, container {container}"
                out.append((image, Usage("ECS task definition", f"{td['family']}:{td['revision']}", detail)))
    return out


def _tasks(ecs: Any, cluster: str, arns: list[str]) -> list[dict[str, Any]]:
    return [t for chunk in _chunks(arns, 100) for t in ecs.describe_tasks(cluster=cluster, tasks=chunk)["tasks"]]


def _named(kind: str) -> Callable[[str], str]:
    return lambda value: f"{kind} {value}"


def _first(pair: tuple[str, list[str]]) -> str:
    return f"the services of cluster {pair[0]}"


def lambda_in_use(lam: Any, scheduler: ReadScheduler | None = None) -> list[tuple[str, Usage]]:
    """$LATEST and every alias of each image-packaged function, read concurrently, in the functions' order."""
    scheduler = scheduler or ReadScheduler()
    scheduler.attach(lam)
    functions = [f for page in lam.get_paginator("list_functions").paginate() for f in page["Functions"]]
    names = [f["FunctionName"] for f in functions if f.get("PackageType") == "Image"]
    per_function = scheduler.map(lambda name: _function_images(lam, name), names, _named("Lambda function"))
    return [found for images in per_function for found in images]


def _function_images(lam: Any, name: str) -> list[tuple[str, Usage]]:
    out: list[tuple[str, Usage]] = []
    code = lam.get_function(FunctionName=name)["Code"]
    for key in ("ImageUri", "ResolvedImageUri"):
        if code.get(key):
            out.append((code[key], Usage("Lambda function", name, "$LATEST")))
    aliases = [a for page in lam.get_paginator("list_aliases").paginate(FunctionName=name) for a in page["Aliases"]]
    for alias in aliases:
        code = lam.get_function(FunctionName=name, Qualifier=alias["Name"])["Code"]
        detail = f"alias {alias['Name']} -> version {alias['FunctionVersion']}"
        for key in ("ResolvedImageUri", "ImageUri"):
            if code.get(key):
                out.append((code[key], Usage("Lambda function", name, detail)))
    return out


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


def resolve_tags(
    ecr: Any,
    account: str | None,
    region: str,
    found: list[tuple[str, Usage]],
    scheduler: ReadScheduler | None = None,
) -> list[tuple[str, Usage]]:
    """Tag-only references to this registry, pinned to the digest the tag names now (``repo:tag@digest``):
    the in-use list then stays true after the tag moves. References to other registries, unknown
    repositories or tags are kept as written."""
    from ecr_lifecycle.core.preview.guards import BadReference, parse_reference

    scheduler = scheduler or ReadScheduler()
    scheduler.attach(ecr)
    keys: list[tuple[str, str] | None] = []
    for text, _ in found:
        try:
            ref = parse_reference(text, "in-use")
        except BadReference:
            keys.append(None)
            continue
        mine = ref.digest is None and ref.tag is not None and ref.concerns(account, region)
        keys.append((ref.repository, ref.tag) if mine and ref.tag is not None else None)

    def digest(key: tuple[str, str]) -> str | None:
        try:
            details = ecr.describe_images(repositoryName=key[0], imageIds=[{"imageTag": key[1]}])
            return str(details["imageDetails"][0]["imageDigest"]) if details["imageDetails"] else None
        except Exception:  # a repository or tag that does not exist (any more): keep the reference as is
            return None

    unique = list(dict.fromkeys(k for k in keys if k is not None))
    digests = dict(zip(unique, scheduler.map(digest, unique, lambda k: f"tag {k[0]}:{k[1]}"), strict=True))
    out = []
    for (text, usage), key in zip(found, keys, strict=True):
        pinned = digests.get(key) if key is not None else None
        out.append((f"{text}@{pinned}" if pinned else text, usage))
    return out
