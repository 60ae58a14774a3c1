"""ECR lifecycle evaluation, simulated.

Source: "Lifecycle policy evaluation rules" and the worked examples in
https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html and
https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html.

Rules apply in priority order; an image gets at most one action. A rule's candidates
are the images of its storage class whose tags satisfy its selection; images a
higher-priority rule already matched are never actioned by a lower one, yet still fill
the lower rule's count window.

Where AWS's behaviour is unverified we choose, and say which way each choice can be wrong
(``UNVERIFIED``; previews list the repositories whose figures rest on one):

* ``since*`` ages are strict: an image is past N days only if ``now - t > N * 86400`` s.
* Children of an image index are protected while the index stays active (neither archived nor
  actioned in this evaluation); protected images still occupy ``imageCountMoreThan`` slots.
  An index this evaluation expires or archives frees its children in the same evaluation, which
  AWS may only do on a later run: **may over-report** removals, never under-report them.
* ``ACTIVATING`` images (being restored) are never actioned: we do not know which storage class
  AWS evaluates them in. **May under-report.**
* An archived image without ``lastArchivedAt`` is never expired by sinceImageTransitioned: it
  cannot be dated. **May under-report.**
* Ties in push time are broken by digest, so results never depend on input order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

from ecr_lifecycle.core.policy.model import ActionType, CountType, Policy, Rule, Selection, StorageClass, TagStatus
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


class Unverified(StrEnum):
    """An unverified choice a repository's figures rest on, named by the direction it can err."""

    INDEX_CHILDREN_FREED = "index-children-freed-with-their-index"  # may over-report
    ACTIVATING_NOT_ACTIONED = "activating-images-not-actioned"  # may under-report
    ARCHIVED_UNDATED = "archived-images-without-lastArchivedAt-kept"  # may under-report

    @property
    def direction(self) -> str:
        return "may over-report" if self is Unverified.INDEX_CHILDREN_FREED else "may under-report"


def _evaluate_once(policy: Policy, images: Sequence[Image], now: float, protected: set[str]) -> dict[str, Decision]:
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
    return decided


def evaluate(policy: Policy, images: Sequence[Image], now: float) -> list[Decision]:
    """Decisions for one repository's images, sorted by push time then digest."""
    indexes = [i for i in images if i.children and i.storage_class is StorageClass.STANDARD and not i.activating]
    protected = {child for index in indexes for child in index.children}
    decided = _evaluate_once(policy, images, now, protected)
    # Protection only ever withholds actions, so freeing the children of indexes that go only adds
    # decisions; repeat until no further index goes (nested indexes), at most once per index.
    for _ in range(len(indexes)):
        still = {c for index in indexes if index.digest not in decided for c in index.children}
        if still == protected:
            break
        protected = still
        decided = _evaluate_once(policy, images, now, protected)
    return sorted(decided.values(), key=lambda d: (d.image.pushed_at, d.image.digest))


def unverified_choices(images: Sequence[Image], decisions: Sequence[Decision]) -> tuple[Unverified, ...]:
    """The unverified choices that shaped these decisions (empty when the figures rest on none)."""
    out = []
    indexes = [i for i in images if i.children]
    if indexes:
        gone = {d.image.digest for d in decisions}
        if any(i.digest in gone and any(c in gone for c in i.children) for i in indexes):
            out.append(Unverified.INDEX_CHILDREN_FREED)
    if any([i.activating for i in images]):
        out.append(Unverified.ACTIVATING_NOT_ACTIONED)
    archive = StorageClass.ARCHIVE
    if any([i.storage_class is archive and i.last_archived_at is None for i in images]):
        out.append(Unverified.ARCHIVED_UNDATED)
    return tuple(out)
