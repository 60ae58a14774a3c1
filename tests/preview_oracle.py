"""The reference model of ECR's lifecycle evaluation: the straightforward reading of the documented rules,
kept for the property test that the optimised engine (``ecr_lifecycle.core.preview.engine``) decides exactly
what it decides. Clarity over speed here: a rule's candidates filtered from all images, sorted per rule.

https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from ecr_lifecycle.core.policy.model import CountType, Policy, Rule, Selection, StorageClass, TagStatus
from ecr_lifecycle.core.policy.tags import entry_matches
from ecr_lifecycle.core.preview.engine import Decision  # the result type; no logic
from ecr_lifecycle.core.preview.inventory import Image


def candidates_of(selection: Selection, images: Sequence[Image]) -> list[Image]:
    """The images a rule looks at: its storage class and tag status, and every list entry matched."""
    storage_class = selection.storage_class
    status = selection.tag_status
    if status is TagStatus.ANY:
        return [i for i in images if i.storage_class is storage_class]
    if status is TagStatus.UNTAGGED:
        return [i for i in images if not i.tags and i.storage_class is storage_class]
    entries, is_pattern = selection.tag_list, selection.uses_patterns
    return [
        i
        for i in images
        if i.tags
        and i.storage_class is storage_class
        and all(any(entry_matches(e, t, is_pattern=is_pattern) for t in i.tags) for e in entries)
    ]


def _pull_reference(image: Image) -> datetime:
    """The last pull or the last restore, whichever is later; the push when there was neither."""
    known = [t for t in (image.last_pulled_at, image.last_activated_at) if t is not None]
    return max(known) if known else image.pushed_at


def _newest_first(image: Image) -> tuple[timedelta, str]:
    return (_EPOCH - image.effective_pushed_at, image.digest)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _marked(rule: Rule, candidates: list[Image], now: float) -> Iterable[Image]:
    sel = rule.selection
    ct = sel.count_type
    if ct is CountType.IMAGE_COUNT_MORE_THAN:
        if len(candidates) <= sel.count_number:
            return ()
        ordered = sorted(candidates, key=_newest_first)
        return ordered[sel.count_number :]
    seconds = now - sel.count_number * 86_400
    if seconds < 0:
        return ()  # no image is older than 1970
    # A forecast may look past 9999, where every image is older.
    limit = datetime.fromtimestamp(min(seconds, 253_402_300_799.999999), tz=UTC)
    if ct is CountType.SINCE_IMAGE_PUSHED:
        return [i for i in candidates if i.effective_pushed_at < limit]
    if ct is CountType.SINCE_IMAGE_PULLED:
        return [i for i in candidates if _pull_reference(i) < limit]
    return [i for i in candidates if i.last_archived_at is not None and i.last_archived_at < limit]


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
