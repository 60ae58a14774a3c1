"""A fleet on the local endpoint for live reads (tests, ``benchmarks.live``): repositories with images and
lifecycle policies, ECS services and Lambda aliases that run some of the images, and the config that
manages half of the repositories."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from devtools.demo import push_image
from devtools.local_ecr import local_client

REGION = "us-east-1"
ACCOUNT = "123456789012"
POLICY = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "keep the newest images",
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 5},
            "action": {"type": "expire"},
        }
    ]
}


def repository(n: int) -> str:
    return f"team-{n % 10}/service-{n:05d}"


def populate(url: str, repositories: int, images: int, workloads: int, threads: int = 8) -> None:
    """``repositories`` x ``images`` on ``url``; every other repository has a policy; ``workloads`` ECS services
    and as many Lambda functions (each with an alias) run the newest image of the first repositories."""
    ecr = local_client("ecr", url, REGION)

    def one(n: int) -> None:
        name = repository(n)
        ecr.create_repository(repositoryName=name)
        for i in range(images):
            push_image(ecr, name, f"v{i}")
        if n % 2 == 0:
            ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=json.dumps(POLICY))

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(repositories)))
    ecs = local_client("ecs", url, REGION)
    lam = local_client("lambda", url, REGION)
    iam = local_client("iam", url, REGION)
    role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    ecs.create_cluster(clusterName="prod")
    for n in range(workloads):
        uri = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{repository(n % repositories)}:v{images - 1}"
        ecs.register_task_definition(
            family=f"svc-{n}", containerDefinitions=[{"name": "c", "image": uri, "memory": 64}]
        )
        ecs.create_service(cluster="prod", serviceName=f"svc-{n}", taskDefinition=f"svc-{n}:1", desiredCount=1)
        lam.create_function(FunctionName=f"fn-{n}", Role=role, PackageType="Image", Code={"ImageUri": uri})
        version = lam.publish_version(FunctionName=f"fn-{n}")["Version"]
        lam.create_alias(FunctionName=f"fn-{n}", Name="live", FunctionVersion=version)


def write_config(folder: Path, url: str) -> Path:
    """The config: one target on ``url``, a pattern entry for each even-numbered team."""
    (folder / "policies").mkdir(parents=True, exist_ok=True)
    config = folder / "repositories.yaml"
    config.write_text(
        f"version: 1\ntargets:\n  - {{name: local, region: {REGION}, account_id: '{ACCOUNT}', "
        f"endpoints: {{ecr: '{url}', sts: '{url}'}}}}\n"
        "repositories:\n"
        + "".join(
            f"  - pattern: 'team-{team}/*'\n"
            "    rules: [{selection: {tagStatus: any, countType: imageCountMoreThan, countNumber: 5}, "
            "action: {type: expire}, description: keep the newest images}]\n"
            for team in (0, 2, 4, 6, 8)
        )
    )
    return config
