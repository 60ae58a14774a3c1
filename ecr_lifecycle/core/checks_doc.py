"""Generate ``docs/rules.md`` from the check registries (``python -m ecr_lifecycle.core.checks_doc``)."""

from __future__ import annotations

from ecr_lifecycle.core.config.checks import CHECKS as CONFIG_CHECKS
from ecr_lifecycle.core.policy.checks import CATALOGUE

HEADER = """# Validator rules

Generated from the check registries (`ecr_lifecycle/core/policy/checks/`, `ecr_lifecycle/core/config/checks.py`)
by `python -m ecr_lifecycle.core.checks_doc > docs/rules.md`; a test keeps this file in step.
`E` codes are errors (AWS rejects the policy, or the config cannot be right), `W` codes warnings.
Policy checks (`E1xx`-`E3xx`, `W0xx`) apply to every composed policy and to `validate --policy`;
config checks (`E4xx`, `W1xx`) to the config file. Every warning can be silenced with a reason
(`ignore: [{code: W003, reason: "…"}]` on an entry, in `defaults` or in a template).

Sources: **DOC** stated by the AWS documentation; **OBS** observed in real AWS error output;
**DER** derived by us from documented rules. Where AWS's behaviour is unverified, the last
column says which way we chose (always the side that cannot let a bad policy through).

| code | severity | check | source | AWS documentation | unverified: our choice |
|---|---|---|---|---|---|
"""


def _page(url: str) -> str:
    return url.rsplit("/", 1)[-1].removesuffix(".html")


def rules_markdown() -> str:
    checks = [*CATALOGUE.values(), *sorted(CONFIG_CHECKS, key=lambda c: c.code)]
    rows = [
        f"| {c.code} | {c.severity.value} | {c.title} | {c.source} | [{_page(c.docs)}]({c.docs}) "
        f"| {c.unverified or ''} |"
        for c in checks
    ]
    return HEADER + "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(rules_markdown(), end="")
