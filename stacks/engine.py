"""The CDK engine module itself, as ``cdk`` (see ``engine_choice`` for how it is picked)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .engine_choice import engine_name

if TYPE_CHECKING:
    # Type-checked against cdktf; cdktn is its rename-only fork with the same API.
    import cdktf as cdk

    __all__ = ["cdk"]
else:
    cdk = importlib.import_module(engine_name())
    __all__ = ["cdk"]
