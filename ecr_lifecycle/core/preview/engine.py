"""ECR lifecycle evaluation, simulated (reference section 3.3).

Rules apply in priority order; an image gets at most one action. A rule's candidates
are the images of its storage class whose tags satisfy its selection; images a
higher-priority rule already matched are never actioned by a lower one, yet still fill
the lower rule's count window. Choices where AWS is unverified (the safer side: never
predict fewer deletions than may happen, never act on what we cannot date):

* ``since*`` ages are strict: an image is past N days only if ``now - t > N * 86400`` s.
* Children of an image index present in the repository are protected in this
  evaluation even if the index itself is expired now (they become eligible next pass);
  protected images still occupy ``imageCountMoreThan`` slots.
* ``ACTIVATING`` images (being restored) are never actioned.
* An archived image without ``lastArchivedAt`` is never expired by sinceImageTransitioned.
* Ties in push time are broken by digest, so results never depend on input order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ecr_lifecycle.core.policy.model import ActionType, CountType, Policy, Rule, Selection, TagStatus
from ecr_lifecycle.core.policy.tags import entry_matches
from ecr_lifecycle.core.preview.inventory import Image

DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class Decision:
    image: Image
    rule: Rule

    @property
    def action(self) -> ActionType:
        return self.rule.action.type


def _selects(selection: Selection, image: Image) -> bool:
    if image.storage_class is not selection.storage_class:
        return False
    status = selection.tag_status
    if status is TagStatus.ANY:
        return True
    if status is TagStatus.UNTAGGED:
        return not image.tags
    if not image.tags:
        return False
    is_pattern = selection.uses_patterns
    tags = image.tags
    return all(any(entry_matches(e, t, is_pattern=is_pattern) for t in tags) for e in selection.tag_list)


def _pull_reference(image: Image) -> float:
    activated, pulled = image.last_activated_at, image.last_pulled_at
    if activated is not None and (pulled is None or pulled < activated):
        return activated
    if pulled is not None:
        return pulled
    return image.pushed_at


def _marked(rule: Rule, candidates: list[Image], now: float) -> Iterable[Image]:
    sel = rule.selection
    ct = sel.count_type
    if ct is CountType.IMAGE_COUNT_MORE_THAN:
        if len(candidates) <= sel.count_number:
            return ()
        ordered = sorted(candidates, key=lambda i: (-i.effective_pushed_at, i.digest))
        return ordered[sel.count_number :]
    limit = now - sel.count_number * DAY
    if ct is CountType.SINCE_IMAGE_PUSHED:
        return [i for i in candidates if i.effective_pushed_at < limit]
    if ct is CountType.SINCE_IMAGE_PULLED:
        return [i for i in candidates if _pull_reference(i) < limit]
    return [i for i in candidates if i.last_archived_at is not None and i.last_archived_at < limit]


def evaluate(policy: Policy, images: Sequence[Image], now: float) -> list[Decision]:
    """Decisions for one repository's images, sorted by push time then digest."""
    protected = {child for image in images for child in image.children}
    claimed: set[str] = set()
    decided: dict[str, Decision] = {}
    for rule in policy.rules:
        candidates = [i for i in images if _selects(rule.selection, i)]
        if not candidates:
            continue
        for image in _marked(rule, candidates, now):
            digest = image.digest
            if digest in claimed or digest in protected or image.activating:
                continue
            decided[digest] = Decision(image, rule)
        claimed.update(i.digest for i in candidates)
    return sorted(decided.values(), key=lambda d: (d.image.pushed_at, d.image.digest))
