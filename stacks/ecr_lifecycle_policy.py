"""``aws_ecr_lifecycle_policy``: one resource per target, ``for_each`` over repository names."""

from __future__ import annotations

from constructs import Construct

from ._attributes import AttributesMixin
from .engine import cdk


class EcrLifecyclePolicy(AttributesMixin, cdk.TerraformResource):
    """``repository`` and ``policy`` are Terraform expressions evaluated per ``for_each`` entry."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        provider: cdk.TerraformProvider,
        for_each: str,
        repository: str,
        policy: str,
    ) -> None:
        super().__init__(scope, id_, terraform_resource_type="aws_ecr_lifecycle_policy", provider=provider)
        # for_each is a meta-argument: cdktf drops it from synthesized attributes, so set it directly.
        self.add_override("for_each", for_each)
        self._tf_attributes = {"repository": repository, "policy": policy}
