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
class Rendered:
    repository: str
    entries: tuple[RepositoryEntry, ...]  # one per target the repository is configured for


def render_repository(fleet: Fleet, repository: str, target: str | None) -> Rendered:
    try:
        names = fleet.target_names if target is None else (fleet.target(target).name,)
    except UnknownTarget as exc:
        raise UseCaseError(str(exc)) from None
    found = tuple(e for e in (fleet.entry_for(t, repository) for t in names) if e is not None)
    if not found:
        raise UseCaseError(f"no repository entry or pattern in {fleet.source} matches {repository!r}", Failure.INVALID)
    return Rendered(repository, found)
