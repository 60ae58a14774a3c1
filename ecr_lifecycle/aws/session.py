"""boto3 clients for a target: region, profile, role, endpoint (flag, target config, AWS_ENDPOINT_URL)."""

from __future__ import annotations

import os
import re
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from ecr_lifecycle.aws.reads import MAX_CONCURRENCY
from ecr_lifecycle.core.config.model import Target, is_loopback_url

# What a local emulator (moto) accepts; given only to targets whose endpoints are all on loopback.
LOCAL_KEY = "test"
LOCAL_CREDENTIALS = {"aws_access_key_id": LOCAL_KEY, "aws_secret_access_key": LOCAL_KEY}


class AwsSetupError(Exception):
    """A client could not be made or could not connect (profile, region, endpoint, credentials). One line."""


def _retries() -> Config:
    # Adaptive mode backs off on throttling; AWS_MAX_ATTEMPTS (botocore's own variable) caps the attempts.
    raw = os.environ.get("AWS_MAX_ATTEMPTS", "10")
    try:
        attempts = int(raw)
    except ValueError:
        raise AwsSetupError(f"AWS_MAX_ATTEMPTS={raw!r} is not a whole number") from None
    if not 1 <= attempts <= 100:
        raise AwsSetupError(f"AWS_MAX_ATTEMPTS={raw!r}: use a number from 1 to 100")
    # One connection per request in flight (aws/reads.py: at most MAX_CONCURRENCY); urllib3 opens them lazily.
    return Config(retries={"max_attempts": attempts, "mode": "adaptive"}, max_pool_connections=MAX_CONCURRENCY)


def describe_failure(exc: BaseException) -> str:
    """One line for any botocore or setup failure, never a traceback, never a URL's password."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return _PASSWORD.sub(r"\1***@", text)


_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")


def endpoint_for(service: str, target: Target | None, endpoint_url: str | None = None) -> str | None:
    """Where a client for ``service`` goes: the target's endpoint for it, else the ECR one (``endpoint_url``
    beats the target's) when that is a local emulator, which serves every service on one port; for ECR itself,
    the ECR one. ``None`` is boto3's default: real AWS, which a local target never reaches."""
    endpoints = dict(target.endpoints) if target is not None else {}
    ecr_endpoint = endpoint_url or endpoints.get("ecr")
    if service == "ecr":
        endpoint = ecr_endpoint
    else:
        # A real ECR endpoint is no other service's endpoint.
        local_ecr = ecr_endpoint if ecr_endpoint and is_loopback_url(ecr_endpoint) else None
        endpoint = endpoints.get(service) or local_ecr
    if endpoint is None and target is not None and target.is_local:
        raise AwsSetupError(
            f"target {target.name}: its endpoints are all on loopback (a local emulator), but none serves {service}: "
            f"add endpoints.{service} or endpoints.ecr on loopback; nothing is sent to AWS"
        )
    return endpoint


def _credentials(
    session: boto3.Session, target: Target | None, region: str | None, endpoint_url: str | None
) -> dict[str, Any]:
    """Keys for the target's clients: the emulator's for a local target, replaced by the role's when it names
    one, assumed through the target's STS endpoint (for a local target never AWS's); none is boto3's chain."""
    keys: dict[str, Any] = {}
    if target is not None and target.is_local and endpoint_url is None:
        keys.update(LOCAL_CREDENTIALS)
    if target is not None and target.role_arn:
        sts_endpoint = endpoint_for("sts", target, endpoint_url)
        sts = session.client("sts", region_name=region, endpoint_url=sts_endpoint, config=_retries(), **keys)
        creds = sts.assume_role(RoleArn=target.role_arn, RoleSessionName="ecr-lifecycle")["Credentials"]
        keys = {
            "aws_access_key_id": creds["AccessKeyId"],
            "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"],
        }
    return keys


def service_client(
    service: str,
    target: Target,
    *,
    profile: str | None = None,
    endpoint_url: str | None = None,
    attempts: int | None = None,
) -> Any:
    """A client for another service of the target's account (ECS, Lambda, ...), set up as ``ecr_client`` is,
    at ``endpoint_for(service, ...)``."""
    try:
        session = boto3.Session(profile_name=profile or target.profile)
        endpoint = endpoint_for(service, target, endpoint_url)
        retries = _retries() if attempts is None else Config(retries={"max_attempts": attempts, "mode": "standard"})
        keys = _credentials(session, target, target.region, endpoint_url)
        return session.client(service, region_name=target.region, endpoint_url=endpoint, config=retries, **keys)  # type: ignore[call-overload]
    except (BotoCoreError, ClientError, ValueError) as exc:
        raise AwsSetupError(
            f"target {target.name}: cannot set up the {service} client: {describe_failure(exc)}"
        ) from None


def ecr_client(
    target: Target | None, *, region: str | None = None, profile: str | None = None, endpoint_url: str | None = None
) -> Any:
    """An ECR client, or ``AwsSetupError`` saying in one line why none can be made."""
    try:
        return _ecr_client(target, region=region, profile=profile, endpoint_url=endpoint_url)
    except AwsSetupError:
        raise
    except (BotoCoreError, ClientError, ValueError) as exc:
        where = f"target {target.name}: " if target is not None else ""
        raise AwsSetupError(f"{where}cannot set up the AWS client: {describe_failure(exc)}") from None


def _ecr_client(
    target: Target | None, *, region: str | None = None, profile: str | None = None, endpoint_url: str | None = None
) -> Any:
    """``endpoint_url`` beats the target's; boto3 itself honours AWS_ENDPOINT_URL."""
    session = boto3.Session(profile_name=profile or (target.profile if target else None))
    region_name = region or (target.region if target else None)
    endpoint = endpoint_for("ecr", target, endpoint_url)
    keys = _credentials(session, target, region_name, endpoint_url)
    return session.client("ecr", region_name=region_name, endpoint_url=endpoint, config=_retries(), **keys)


def check_account(target: Target, *, profile: str | None = None, endpoint_url: str | None = None) -> None:
    """When the target names its account, the credentials must reach exactly that account (STS)."""
    if not target.account_id:
        return
    try:
        session = boto3.Session(profile_name=profile or target.profile)
        endpoint = endpoint_for("sts", target, endpoint_url)
        keys = _credentials(session, target, target.region, endpoint_url)
        sts = session.client("sts", region_name=target.region, endpoint_url=endpoint, config=_retries(), **keys)
        account = sts.get_caller_identity()["Account"]
    except AwsSetupError:
        raise
    except (BotoCoreError, ClientError, ValueError) as exc:
        raise AwsSetupError(f"target {target.name}: cannot check the account (STS): {describe_failure(exc)}") from None
    if account != target.account_id:
        raise AwsSetupError(
            f"target {target.name}: the credentials reach account {account}, but the config says account_id "
            f"{target.account_id}; nothing was read"
        )
