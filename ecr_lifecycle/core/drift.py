"""Drift: live lifecycle policies against the desired ones, with the provider's notion of equivalence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ecr_lifecycle.core.config.model import Fleet
from ecr_lifecycle.core.policy.check import check_policy_text
from ecr_lifecycle.core.policy.model import Policy
from ecr_lifecycle.core.policy.render import equivalent_policy_texts
from ecr_lifecycle.core.report.rulediff import RuleChange, diff_rules


@dataclass(frozen=True)
class Drift:
    target: str
    repository: str
    kind: str  # "missing" (desired, none live), "extra" (live, none desired), "different"
    live: str | None
    desired: str | None
    changes: tuple[RuleChange, ...]  # from live to desired: what the next deploy does

    def as_dict(self) -> dict[str, Any]:
        return {"target": self.target, "repository": self.repository, "kind": self.kind,
                "changes": [c.text() for c in self.changes], "live": self.live, "desired": self.desired}


def _policy(text: str | None) -> Policy | None:
    if text is None:
        return None
    return check_policy_text(text).policy


def find_drift(fleet: Fleet, target: str, live: dict[str, str | None]) -> list[Drift]:
    """Compare one target's live policies (by repository) with what the config wants."""
    out = []
    for repository, live_text in sorted(live.items()):
        entry = fleet.entry_for(target, repository)
        desired = entry.composed.text if entry is not None else None
        if desired is None and live_text is None:
            continue
        if desired is not None and live_text is not None and equivalent_policy_texts(live_text, desired):
            continue
        kind = "missing" if live_text is None else "extra" if desired is None else "different"
        changes = tuple(diff_rules(_policy(live_text), _policy(desired)))
        out.append(Drift(target, repository, kind, live_text, desired, changes))
    return out


def drift_text(drifts: list[Drift], checked: int) -> str:
    lines = []
    for d in drifts:
        label = {"missing": "missing: the configured policy is not applied",
                 "extra": "extra: a live policy the config does not manage",
                 "different": "different from the config"}[d.kind]
        lines.append(f"{d.target}/{d.repository}: {label}")
        lines += [f"  {c.text()}" for c in d.changes]
        if d.kind == "different" and not d.changes:
            lines.append("  (the live text is not a policy we can read rule by rule)")
    lines.append(f"{checked} repositories checked: {checked - len(drifts)} in sync, {len(drifts)} drifted")
    return "\n".join(lines)


def drift_markdown(drifts: list[Drift], checked: int) -> str:
    lines = ["### ECR lifecycle drift", "", f"{checked} repositories checked, **{len(drifts)} drifted**.", ""]
    if drifts:
        lines += ["| target | repository | drift | what the next deploy changes |", "|---|---|---|---|"]
        for d in drifts:
            what = "<br>".join(c.text() for c in d.changes) or "—"
            lines.append(f"| {d.target} | `{d.repository}` | {d.kind} | {what} |")
    return "\n".join(lines) + "\n"
