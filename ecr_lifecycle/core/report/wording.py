"""Say what a rule does, and what changed between two rules, in words a reviewer reads in a second."""

from __future__ import annotations

from ecr_lifecycle.core.policy.model import ActionType, CountType, Rule, StorageClass, TagStatus


def selection_words(rule: Rule) -> str:
    sel = rule.selection
    archived = "archived " if sel.storage_class is StorageClass.ARCHIVE else ""
    if sel.tag_status is TagStatus.UNTAGGED:
        return f"{archived}untagged images"
    if sel.tag_status is TagStatus.ANY:
        return f"all {archived}images" if archived else "all images"
    kind = "pattern" if sel.uses_patterns else "prefix"
    entries = ", ".join(f"`{e}`" for e in sel.tag_list)
    joined = "tags matching all of" if len(sel.tag_list) > 1 else f"tag {kind}"
    return f"{archived}images with {joined} {entries}"


def threshold_words(rule: Rule) -> str:
    sel = rule.selection
    n = sel.count_number
    days = f"{n} day{'s' if n != 1 else ''}"
    return {
        CountType.IMAGE_COUNT_MORE_THAN: f"beyond the newest {n}",
        CountType.SINCE_IMAGE_PUSHED: f"after {days}",
        CountType.SINCE_IMAGE_PULLED: f"not pulled for {days}",
        CountType.SINCE_IMAGE_TRANSITIONED: f"{days} after archiving",
    }[sel.count_type]


def action_words(rule: Rule) -> str:
    return "archive" if rule.action.type is ActionType.TRANSITION else "expire"


def describe(rule: Rule) -> str:
    """``untagged images: expire after 7 days``."""
    return f"{selection_words(rule)}: {action_words(rule)} {threshold_words(rule)}"


def list_words(rule: Rule) -> str:
    sel = rule.selection
    kind = "pattern list" if sel.uses_patterns else "prefix list"
    return f"{kind} {', '.join(f'`{e}`' for e in sel.tag_list)}"
