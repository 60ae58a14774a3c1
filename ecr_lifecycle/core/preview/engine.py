"""ECR lifecycle evaluation, simulated.

Source: "Lifecycle policy evaluation rules" and the worked examples in
https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html and
https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html.

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

from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import NamedTuple

from ecr_lifecycle.core.policy.model import ActionType, CountType, Policy, Rule, Selection, TagStatus
from ecr_lifecycle.core.policy.tags import entry_matches, glob_matcher
from ecr_lifecycle.core.preview.inventory import Image

DAY = 86_400.0


class Decision(NamedTuple):
    """The action one rule takes on one image (a NamedTuple: built per acted-on image)."""

    image: Image
    rule: Rule

    @property
    def action(self) -> ActionType:
        return self.rule.action.type


TagMatcher = Callable[[tuple[str, ...]], bool]


@lru_cache(maxsize=1024)
def tag_matcher(selection: Selection) -> TagMatcher:
    """A function telling whether an image's tags satisfy the selection's list (built once per selection)."""
    is_pattern = selection.uses_patterns
    entries = selection.tag_list
    # Plain loops: this runs once per image and rule, a generator per call costs more than the test.
    if len(entries) == 1 and not is_pattern:
        prefix = entries[0]

        def has_prefix(tags: tuple[str, ...]) -> bool:
            for t in tags:  # noqa: SIM110 - a plain loop is faster than any() over a generator
                if t.startswith(prefix):
                    return True
            return False

        return has_prefix
    if len(entries) == 1 and "*" not in entries[0]:
        exact = entries[0]
        return lambda tags: exact in tags
    if len(entries) == 1:
        matches = glob_matcher(entries[0])

        def has_match(tags: tuple[str, ...]) -> bool:
            for t in tags:  # noqa: SIM110
                if matches(t):
                    return True
            return False

        return has_match
    return lambda tags: all(any(entry_matches(e, t, is_pattern=is_pattern) for t in tags) for e in entries)


def candidates_of(selection: Selection, images: Sequence[Image]) -> list[Image]:
    """The images a rule looks at: its storage class and tag status, and every list entry matched."""
    storage_class = selection.storage_class
    status = selection.tag_status
    if status is TagStatus.ANY:
        return [i for i in images if i.storage_class is storage_class]
    if status is TagStatus.UNTAGGED:
        return [i for i in images if not i.tags and i.storage_class is storage_class]
    matches = tag_matcher(selection)
    return [i for i in images if i.tags and i.storage_class is storage_class and matches(i.tags)]


def _pull_reference(image: Image) -> float:
    activated, pulled = image.last_activated_at, image.last_pulled_at
    if activated is not None and (pulled is None or pulled < activated):
        return activated
    if pulled is not None:
        return pulled
    return image.pushed_at


def _newest_first(image: Image) -> tuple[float, str]:
    return (-image.effective_pushed_at, image.digest)


def _marked(rule: Rule, candidates: list[Image], now: float) -> Iterable[Image]:
    sel = rule.selection
    ct = sel.count_type
    if ct is CountType.IMAGE_COUNT_MORE_THAN:
        if len(candidates) <= sel.count_number:
            return ()
        ordered = sorted(candidates, key=_newest_first)
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
        candidates = candidates_of(rule.selection, images)
        if not candidates:
            continue
        for image in _marked(rule, candidates, now):
            digest = image.digest
            if digest in claimed or digest in protected or image.activating:
                continue
            decided[digest] = Decision(image, rule)
        claimed.update([i.digest for i in candidates])
    return sorted(decided.values(), key=lambda d: (d.image.pushed_at, d.image.digest))
