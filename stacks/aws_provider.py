"""The ``hashicorp/aws`` provider block for one target."""

from __future__ import annotations

from typing import Any

from constructs import Construct

from ecr_lifecycle.core.config.model import Target

from ._attributes import AttributesMixin
from .engine import cdk
from .splice import Splicer

# 5.61 brought aws_ecr_repository_creation_template; 6.29 is needed for Terraform to see
# changes to storageClass/targetStorageClass (archive rules). See "Provider versions" in docs/engines.md.
AWS_PROVIDER_VERSION = ">= 5.61.0, < 7.0.0"

# Credentials the local emulator accepts; never used for real targets.
_LOCAL_CREDENTIALS = {"access_key": "test", "secret_key": "test"}


class AwsProvider(AttributesMixin, cdk.TerraformProvider):
    def __init__(self, scope: Construct, target: Target, values: Splicer) -> None:
        super().__init__(
            scope,
            "aws",
            terraform_resource_type="aws",
            terraform_provider_source="hashicorp/aws",
            terraform_generator_metadata=cdk.TerraformProviderGeneratorMetadata(
                provider_name="aws", provider_version_constraint=AWS_PROVIDER_VERSION
            ),
        )
        self._tf_attributes = values.strings(provider_attributes(target))


def provider_attributes(target: Target) -> dict[str, Any]:
    attrs: dict[str, Any] = {"region": target.region}
    if target.profile:
        attrs["profile"] = target.profile
    if target.role_arn:
        attrs["assume_role"] = [{"role_arn": target.role_arn, "session_name": "ecr-lifecycle"}]
    if target.account_id:
        attrs["allowed_account_ids"] = [target.account_id]
    if target.endpoints:
        attrs["endpoints"] = [dict(target.endpoints)]
    if target.is_local:
        # Only for loopback emulators: real targets keep every credential and account check.
        attrs.update(_LOCAL_CREDENTIALS)
        attrs["skip_credentials_validation"] = True
        attrs["skip_requesting_account_id"] = True
        attrs["skip_metadata_api_check"] = "true"
    return attrs
