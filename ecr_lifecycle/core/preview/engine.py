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

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from enum import Enum, StrEnum
from functools import lru_cache
from operator import attrgetter
from typing import Any, NamedTuple

from ecr_lifecycle.core.policy.model import ActionType, CountType, Policy, Rule, Selection, StorageClass, TagStatus
from ecr_lifecycle.core.policy.tags import glob_matcher
from ecr_lifecycle.core.preview.inventory import Image, instant

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
    matchers = [
        glob_matcher(e) if selection.uses_patterns else re.compile(re.escape(e)).match for e in selection.tag_list
    ]
    return lambda tags: all(any(map(m, tags)) for m in matchers)


class _Test(Enum):
    """How a rule's candidates are found; each test but ``CALL`` runs in C per image."""

    ANY = "any"
    UNTAGGED = "untagged"
    EXACT = "exact"  # one pattern without '*': that tag
    PREFIX = "prefix"  # one prefix, or one pattern ending in its only '*'
    MATCH = "match"  # one pattern with a single '*' elsewhere: a regular expression that cannot backtrack
    CALL = "call"  # the rest (several entries, several '*'): tag_matcher


def _compile(selection: Selection) -> tuple[_Test, Any]:
    status = selection.tag_status
    if status is TagStatus.ANY:
        return _Test.ANY, None
    if status is TagStatus.UNTAGGED:
        return _Test.UNTAGGED, None
    entries = selection.tag_list
    if len(entries) == 1:
        entry = entries[0]
        if not selection.uses_patterns:
            return _Test.PREFIX, entry
        pieces = entry.split("*")
        if len(pieces) == 1:
            return _Test.EXACT, entry
        if len(pieces) == 2 and not pieces[1]:
            return _Test.PREFIX, pieces[0]
        if len(pieces) == 2:
            # One '*': the regex backtracks over the tag once at most (tags are at most 128 characters).
            return _Test.MATCH, re.compile(re.escape(pieces[0]) + ".*" + re.escape(pieces[1]), re.DOTALL).fullmatch
    return _Test.CALL, tag_matcher(selection)


@lru_cache(maxsize=1024)
def _prefix_match(prefix: str) -> Callable[[str], object]:
    return re.compile(re.escape(prefix)).match


# Per policy object (policies are frozen; hashing one walks all its rules, so they are keyed by identity and
# kept alive here, so an identity is never reused while cached).
_COMPILED: dict[int, tuple[Policy, tuple[tuple[_Test, Any], ...]]] = {}


def _tests(policy: Policy) -> tuple[tuple[_Test, Any], ...]:
    found = _COMPILED.get(id(policy))
    if found is not None and found[0] is policy:
        return found[1]
    if len(_COMPILED) >= 4096:
        _COMPILED.clear()
    tests = tuple(_compile(r.selection) for r in policy.rules)
    _COMPILED[id(policy)] = (policy, tests)
    return tests


def _candidates(policy: Policy, ordered: list[Image]) -> list[list[Image]]:
    """Each rule's candidates, in the order of ``ordered``: a list comprehension per rule, the image test
    inline and in C where the selection allows (this is the evaluation's inner loop)."""
    archive = StorageClass.ARCHIVE
    by_class = {StorageClass.STANDARD: ordered, archive: []}
    if list(map(_status, ordered)).count("ARCHIVED"):
        by_class = {c: [i for i in ordered if i.storage_class is c] for c in StorageClass}
    tagged: dict[StorageClass, list[Image]] = {}
    buckets = []
    for rule, (test, arg) in zip(policy.rules, _tests(policy), strict=True):
        images = by_class[rule.selection.storage_class]
        if test is _Test.ANY:
            buckets.append(images)
            continue
        if test is _Test.UNTAGGED:
            buckets.append([i for i in images if not i.tags])
            continue
        some = tagged.get(rule.selection.storage_class)
        if some is None:
            some = tagged[rule.selection.storage_class] = [i for i in images if i.tags]
        if test is _Test.EXACT:
            buckets.append([i for i in some if arg in i.tags])
        elif test is _Test.PREFIX:
            match = _prefix_match(arg)
            buckets.append(
                [i for i in some if i.tags[0].startswith(arg) or (len(i.tags) > 1 and any(map(match, i.tags)))]
            )
        elif test is _Test.MATCH:
            # Most images carry one tag: test it before building an iterator over all of them.
            buckets.append([i for i in some if arg(i.tags[0]) or (len(i.tags) > 1 and any(map(arg, i.tags)))])
        else:
            buckets.append([i for i in some if arg(i.tags)])
    return buckets


_digest = attrgetter("digest")
_children = attrgetter("children")
_status = attrgetter("status")
_activated = attrgetter("last_activated_at")
_pushed = attrgetter("pushed_at")
_by_output_order = attrgetter("image.pushed_at", "image.digest")
_by_push = attrgetter("image.pushed_at")
_new_decision = tuple.__new__


def _effective(image: Image) -> datetime:
    return image.effective_pushed_at


def _pull_reference(image: Image) -> datetime:
    activated, pulled = image.last_activated_at, image.last_pulled_at
    if activated is not None and (pulled is None or pulled < activated):
        return activated
    if pulled is not None:
        return pulled
    return image.pushed_at


