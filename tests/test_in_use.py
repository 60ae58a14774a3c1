"""``in-use`` from Kubernetes objects, and the guard naming the workload that runs an image."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecr_lifecycle.core.inuse.kubernetes import images_in_use
from ecr_lifecycle.core.preview.guards import Usage
from tests.helpers import policy, rule
from tests.inprocess import invoke

CLUSTER = Path(__file__).parent / "data" / "kubernetes" / "cluster.json"
ECR = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/payments/api"
DIGEST = "sha256:" + "a" * 64


def test_every_workload_kind_and_the_rollback_window() -> None:
    out = invoke("in-use", "--no-aws", "--kubernetes", str(CLUSTER), "--format", "json", "--rollback-revisions", "5")
    assert out.code == 0, out.stderr
    refs = {i["reference"]: i["usedBy"] for i in json.loads(out.stdout)["images"]}
    assert f"{ECR}@{DIGEST}" in refs  # what the kubelet resolved: the digest that runs, whatever the tag does
    assert refs[f"{ECR}@{DIGEST}"][0]["detail"] == "container api, running"
    assert {u["kind"] for u in refs[f"{ECR}:latest"]} == {"Kubernetes Pod", "Kubernetes Deployment"}
    assert f"{ECR}:migrate-12" in refs  # init containers count
    assert refs["ops/report:v3"][0]["kind"] == "Kubernetes CronJob"
    assert "docker.io/library/postgres:16" in refs
    kept = sorted(r for r in refs if ":v1." in r)
    assert kept == [f"{ECR}:v1.{n}" for n in (3, 4, 5, 6, 7)]  # the newest 5 of 7 revisions
    assert refs[f"{ECR}:v1.3"][0]["detail"] == "container api, revision 3 of prod/api"


def test_the_guard_names_the_workload(tmp_path: Path) -> None:
    in_use = tmp_path / "in-use.json"
    assert (
        invoke("in-use", "--no-aws", "--kubernetes", str(CLUSTER), "--format", "json", "--output", str(in_use)).code
        == 0
    )
    images = [
        {"repositoryName": "payments/api", "imageDigest": DIGEST, "imageTags": ["old"],
         "imagePushedAt": "2026-01-01T00:00:00Z"},
        {"repositoryName": "payments/api", "imageDigest": "sha256:" + "b" * 64, "imageTags": ["new"],
         "imagePushedAt": "2026-05-01T00:00:00Z"},
    ]  # fmt: skip
    (tmp_path / "images.json").write_text(json.dumps({"imageDetails": images}))
    (tmp_path / "p.json").write_text(json.dumps(policy(rule(1, "any", count=1))))
    out = invoke("preview", "--images", str(tmp_path / "images.json"), "--policy", str(tmp_path / "p.json"),
                 "--in-use", str(in_use), "--now", "2026-06-01T00:00:00Z")  # fmt: skip
    assert out.code == 3, out.stderr
    assert (
        f"in-use image {ECR}@{DIGEST} used by Kubernetes Pod prod/api-7d9f-abcde (container api, running)" in out.stderr
    )
    assert "would be expired by rule 1 ('test rule 1 for the validator') in payments/api" in out.stderr


def test_bad_kubectl_output_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text("{not json")
    out = invoke("in-use", "--no-aws", "--kubernetes", str(tmp_path / "x.json"))
    assert out.code == 2 and out.stderr.count("\n") == 1
    (tmp_path / "in-use.json").write_text('{"images": [{"reference": 5}]}')
    (tmp_path / "images.json").write_text('{"imageDetails": []}')
    (tmp_path / "p.json").write_text(json.dumps(policy(rule(1, "any"))))
    out = invoke("preview", "--images", str(tmp_path / "images.json"), "--policy", str(tmp_path / "p.json"),
                 "--in-use", str(tmp_path / "in-use.json"))  # fmt: skip
    assert out.code == 1 and "images[0]" in out.stderr


def test_a_single_object_is_read_like_a_list(tmp_path: Path) -> None:
    """``kubectl get deployment api -o json`` prints the object itself, not a List."""
    deployment = next(i for i in json.loads(CLUSTER.read_text())["items"] if i["kind"] == "Deployment")
    (tmp_path / "one.json").write_text(json.dumps(deployment))
    out = invoke("in-use", "--no-aws", "--kubernetes", str(tmp_path / "one.json"), "--format", "json")
    assert out.code == 0, out.stderr
    refs = {i["reference"]: i["usedBy"] for i in json.loads(out.stdout)["images"]}
    assert refs[f"{ECR}:latest"][0]["kind"] == "Kubernetes Deployment"


@pytest.mark.parametrize(
    "text",
    ['{"pods": []}', "{}", "[]", '"Pod"', '{"kind": "List"}', '{"kind": "Pod", "items": null}', '{"kind": 5}'],
)
def test_json_that_is_no_kubectl_output_is_refused(tmp_path: Path, text: str) -> None:
    """Read as "no images", it would let the guard pass on a file kubectl never printed."""
    (tmp_path / "x.json").write_text(text)
    output = tmp_path / "in-use.json"
    out = invoke("in-use", "--no-aws", "--kubernetes", str(tmp_path / "x.json"), "--output", str(output))
    assert out.code == 2, out.stderr
    assert out.stderr == (
        f"error: {tmp_path / 'x.json'}: expected kubectl JSON: an object with 'kind' or a List with 'items'\n"
    )
    assert out.stdout == "" and not output.exists()


@pytest.mark.parametrize("key", ["initContainerStatuses", "ephemeralContainerStatuses"])
def test_init_and_ephemeral_containers_resolved_digests_count(key: str) -> None:
    pod = {
        "kind": "Pod",
        "metadata": {"name": "api", "namespace": "prod"},
        "spec": {"containers": [{"name": "api", "image": f"{ECR}:v1"}]},
        "status": {key: [{"name": "helper", "imageID": f"docker-pullable://{ECR}@{DIGEST}"}, "not an object"]},
    }
    found = dict(images_in_use([pod]))
    assert found[f"{ECR}@{DIGEST}"] == Usage("Kubernetes Pod", "prod/api", "container helper, running")


@pytest.mark.slow
def test_ecs_and_lambda_in_use_against_a_local_endpoint(tmp_path: Path, monkeypatch: object) -> None:
    """A service mid-rollout, a family with more revisions than the window, a Lambda alias on an older version."""
    from devtools.demo import push_image
    from devtools.local_ecr import local_client, local_ecr

    repo = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments/worker"
    with local_ecr() as url:
        region = "eu-west-1"
        ecs = local_client("ecs", url, region)
        ecs.create_cluster(clusterName="prod")
        for n in range(1, 9):
            ecs.register_task_definition(
                family="worker", containerDefinitions=[{"name": "w", "image": f"{repo}:v{n}", "memory": 128}]
            )
        ecs.create_service(cluster="prod", serviceName="worker", taskDefinition="worker:7", desiredCount=1)
        ecs.update_service(cluster="prod", service="worker", taskDefinition="worker:8")  # a rollout
        iam = local_client("iam", url, region)
        role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        lam = local_client("lambda", url, region)
        lam.create_function(FunctionName="fn", Role=role, PackageType="Image", Code={"ImageUri": f"{repo}:fn-1"})
        version = lam.publish_version(FunctionName="fn")["Version"]
        lam.create_alias(FunctionName="fn", Name="live", FunctionVersion=version)
        lam.update_function_code(FunctionName="fn", ImageUri=f"{repo}:fn-2")  # the alias stays on the older one
        # A tag that moves after deployment, and an image in another account's registry.
        ecr = local_client("ecr", url, region)
        ecr.create_repository(repositoryName="payments/worker")
        push_image(ecr, "payments/worker", "stable")
        ecs.register_task_definition(
            family="edge",
            containerDefinitions=[
                {"name": "a", "image": f"{repo}:stable", "memory": 128},
                {"name": "b", "image": "999999999999.dkr.ecr.eu-west-1.amazonaws.com/other/app:v1", "memory": 128},
            ],
        )
        ecs.create_service(cluster="prod", serviceName="edge", taskDefinition="edge:1", desiredCount=1)
        push_image(ecr, "payments/worker", "stable-2")
        moved = ecr.describe_images(repositoryName="payments/worker", imageIds=[{"imageTag": "stable-2"}])
        ecr.put_image(
            repositoryName="payments/worker",
            imageManifest=ecr.batch_get_image(repositoryName="payments/worker", imageIds=[{"imageTag": "stable-2"}])[
                "images"
            ][0]["imageManifest"],
            imageTag="stable",
        )
        (tmp_path / "policies").mkdir()
        config = tmp_path / "repositories.yaml"
        config.write_text(
            "version: 1\ntargets:\n  - {name: prod, region: eu-west-1, account_id: '123456789012', "
            f"endpoints: {{ecr: '{url}', sts: '{url}'}}}}\n"
        )
        out = invoke("in-use", "--config", str(config), "--format", "json", "--rollback-revisions", "3")
    assert out.code == 0, out.stderr
    refs = {i["reference"]: i["usedBy"] for i in json.loads(out.stdout)["images"]}
    service = [u for u in refs[f"{repo}:v8"] if u["kind"] == "ECS service"]
    assert service and service[0]["name"] == "prod/worker"
    assert f"{repo}:v7" in refs  # the deployment being replaced during the rollout, or a rollback target
    windowed = sorted(r for r in refs if r.startswith(f"{repo}:v"))
    assert f"{repo}:v1" not in windowed and {f"{repo}:v6", f"{repo}:v7", f"{repo}:v8"} <= set(windowed)
    lambdas = {r: u for r, us in refs.items() for u in us if u["kind"] == "Lambda function"}
    assert any(u["detail"].startswith("alias live -> version 1") for u in lambdas.values())
    assert any(r.startswith(f"{repo}:fn-2") for r in lambdas)  # $LATEST, newer than the alias
    new_digest = moved["imageDetails"][0]["imageDigest"]
    assert f"{repo}:stable@{new_digest}" in refs  # pinned to what the tag names now
    assert "999999999999.dkr.ecr.eu-west-1.amazonaws.com/other/app:v1" in refs  # listed, never resolved here


def test_forecast_at_the_day_boundary(tmp_path: Path) -> None:
    """An image 14 days and 1 hour old under a 14-day rule: kept today, expired by tomorrow's run."""
    images = [{"repositoryName": "app/api", "imageDigest": "sha256:" + "c" * 64, "imageTags": ["t"],
               "imagePushedAt": "2026-05-17T23:00:00Z"}]  # fmt: skip
    (tmp_path / "images.json").write_text(json.dumps({"imageDetails": images}))
    (tmp_path / "p.json").write_text(json.dumps(policy(rule(1, "any", "sinceImagePushed", 15))))
    (tmp_path / "in-use.txt").write_text("app/api:t\n")
    args = ["preview", "--images", str(tmp_path / "images.json"), "--policy", str(tmp_path / "p.json"),
            "--now", "2026-06-01T00:00:00Z", "--in-use", str(tmp_path / "in-use.txt")]  # fmt: skip
    assert invoke(*args).code == 0  # 14 d 1 h old: not past 15 days today
    out = invoke(*args, "--horizon", "1d", "--format", "json")
    assert out.code == 3, out.stderr
    doc = json.loads(out.stdout)
    assert [(f["imageDigest"][7:9], f["on"]) for f in doc["forecast"]] == [("cc", "2026-06-02")]
    assert "on 2026-06-02 if nothing changes" in out.stderr
    assert invoke(*args[:-2], "--horizon", "1d").code == 0  # without the in-use list: a forecast, no guard
    assert invoke(*args, "--horizon", "0").code == 2


