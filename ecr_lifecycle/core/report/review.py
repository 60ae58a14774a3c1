"""The review report: what a config change does, entry by entry and rule by rule.

Both sides are fleets loaded by the same code. Entries pair up by target and by what
they select (an exact name, or a pattern); a pair whose policies are equivalent is not
a change. Each change says its cause: the entry itself was edited, or only a template
it uses changed (then the summary says how many entries that template touches). With an
inventory, each repository is previewed on both sides and the difference counted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ecr_lifecycle.core.config.model import CreationTemplate, Fleet, RepositoryEntry
from ecr_lifecycle.core.policy.render import equivalent_policy_texts
from ecr_lifecycle.core.preview.engine import Decision, evaluate
from ecr_lifecycle.core.preview.inventory import Image
from ecr_lifecycle.core.preview.report import GIB, human_bytes
from ecr_lifecycle.core.preview.run import group_by_repository
from ecr_lifecycle.core.report.rulediff import RuleChange, diff_rules

Entry = RepositoryEntry | CreationTemplate


@dataclass(frozen=True)
class EntryChange:
    target: str
    entry: str  # "payments/api", "pattern team-a/*", "creation template ROOT"
    kind: str  # "added", "removed", "changed", "renumbered"
    cause: str  # "config", "template keep-last", "template keep-last, untagged-cleanup"
    rules: tuple[RuleChange, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"target": self.target, "entry": self.entry, "kind": self.kind, "cause": self.cause,
                "rules": [{"kind": r.kind, "text": r.text()} for r in self.rules]}


@dataclass(frozen=True)
class RepositoryImpact:
    target: str
    repository: str
    newly_expired: tuple[Decision, ...]
    no_longer_expired: int
    newly_archived: tuple[Decision, ...]

    @property
    def freed_bytes(self) -> int:
        return sum(d.image.size for d in self.newly_expired)


@dataclass
class Review:
    base: str
    head: str
    changes: list[EntryChange]
    template_changes: dict[str, int]  # changed template -> entries whose policy it changed
    impact: list[RepositoryImpact] | None = None
    price_per_gb: float = 0.10
    in_use: list[dict[str, Any]] = field(default_factory=list)
    # With an inventory: (target, entry) -> inventory repositories it gives a policy to, on either side
    reach: dict[tuple[str, str], int] = field(default_factory=dict)

    def change_dict(self, change: EntryChange) -> dict[str, Any]:
        doc = change.as_dict()
        if self.impact is not None:
            doc["repositories"] = self.reach.get((change.target, change.entry), 0)
        return doc

    def as_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "base": self.base,
            "head": self.head,
            "summary": dict(Counter(c.kind for c in self.changes)),
            "changes": [self.change_dict(c) for c in self.changes],
            "templates": [{"name": n, "entries": k} for n, k in sorted(self.template_changes.items())],
            "impact": None,
            "inUse": self.in_use,
        }
        if self.impact is not None:
            freed = sum(i.freed_bytes for i in self.impact)
            doc["impact"] = {
                "repositories": [
                    {"target": i.target, "repositoryName": i.repository,
                     "newlyExpiring": [d.image.digest for d in i.newly_expired],
                     "noLongerExpiring": i.no_longer_expired,
                     "newlyArchiving": [d.image.digest for d in i.newly_archived], "freedBytes": i.freed_bytes}
                    for i in self.impact
                ],
                "newlyExpiringImages": sum(len(i.newly_expired) for i in self.impact),
                "newlyArchivingImages": sum(len(i.newly_archived) for i in self.impact),
                "freedBytes": freed,
                "savingsPerMonthUpperBound": round(freed / GIB * self.price_per_gb, 2),
            }
        return doc


def _entries(fleet: Fleet | None) -> dict[tuple[str, str], Entry]:
    if fleet is None:
        return {}
    out: dict[tuple[str, str], Entry] = {}
    for entry in fleet.repositories:
        out[(entry.target, entry.label)] = entry
    for template in fleet.creation_templates:
        out[(template.target, f"creation template {template.prefix}")] = template
    return out


def _cause(old: Entry, new: Entry, base: Fleet, head: Fleet) -> str:
    if old.composed.recipe != new.composed.recipe:
        return "config"
    changed = [t for t in new.composed.templates
               if base.template_digests.get(t) != head.template_digests.get(t)]
    return "template " + ", ".join(changed) if changed else "config"


def compare(base: Fleet | None, head: Fleet, base_label: str, head_label: str) -> Review:
    old_entries, new_entries = _entries(base), _entries(head)
    changes: list[EntryChange] = []
    for key in sorted(set(old_entries) | set(new_entries)):
        old, new = old_entries.get(key), new_entries.get(key)
        if old is None and new is not None:
            changes.append(EntryChange(*key, "added", "config", tuple(diff_rules(None, new.composed.policy))))
        elif new is None and old is not None:
            changes.append(EntryChange(*key, "removed", "config", tuple(diff_rules(old.composed.policy, None))))
        elif old is not None and new is not None and not equivalent_policy_texts(old.composed.text, new.composed.text):
            rules = tuple(diff_rules(old.composed.policy, new.composed.policy))
            kind = "renumbered" if rules and all(r.kind == "renumbered" for r in rules) else "changed"
            assert base is not None
            changes.append(EntryChange(*key, kind, _cause(old, new, base, head), rules))
    templates: Counter[str] = Counter()
    for change in changes:
        if change.cause.startswith("template "):
            templates.update(change.cause.removeprefix("template ").split(", "))
    return Review(base_label, head_label, changes, dict(templates))


def add_impact(review: Review, base: Fleet | None, head: Fleet, images_by_target: dict[str, list[Image]],
               now: float) -> dict[str, list[Decision]]:
    """Preview every inventory repository on both sides, keep the differences; return the head's decisions."""
    impact = []
    head_decisions: dict[str, list[Decision]] = {}
    reach: Counter[tuple[str, str]] = Counter()
    for target, images in sorted(images_by_target.items()):
        for repository, repo_images in sorted(group_by_repository(images).items()):
            sides = []
            labels = set()
            for fleet in (base, head):
                entry = fleet.entry_for(target, repository) if fleet is not None and target in fleet.plans else None
                sides.append(evaluate(entry.composed.policy, repo_images, now) if entry is not None else [])
                if entry is not None:
                    labels.add(entry.label)
            reach.update((target, label) for label in labels)
            head_decisions[repository] = sides[1]
            before = {d.image.digest: d for d in sides[0]}
            after = {d.image.digest: d for d in sides[1]}
            expired = tuple(d for k, d in after.items() if d.action.value == "expire" and
                            (k not in before or before[k].action.value != "expire"))
            archived = tuple(d for k, d in after.items() if d.action.value == "transition" and k not in before)
            gone = sum(1 for k, d in before.items() if d.action.value == "expire" and
                       (k not in after or after[k].action.value != "expire"))
            if expired or archived or gone:
                impact.append(RepositoryImpact(target, repository, expired, gone, archived))
    review.impact = impact
    review.reach = dict(reach)
    return head_decisions