def _newest_first(images: Sequence[Image], restored: bool) -> tuple[list[Image], bool]:
    """Newest first, ties by digest (C keys; a reversed sort stays stable), and whether push times tie."""
    if not restored:
        ordered = sorted(images, key=_pushed, reverse=True)
        if len(set(map(_pushed, ordered))) == len(ordered):
            return ordered, False
    ordered = sorted(images, key=_digest)
    ordered.sort(key=_effective if restored else _pushed, reverse=True)
    return ordered, True


_BEFORE_ALL = datetime.min.replace(tzinfo=UTC)
_AFTER_ALL = datetime.max.replace(tzinfo=UTC)
_END_OF_9999 = 253_402_300_800.0


def _age_limit(now: float, days: int) -> datetime:
    """The time before which an image is more than ``days`` days old (``now`` in epoch seconds, which a
    forecast may take past the year 9999)."""
    seconds = now - days * DAY
    if seconds < 0:
        return _BEFORE_ALL  # no image is older than 1970
    if seconds >= _END_OF_9999:
        return _AFTER_ALL
    return instant(seconds)


def _marked(rule: Rule, candidates: list[Image], now: float, restored: bool) -> Sequence[Image]:
    """The candidates a rule's threshold passes (``candidates`` are newest first)."""
    sel = rule.selection
    ct = sel.count_type
    if ct is CountType.IMAGE_COUNT_MORE_THAN:
        return candidates[sel.count_number :]
    limit = _age_limit(now, sel.count_number)
    if ct is CountType.SINCE_IMAGE_PUSHED:
        # Newest first by the very time compared: the images past the age are a tail, counted in C.
        past = sum(map(limit.__gt__, map(_effective if restored else _pushed, candidates)))
        return candidates[len(candidates) - past :]
    if ct is CountType.SINCE_IMAGE_PULLED:
        return [i for i in candidates if _pull_reference(i) < limit]
    return [i for i in candidates if i.last_archived_at is not None and i.last_archived_at < limit]


def _decide(
    rules: tuple[Rule, ...], buckets: list[list[Image]], now: float, protected: set[str], restored: bool
) -> dict[str, Decision]:
    claimed: set[str] = set()
    decided: dict[str, Decision] = {}
    last = len(rules) - 1
    for n, (rule, candidates) in enumerate(zip(rules, buckets, strict=True)):
        if not candidates:
            continue
        for image in _marked(rule, candidates, now, restored):
            digest = image.digest
            if digest in claimed or digest in protected or image.status == "ACTIVATING":
                continue
            decided[digest] = _new_decision(Decision, (image, rule))
        # Images a higher-priority rule looked at are never actioned by a lower one, acted on or not
        # (nothing comes after the last rule, often the one that looks at every image).
        if n != last:
            claimed.update(map(_digest, candidates))
    return decided


def evaluate(policy: Policy, images: Sequence[Image], now: float) -> list[Decision]:
    """Decisions for one repository's images, sorted by push time then digest.

    The images are sorted newest first once and each rule's candidates filtered from them in that order, so
    every count window is a slice and every push-age threshold a bisection. The straightforward reading
    (filter and sort per rule) is ``tests/preview_oracle.py``; a property test holds the two to the same
    decisions."""
    restored = list(map(_activated, images)).count(None) != len(images)
    ordered, ties = _newest_first(images, restored)
    buckets = _candidates(policy, ordered)
    indexes = (
        [i for i in images if i.children and i.storage_class is StorageClass.STANDARD and not i.activating]
        if any(map(_children, images))
        else []
    )
    protected = {child for index in indexes for child in index.children}
    decided = _decide(policy.rules, buckets, now, protected, restored)
    # Protection only ever withholds actions, so freeing the children of indexes that go only adds
    # decisions; repeat until no further index goes (nested indexes), at most once per index.
    for _ in range(len(indexes)):
        still = {c for index in indexes if index.digest not in decided for c in index.children}
        if still == protected:
            break
        protected = still
        decided = _decide(policy.rules, buckets, now, protected, restored)
    return sorted(decided.values(), key=_by_output_order if ties else _by_push)


class Unverified(StrEnum):
    """An unverified choice a repository's figures rest on, named by the direction it can err."""

    INDEX_CHILDREN_FREED = "index-children-freed-with-their-index"  # may over-report
    ACTIVATING_NOT_ACTIONED = "activating-images-not-actioned"  # may under-report
    ARCHIVED_UNDATED = "archived-images-without-lastArchivedAt-kept"  # may under-report

    @property
    def direction(self) -> str:
        return "may over-report" if self is Unverified.INDEX_CHILDREN_FREED else "may under-report"


def unverified_choices(images: Sequence[Image], decisions: Sequence[Decision]) -> tuple[Unverified, ...]:
    """The unverified choices that shaped these decisions (empty when the figures rest on none)."""
    out = []
    # Each test first in C over the whole repository: almost every repository has none of these images.
    if any(map(_children, images)):
        indexes = [i for i in images if i.children]
        gone = {d.image.digest for d in decisions}
        if any(i.digest in gone and any(c in gone for c in i.children) for i in indexes):
            out.append(Unverified.INDEX_CHILDREN_FREED)
    statuses = list(map(_status, images))
    if statuses.count("ACTIVATING"):
        out.append(Unverified.ACTIVATING_NOT_ACTIONED)
    if statuses.count("ARCHIVED") and any([i.status == "ARCHIVED" and i.last_archived_at is None for i in images]):
        out.append(Unverified.ARCHIVED_UNDATED)
    return tuple(out)
