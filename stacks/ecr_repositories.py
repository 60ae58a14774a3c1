"""``data "aws_ecr_repositories"`` (hashicorp/aws 5.30+): every repository name, read at plan time."""

from __future__ import annotations

from constructs import Construct

from ._attributes import AttributesMixin
from .engine import cdk


class DataEcrRepositories(AttributesMixin, cdk.TerraformDataSource):
    def __init__(self, scope: Construct, id_: str, *, provider: cdk.TerraformProvider) -> None:
        super().__init__(scope, id_, terraform_resource_type="aws_ecr_repositories", provider=provider)
        self._tf_attributes = {}

    @property
    def names_expression(self) -> str:
        return f"data.aws_ecr_repositories.{self.friendly_unique_id}.names"