@pytest.mark.slow
def test_in_use_live_guards_what_ecs_runs(tmp_path: Path) -> None:
    """``preview --live --in-use-live``: exit 3 when the policy would expire the image a service runs,
    0 when the policy keeps it."""
    from devtools.demo import push_image
    from devtools.local_ecr import local_client, local_ecr

    with local_ecr() as url:
        region = "us-east-1"
        ecr = local_client("ecr", url, region)
        ecr.create_repository(repositoryName="svc/api")
        for n in range(3):
            push_image(ecr, "svc/api", f"v{n}")
        ecs = local_client("ecs", url, region)
        ecs.create_cluster(clusterName="prod")
        for n in range(3):  # one service per image: whichever the policy keeps, two run
            uri = f"123456789012.dkr.ecr.us-east-1.amazonaws.com/svc/api:v{n}"
            ecs.register_task_definition(
                family=f"api{n}", containerDefinitions=[{"name": "api", "image": uri, "memory": 128}]
            )
            ecs.create_service(cluster="prod", serviceName=f"api{n}", taskDefinition=f"api{n}:1", desiredCount=1)
        (tmp_path / "policies").mkdir()
        config = tmp_path / "repositories.yaml"
        for keep, expected in ((1, 3), (5, 0)):
            config.write_text(
                f"version: 1\ntargets: [{{name: local, region: us-east-1, endpoints: {{ecr: '{url}'}}}}]\n"
                "repositories:\n  - name: svc/api\n    rules: [{selection: {tagStatus: any, "
                f"countType: imageCountMoreThan, countNumber: {keep}}}, action: {{type: expire}}, "
                "description: keep the newest images of any kind}]\n"
            )
            out = invoke("preview", "--config", str(config), "--live", "--in-use-live", "--format", "json")
            assert out.code == expected, out.stderr
            if expected:
                assert "used by ECS service prod/api" in out.stderr and "(task definition api" in out.stderr


