"""The typed model of an ECR lifecycle policy document (archive era, Nov 2025 on).

Field constraints are stated where each field is declared; they are enforced in
``check.py`` (structure) and ``rules.py`` (semantics). The wire names and their
canonical order live here only (``RULE_KEYS`` and friends): the parser, the
renderer and the docs all read them from this module.

Sources: https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html
and https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html
(format, allowed combinations, limits).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class TagStatus(StrEnum):
    """``selection.tagStatus``: which images a rule looks at."""

    TAGGED = "tagged"  # needs exactly one of tagPrefixList / tagPatternList
    UNTAGGED = "untagged"  # no list allowed
    ANY = "any"  # no list allowed; must be the last rule of its storage class


class StorageClass(StrEnum):
    """``selection.storageClass`` and ``action.targetStorageClass``."""

    STANDARD = "standard"
    ARCHIVE = "archive"


class CountType(StrEnum):
    """``selection.countType``."""

    IMAGE_COUNT_MORE_THAN = "imageCountMoreThan"  # keep the newest countNumber images
    SINCE_IMAGE_PUSHED = "sinceImagePushed"
    SINCE_IMAGE_PULLED = "sinceImagePulled"  # transition only
    SINCE_IMAGE_TRANSITIONED = "sinceImageTransitioned"  # storageClass archive + expire, >= 90 days

    @property
    def is_age(self) -> bool:
        """True for the ``since*`` types, which take ``countUnit: days``."""
        return self is not CountType.IMAGE_COUNT_MORE_THAN


class CountUnit(StrEnum):
    """``selection.countUnit``: only ``days``, and only with the ``since*`` count types."""

    DAYS = "days"


class ActionType(StrEnum):
    """``action.type``."""

    EXPIRE = "expire"
    TRANSITION = "transition"  # needs targetStorageClass: archive


# Days an image must stay in archive before a lifecycle rule may delete it
# (https://docs.aws.amazon.com/AmazonECR/latest/userguide/archive-image.html).
ARCHIVE_MINIMUM_DAYS = 90
MAX_RULES = 50
MAX_POLICY_CHARS = 30_720
MIN_POLICY_CHARS = 100
MAX_WILDCARDS_PER_PATTERN = 4

# Wire names in canonical order. The renderer emits keys in exactly this order and
# the parser rejects any key not listed here.
POLICY_KEYS = ("rules",)
RULE_KEYS = ("rulePriority", "description", "selection", "action")
SELECTION_KEYS = (
    "tagStatus",
    "tagPrefixList",
    "tagPatternList",
    "storageClass",
    "countType",
    "countUnit",
    "countNumber",
)
ACTION_KEYS = ("type", "targetStorageClass")


@dataclass(frozen=True)
class Selection:
    """Which images a rule selects and the threshold past which it acts on them."""

    tag_status: TagStatus
    count_type: CountType
    # >= 1. imageCountMoreThan: images to keep; since*: days.
    count_number: int
    # Only with tagged; exactly one of the two lists; every entry must match one of the image's tags.
    tag_prefix_list: tuple[str, ...] = ()
    # At most four '*' per entry; an entry without '*' matches one tag exactly.
    tag_pattern_list: tuple[str, ...] = ()
    # Omitted on the wire means standard; archive only with sinceImageTransitioned.
    storage_class: StorageClass = StorageClass.STANDARD
    # Required with the since* types, forbidden with imageCountMoreThan.
    count_unit: CountUnit | None = None

    @property
    def tag_list(self) -> tuple[str, ...]:
        """The one list the rule uses (prefixes or patterns), empty for untagged/any."""
        return self.tag_prefix_list or self.tag_pattern_list

    @property
    def uses_patterns(self) -> bool:
        return bool(self.tag_pattern_list)


@dataclass(frozen=True)
class Action:
    """What happens to the selected images."""

    type: ActionType
    # Required (and only allowed) with transition; only value: archive.
    target_storage_class: StorageClass | None = None


@dataclass(frozen=True)
class Rule:
    """One lifecycle rule. ``rule_priority`` >= 1 and unique; lower numbers apply first."""

    rule_priority: int
    selection: Selection
    action: Action
    description: str | None = None

    @property
    def label(self) -> str:
        """How messages name the rule: its priority and, if any, its description."""
        if self.description:
            return f"rule {self.rule_priority} ({self.description!r})"
        return f"rule {self.rule_priority}"


@dataclass(frozen=True)
class Policy:
    """A lifecycle policy document. Rules are kept sorted by priority."""

    rules: tuple[Rule, ...]

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.rules, key=lambda r: r.rule_priority))
        if ordered != self.rules:
            object.__setattr__(self, "rules", ordered)
