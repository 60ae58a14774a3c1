"""ecr-lifecycle: Amazon ECR lifecycle policies as code.

Data flows one way:

    core.config + core.templates -> core.policy (validated model) -> rendered JSON
        -> stacks/ (CDKTF) | core.preview | core.report

``ecr_lifecycle.core`` is pure: no cdktf, boto3 or network imports (a test enforces it).
``ecr_lifecycle.cli`` and ``ecr_lifecycle.aws`` are thin shells over it.
"""

__version__ = "0.1.0"
