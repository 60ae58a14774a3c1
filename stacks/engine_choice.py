"""Which CDK engine the stacks are built with: ``cdktf`` 0.21 (the default) or CDK Terrain (``cdktn``).

CDKTF's upstream was archived in December 2025 with 0.21.0 as its final release; CDK Terrain is its
maintained, rename-only fork (same ``cdktf.json``, ``cdktf.out/`` and ``CDKTF_*`` variables). Both
synthesize the same Terraform JSON from our constructs, so the choice is the user's, made without code
changes: ``ECR_LIFECYCLE_ENGINE=cdktf|cdktn``, or else whichever of the two is installed (cdktf first).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping

ENGINE_ENV = "ECR_LIFECYCLE_ENGINE"
ENGINES = ("cdktf", "cdktn")


class EngineError(Exception):
    pass


def engine_name(environ: Mapping[str, str] = os.environ) -> str:
    wanted = environ.get(ENGINE_ENV, "").strip()
    if wanted:
        if wanted not in ENGINES:
            raise EngineError(f"{ENGINE_ENV}={wanted!r}: expected one of {', '.join(ENGINES)}")
        if importlib.util.find_spec(wanted) is None:
            raise EngineError(f"{ENGINE_ENV}={wanted}: the {wanted} package is not installed")
        return wanted
    for name in ENGINES:
        if importlib.util.find_spec(name) is not None:
            return name
    raise EngineError("neither cdktf nor cdktn is installed: install one (pip install cdktf==0.21.0 or cdktn)")