def test_app_runner_image_services_are_read_from_describe_service() -> None:
    from ecr_lifecycle.aws.inuse import apprunner_images

    services = [
        {"ServiceName": "web", "SourceConfiguration": {"ImageRepository": {"ImageIdentifier": f"{ECR}:v9"}}},
        {"ServiceName": "code", "SourceConfiguration": {"CodeRepository": {"RepositoryUrl": "https://x"}}},
    ]
    assert [(ref, u.text()) for ref, u in apprunner_images(services)] == [(f"{ECR}:v9", "App Runner service web")]


@pytest.mark.slow
def test_kube_context_reads_an_api_server(tmp_path: Path) -> None:
    """The real kubernetes client against a minimal API server on loopback serving the fixture's objects."""
    import http.server
    import threading

    cluster = json.loads(CLUSTER.read_text())
    paths = {
        "/api/v1/pods": "Pod",
        "/apis/apps/v1/deployments": "Deployment",
        "/apis/apps/v1/replicasets": "ReplicaSet",
        "/apis/apps/v1/statefulsets": "StatefulSet",
        "/apis/apps/v1/daemonsets": "DaemonSet",
        "/apis/batch/v1/cronjobs": "CronJob",
        "/apis/batch/v1/jobs": "Job",
    }

    class Api(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            kind = paths.get(self.path.split("?")[0])
            body = json.dumps(
                {"kind": f"{kind}List", "apiVersion": "v1", "metadata": {},
                 "items": [i for i in cluster["items"] if i["kind"] == kind]}
            ).encode()  # fmt: skip
            self.send_response(200 if kind else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Api)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        kubeconfig = tmp_path / "kubeconfig"
        kubeconfig.write_text(
            "apiVersion: v1\nkind: Config\ncurrent-context: other\n"
            f"clusters:\n- name: local\n  cluster: {{server: 'http://127.0.0.1:{server.server_address[1]}'}}\n"
            "users:\n- name: me\n  user: {token: t}\n"
            "contexts:\n- name: test\n  context: {cluster: local, user: me}\n"
            "- name: other\n  context: {cluster: nowhere, user: me}\n"
        )
        out = invoke(
            "in-use", "--no-aws", "--kube-context", "test", "--kubeconfig", str(kubeconfig), "--format", "json"
        )
        assert out.code == 0, out.stderr
        from_api = {i["reference"]: i["usedBy"] for i in json.loads(out.stdout)["images"]}
        from_file = invoke("in-use", "--no-aws", "--kubernetes", str(CLUSTER), "--format", "json")
        assert from_api == {i["reference"]: i["usedBy"] for i in json.loads(from_file.stdout)["images"]}
        bad = invoke("in-use", "--no-aws", "--kube-context", "nope", "--kubeconfig", str(kubeconfig))
        assert bad.code == 1 and "cannot read the cluster 'nope'" in bad.stderr and bad.stderr.count("\n") == 1
    finally:
        server.shutdown()


@pytest.mark.slow
def test_diff_in_use_live_guards_what_lambda_runs(tmp_path: Path) -> None:
    import os
    import subprocess

    from devtools.demo import push_image
    from devtools.local_ecr import local_client, local_ecr

    with local_ecr() as url:
        region = "us-east-1"
        ecr = local_client("ecr", url, region)
        ecr.create_repository(repositoryName="svc/fn")
        for n in range(3):
            push_image(ecr, "svc/fn", f"v{n}")
        images = ecr.describe_images(repositoryName="svc/fn")["imageDetails"]
        (tmp_path / "images.json").write_text(json.dumps({"imageDetails": images}, default=str))
        iam = local_client("iam", url, region)
        role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        lam = local_client("lambda", url, region)
        for n in range(3):  # one function per image: whichever the new policy keeps, two run
            uri = f"123456789012.dkr.ecr.us-east-1.amazonaws.com/svc/fn:v{n}"
            lam.create_function(FunctionName=f"fn{n}", Role=role, PackageType="Image", Code={"ImageUri": uri})
        repo = tmp_path / "fleet"
        (repo / "policies").mkdir(parents=True)
        (repo / "policies" / ".keep").write_text("")
        config = repo / "repositories.yaml"
        body = (
            f"version: 1\ntargets: [{{name: local, region: us-east-1, endpoints: {{ecr: '{url}'}}}}]\n"
            "repositories:\n  - name: svc/fn\n    rules: [{selection: {tagStatus: any, countType: imageCountMoreThan, "
            "countNumber: KEEP}, action: {type: expire}, description: keep the newest images of any kind}]\n"
        )
        config.write_text(body.replace("KEEP", "10"))
        env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
               "GIT_COMMITTER_EMAIL": "t@t"}  # fmt: skip
        for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "base"]):
            subprocess.run(["git", *args], cwd=repo, check=True, env=env)
        config.write_text(body.replace("KEEP", "1"))
        out = invoke("diff", "--config", str(config), "--base", "main", "--images", str(tmp_path / "images.json"),
                     "--in-use-live")  # fmt: skip
    assert out.code == 3, out.stderr
    assert "used by Lambda function fn" in out.stderr
