"""boto3 clients for a target: region, profile, role, endpoint (flag, target config, AWS_ENDPOINT_URL)."""

from __future__ import annotations

import os
from typing import Any

import boto3
from botocore.config import Config

from ecr_lifecycle.core.config.model import Target

# What a local emulator (moto) accepts; given only to targets whose endpoints are all on loopback.
LOCAL_KEY = "test"
LOCAL_CREDENTIALS = {"aws_access_key_id": LOCAL_KEY, "aws_secret_access_key": LOCAL_KEY}


def _retries() -> Config:
    # Adaptive mode backs off on throttling; AWS_MAX_ATTEMPTS (botocore's own variable) caps the attempts.
    attempts = int(os.environ.get("AWS_MAX_ATTEMPTS", "10"))
    return Config(retries={"max_attempts": attempts, "mode": "adaptive"})


def ecr_client(
    target: Target | None, *, region: str | None = None, profile: str | None = None, endpoint_url: str | None = None
) -> Any:
    """An ECR client. ``endpoint_url`` beats the target's; boto3 itself honours AWS_ENDPOINT_URL."""
    session = boto3.Session(profile_name=profile or (target.profile if target else None))
    region_name = region or (target.region if target else None)
    endpoint = endpoint_url or (dict(target.endpoints).get("ecr") if target else None)
    kwargs: dict[str, Any] = {"config": _retries()}
    if target is not None and target.is_local and endpoint_url is None:
        kwargs.update(LOCAL_CREDENTIALS)
    if target is not None and target.role_arn:
        sts = session.client("sts", region_name=region_name)
        creds = sts.assume_role(RoleArn=target.role_arn, RoleSessionName="ecr-lifecycle")["Credentials"]
        kwargs.update(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
    return session.client("ecr", region_name=region_name, endpoint_url=endpoint, **kwargs)