_KIND_WORDS = {"added": "gains a policy", "removed": "loses its policy", "changed": "changes",
               "renumbered": "renumbered only (same meaning)"}


_SUMMARY_WORDS = {"added": ("gains a policy", "gain a policy"), "removed": ("loses its policy", "lose their policy"),
                  "changed": ("changes", "change"), "renumbered": ("is only renumbered", "are only renumbered")}


def _summary(review: Review) -> list[str]:
    counts = Counter(c.kind for c in review.changes)
    if not review.changes:
        return ["No lifecycle policy changes."]
    parts = [f"{counts[k]} {_SUMMARY_WORDS[k][counts[k] != 1]}" for k in ("added", "removed", "changed", "renumbered")
             if counts[k]]
    lines = [f"**{len(review.changes)} entr{'y' if len(review.changes) == 1 else 'ies'} affected**: "
             + ", ".join(parts) + "."]
    for name, n in sorted(review.template_changes.items()):
        line = f"Template `{name}` changed: it alters the policy of {n} entr{'y' if n == 1 else 'ies'}"
        if review.impact is not None:
            touched = sum(review.reach.get((c.target, c.entry), 0) for c in review.changes
                          if name in c.cause.removeprefix("template ").split(", ") and c.cause != "config")
            line += f", {touched} repositor{'y' if touched == 1 else 'ies'} in the inventory"
        lines.append(line + ".")
    if review.impact is not None:
        expired = sum(len(i.newly_expired) for i in review.impact)
        archived = sum(len(i.newly_archived) for i in review.impact)
        spared = sum(i.no_longer_expired for i in review.impact)
        freed = sum(i.freed_bytes for i in review.impact)
        lines.append(f"In the inventory: **{expired}** more images expire ({human_bytes(freed)}, up to "
                     f"${freed / GIB * review.price_per_gb:.2f}/month), {archived} more are archived, "
                     f"{spared} are no longer expired.")
    return lines


