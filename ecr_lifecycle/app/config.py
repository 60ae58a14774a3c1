"""Use cases on a loaded fleet: validate it (warnings by entry) and render one repository's policy."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ecr_lifecycle.app.errors import Failure, UseCaseError
from ecr_lifecycle.core.config.model import Fleet, RepositoryEntry, UnknownTarget
from ecr_lifecycle.core.policy.findings import Finding


@dataclass(frozen=True)
class WarningGroup:
    """One warning code raised alike by many entries (the same templates behind it)."""

    code: str
    origin: str  # "template keep-last", "inline rules", "config"
    entries: tuple[str, ...]  # entry keys ("prod/app/api") or config locations
    example: Finding  # the first one, for its wording


@dataclass(frozen=True)
class ConfigValidation:
    fleet: Fleet
    warnings: tuple[tuple[str, Finding], ...]  # (entry key or config location, warning)
    groups: tuple[WarningGroup, ...]
    silenced: int  # warnings an ``ignore`` with a reason silenced

    @property
    def policies(self) -> int:
        return len(self.fleet.all_policies())


def validate_config(fleet: Fleet) -> ConfigValidation:
    """A fleet that loaded is valid; what is left to say are its warnings, grouped by code and origin."""
    located: list[tuple[str, str, Finding]] = [(where, "config", w) for where, w in fleet.config_warnings]
    for p in fleet.all_policies():
        origins = p.composed.warning_origins or ("",) * len(p.warnings)
        located += [(p.key, origin or "the entry", w) for origin, w in zip(origins, p.warnings, strict=True)]
    grouped: dict[tuple[str, str], list[tuple[str, Finding]]] = {}
    for where, origin, w in located:
        grouped.setdefault((w.code, origin), []).append((where, w))
    groups = tuple(
        WarningGroup(code, origin, tuple(dict.fromkeys(where for where, _ in items)), items[0][1])
        for (code, origin), items in sorted(grouped.items())
    )
    silenced = len(fleet.config_silenced) + sum(len(p.composed.silenced) for p in fleet.all_policies())
    return ConfigValidation(fleet, tuple((where, w) for where, _, w in located), groups, silenced)


@dataclass(frozen=True)
class RenderedGroup:
    """One entry's policy, identical in every target listed."""

    targets: tuple[str, ...]
    entry: RepositoryEntry


@dataclass(frozen=True)
class Rendered:
    repository: str
    groups: tuple[RenderedGroup, ...]

    @property
    def entries(self) -> tuple[RepositoryEntry, ...]:
        return tuple(g.entry for g in self.groups)


def render_repository(fleet: Fleet, repository: str, target: str | None) -> Rendered:
    try:
        names = fleet.target_names if target is None else (fleet.target(target).name,)
    except UnknownTarget as exc:
        raise UseCaseError(str(exc)) from None
    found = [(t, e) for t, e in ((t, fleet.entry_for(t, repository)) for t in names) if e is not None]
    if not found:
        raise UseCaseError(_why_unmatched(fleet, repository, names), Failure.INVALID)
    groups: dict[tuple[str, str, str], list[tuple[str, RepositoryEntry]]] = {}
    for t, entry in found:
        groups.setdefault((entry.where, entry.label, entry.composed.text), []).append((t, entry))
    return Rendered(repository, tuple(RenderedGroup(tuple(t for t, _ in g), g[0][1]) for g in groups.values()))


def _why_unmatched(fleet: Fleet, repository: str, targets: tuple[str, ...]) -> str:
    for t in targets:
        caught = fleet.excluded_by(t, repository)
        if caught:
            entry, exclude = caught[0]
            return (
                f"{repository!r} is excluded from pattern {entry.pattern!r} by its exclude {exclude!r} "
                f"({entry.where}), and no other entry of target {t!r} matches it"
            )
    return f"no repository entry or pattern in {fleet.source} matches {repository!r}"


@dataclass(frozen=True)
class Coverage:
    """The config against the repositories that exist: entries that match none, repositories no entry has."""

    idle_entries: tuple[RepositoryEntry, ...]
    unmatched: tuple[tuple[str, str], ...]  # (target, repository)


def coverage(fleet: Fleet, names: Mapping[str, Iterable[str]]) -> Coverage:
    """``names``: target -> the repository names that exist there."""
    used: set[tuple[str, str]] = set()
    unmatched = []
    for target, repositories in sorted(names.items()):
        for repository in sorted(set(repositories)):
            entry = fleet.entry_for(target, repository)
            if entry is None:
                unmatched.append((target, repository))
            else:
                used.add((target, entry.label))
    idle = tuple(e for e in fleet.repositories if e.target in names and (e.target, e.label) not in used)
    return Coverage(idle, tuple(unmatched))
