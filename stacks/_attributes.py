"""How our constructs hand their attributes to cdktf.

jsii calls ``synthesizeAttributes`` on the Python object; overriding it (under the
jsii name) lets each construct declare plain typed fields instead of escape-hatch overrides.
"""

from __future__ import annotations

from typing import Any

import jsii


class AttributesMixin:
    """Keeps a dict of Terraform attributes, emitted as is (keys sorted by cdktf's JSON writer)."""

    _tf_attributes: dict[str, Any]

    @jsii.member(jsii_name="synthesizeAttributes")
    def _synthesize_attributes(self) -> dict[str, Any]:
        return self._tf_attributes