def markdown(review: Review, max_entries: int = 200) -> str:
    lines = [f"### ECR lifecycle review: `{review.base}` → `{review.head}`", "", *_summary(review), ""]
    if review.in_use:
        lines += ["> [!CAUTION]", f"> {len(review.in_use)} image(s) in use would be removed:"]
        lines += [f"> - `{h['reference']}` by {h['rule']} in `{h['repositoryName']}`" for h in review.in_use]
        lines.append("")
    if not review.changes:
        return "\n".join(lines)
    impacts: dict[tuple[str, str], list[RepositoryImpact]] = {}
    for i in review.impact or []:
        impacts.setdefault((i.target, i.repository), []).append(i)
    with_reach = review.impact is not None
    lines += ["| target | entry | change | cause | rule changes |" + (" repositories |" if with_reach else ""),
              "|---|---|---|---|---:|" + ("---:|" if with_reach else "")]
    shown = review.changes[:max_entries]
    for c in shown:
        reach = f" {review.reach.get((c.target, c.entry), 0)} |" if with_reach else ""
        lines.append(f"| {c.target} | `{c.entry}` | {_KIND_WORDS[c.kind]} | {c.cause} | {len(c.rules)} |{reach}")
    if len(review.changes) > max_entries:
        lines.append(f"| … | {len(review.changes) - max_entries} more entries (the summary counts them all) | | | |"
                     + (" |" if with_reach else ""))
    lines.append("")
    for c in shown:
        lines += [f"<details><summary>{c.target} / {c.entry}: {_KIND_WORDS[c.kind]}</summary>", ""]
        lines += [f"- {line}" for r in c.rules for line in (r.details or (r.text(),))] or [
            "- (no rule-level difference)"]
        lines += ["", "</details>"]
    if review.impact:
        lines += ["", "| target | repository | newly expired | freed | no longer expired | newly archived |",
                  "|---|---|---:|---:|---:|---:|"]
        for i in sorted(review.impact, key=lambda i: -i.freed_bytes)[:max_entries]:
            lines.append(f"| {i.target} | `{i.repository}` | {len(i.newly_expired)} | {human_bytes(i.freed_bytes)} | "
                         f"{i.no_longer_expired} | {len(i.newly_archived)} |")
    return "\n".join(lines) + "\n"


def text(review: Review) -> str:
    lines = [f"review: {review.base} -> {review.head}", *(s.replace("**", "") for s in _summary(review))]
    for c in review.changes:
        lines.append(f"{c.target}/{c.entry}: {_KIND_WORDS[c.kind]} ({c.cause})")
        lines += [f"  {r.text()}" for r in c.rules]
    return "\n".join(lines)
