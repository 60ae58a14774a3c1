"""Generate ``docs/rules.md`` from the check catalogue (``python -m ecr_lifecycle.core.policy.docs``)."""

from __future__ import annotations

from ecr_lifecycle.core.policy.checks import CATALOGUE

HEADER = """# Validator rules

Generated from the check registry (`ecr_lifecycle/core/policy/checks/`) by
`python -m ecr_lifecycle.core.policy.docs > docs/rules.md`; a test keeps this file in step.
`E` codes are errors (AWS rejects the policy), `W` codes warnings.

Sources: **DOC** stated by the AWS documentation; **OBS** observed in real AWS error output;
**DER** derived by us from documented rules. Where AWS's behaviour is unverified, the last
column says which way we chose (always the side that cannot let a bad policy through).

| code | severity | check | source | AWS documentation | unverified: our choice |
|---|---|---|---|---|---|
"""


def _page(url: str) -> str:
    return url.rsplit("/", 1)[-1].removesuffix(".html")


def rules_markdown() -> str:
    rows = [
        f"| {c.code} | {c.severity.value} | {c.title} | {c.source} | [{_page(c.docs)}]({c.docs}) "
        f"| {c.unverified or ''} |"
        for c in CATALOGUE.values()
    ]
    return HEADER + "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(rules_markdown(), end="")
