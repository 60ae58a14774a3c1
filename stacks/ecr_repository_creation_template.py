"""``aws_ecr_repository_creation_template`` (hashicorp/aws 5.61+): rules for repositories ECR creates."""

from __future__ import annotations

from constructs import Construct

from ._attributes import AttributesMixin
from .engine import cdk


class EcrRepositoryCreationTemplate(AttributesMixin, cdk.TerraformResource):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        provider: cdk.TerraformProvider,
        for_each: str,
        prefix: str,
        applied_for: str,
        lifecycle_policy: str,
        description: str,
    ) -> None:
        super().__init__(scope, id_, terraform_resource_type="aws_ecr_repository_creation_template", provider=provider)
        # for_each is a meta-argument: cdktf drops it from synthesized attributes, so set it directly.
        self.add_override("for_each", for_each)
        self._tf_attributes = {
            "prefix": prefix,
            "applied_for": applied_for,
            "lifecycle_policy": lifecycle_policy,
            "description": description,
        }
