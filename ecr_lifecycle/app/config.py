"""Use cases on a loaded fleet: validate it (warnings by entry) and render one repository's policy."""

from __future__ import annotations

from dataclasses import dataclass

from ecr_lifecycle.app.errors import Failure, UseCaseError
from ecr_lifecycle.core.config.model import Fleet, RepositoryEntry, UnknownTarget
from ecr_lifecycle.core.policy.findings import Finding


@dataclass(frozen=True)
class ConfigValidation:
    fleet: Fleet
    warnings: tuple[tuple[str, Finding], ...]  # (entry key, warning)

    @property
    def policies(self) -> int:
        return len(self.fleet.all_policies())


def validate_config(fleet: Fleet) -> ConfigValidation:
    """A fleet that loaded is valid; what is left to say are its warnings, entry by entry."""
    return ConfigValidation(fleet, tuple((p.key, w) for p in fleet.all_policies() for w in p.warnings))


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
