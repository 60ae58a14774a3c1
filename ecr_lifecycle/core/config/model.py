"""The validated fleet: targets, composed policies per repository entry, and per-target plans."""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlsplit

from ecr_lifecycle.core.config.matching import PatternEntry, glob_matches
from ecr_lifecycle.core.policy.findings import Finding
from ecr_lifecycle.core.policy.model import Policy
from ecr_lifecycle.core.suggest import did_you_mean


class UnknownTarget(ValueError):
    def __init__(self, name: str, defined: Sequence[str]) -> None:
        super().__init__(f"unknown target {name!r}{did_you_mean(name, defined)} (defined: {', '.join(defined)})")


@dataclass(frozen=True)
class Backend:
    """Where a target's Terraform state lives: ``local`` (default) or ``s3``."""

    kind: str
    path: str | None = None
    bucket: str | None = None
    key: str | None = None
    region: str | None = None
    encrypt: bool = True
    use_lockfile: bool = True
    role_arn: str | None = None


@dataclass(frozen=True)
class Target:
    """One AWS account and region; one Terraform stack."""

    name: str
    region: str
    backend: Backend
    account_id: str | None = None
    role_arn: str | None = None
    profile: str | None = None
    endpoints: tuple[tuple[str, str], ...] = ()
    shards: int = 1
    previous_shards: int | None = None  # set while the shard count changes (a migration step)
    read_rates: tuple[tuple[str, float], ...] = ()  # API action -> requests per second for live reads

    @property
    def is_local(self) -> bool:
        """True when every endpoint is on loopback: a local emulator, never real AWS."""
        return bool(self.endpoints) and all(is_loopback_url(url) for _, url in self.endpoints)


def is_loopback_url(url: str) -> bool:
    """True only for ``http(s)://`` URLs whose host is literally ``localhost``, ``127.x.y.z`` or ``::1``.

    Nothing is resolved. A backslash, user info or anything unusual in the authority makes it
    not loopback: clients disagree on where such a host ends (``http://evil.com\\@127.0.0.1``)."""
    try:
        parts = urlsplit(url)
        port = parts.port  # noqa: F841 - raises on a malformed port
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or "\\" in url or "@" in parts.netloc:
        return False
    host = parts.hostname or ""
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback and (address.version == 4 or host == "::1")


@dataclass(frozen=True)
class RuleSource:
    priority: int
    origin: str  # "template keep-last" or "inline rules"


@dataclass(frozen=True)
class ComposedPolicy:
    policy: Policy
    text: str  # canonical rendering, exactly what is deployed
    sources: tuple[RuleSource, ...]
    warnings: tuple[Finding, ...]
    templates: tuple[str, ...]
    recipe: str = ""  # the templates, parameters and inline rules asked for (for review: what changed)
    # Each template's rules as this entry expands them, hashed: a template change that leaves them
    # unchanged (a description, a default the entry overrides) changes nothing for this entry.
    template_outputs: tuple[tuple[str, str], ...] = ()
    warning_origins: tuple[str, ...] = ()  # per warning: "template keep-last", "inline rules" or ""
    silenced: tuple[Finding, ...] = ()  # warnings an ``ignore`` (entry, defaults or template) silenced

    @cached_property
    def key(self) -> str:
        """Content address: entries with byte-identical policies share one Terraform local."""
        return "p" + hashlib.sha256(self.text.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class RepositoryEntry:
    """A ``repositories`` entry resolved for one target."""

    target: str
    composed: ComposedPolicy
    where: str  # "repositories.yaml:12: repositories[3]"
    name: str | None = None
    pattern: str | None = None
    exclude: tuple[str, ...] = ()
    adopt: bool = False  # import the existing aws_ecr_lifecycle_policy on the next deploy
    index: int = -1  # position in the config's ``repositories`` list

    @property
    def label(self) -> str:
        return self.name if self.name is not None else f"pattern {self.pattern}"

    @property
    def key(self) -> str:
        return f"{self.target}/{self.label}"

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return self.composed.warnings

    def as_pattern(self) -> PatternEntry | None:
        if self.pattern is None:
            return None
        return PatternEntry(self.pattern, self.exclude, self.composed.key, self.adopt)


@dataclass(frozen=True)
class CreationTemplate:
    target: str
    prefix: str
    applied_for: tuple[str, ...]
    composed: ComposedPolicy
    where: str
    description: str | None = None

    @property
    def key(self) -> str:
        return f"{self.target}/creation-template {self.prefix}"

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return self.composed.warnings


@dataclass(frozen=True)
class TargetPlan:
    """Everything one stack needs, as plain sorted data (the stack only transcribes it)."""

    target: Target
    named: dict[str, str]  # repository name -> policy key, sorted by name
    patterns: tuple[PatternEntry, ...]  # file order (first match wins)
    policies: dict[str, str]  # policy key -> canonical text, sorted by key
    creation_templates: tuple[CreationTemplate, ...]  # sorted by prefix
    adopt: tuple[str, ...] = ()  # repository names whose existing policy is imported, sorted


@dataclass(frozen=True)
class Fleet:
    source: str
    targets: tuple[Target, ...]
    repositories: tuple[RepositoryEntry, ...]
    creation_templates: tuple[CreationTemplate, ...]
    plans: dict[str, TargetPlan] = field(default_factory=dict)
    # Templates that do not load and that no entry uses: reported as warnings, they fail nothing.
    broken_templates: dict[str, list[str]] = field(default_factory=dict)
    # Warnings about the config itself (patterns that never match, ...): (file:line: path, finding)
    config_warnings: tuple[tuple[str, Finding], ...] = ()
    config_silenced: tuple[tuple[str, Finding], ...] = ()
    _by_name: dict[tuple[str, str], RepositoryEntry] = field(init=False, repr=False, compare=False)
    _patterns: dict[str, list[tuple[PatternEntry, RepositoryEntry]]] = field(init=False, repr=False, compare=False)

    @property
    def target_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.targets)

    def target(self, name: str) -> Target:
        """The target called ``name``, or ``UnknownTarget`` listing the defined ones."""
        for target in self.targets:
            if target.name == name:
                return target
        raise UnknownTarget(name, self.target_names)

    def select_targets(self, names: Sequence[str] | None) -> tuple[Target, ...]:
        """The named targets (all when ``names`` is empty or None), in config order."""
        if not names:
            return self.targets
        wanted = {self.target(n).name for n in names}
        return tuple(t for t in self.targets if t.name in wanted)

    def all_policies(self) -> tuple[RepositoryEntry | CreationTemplate, ...]:
        return self.repositories + self.creation_templates

    def __post_init__(self) -> None:
        # Indexes for entry_for, which previews call once per repository of fleets of thousands.
        by_name = {(e.target, e.name): e for e in self.repositories if e.name is not None}
        patterns: dict[str, list[tuple[PatternEntry, RepositoryEntry]]] = {}
        for entry in self.repositories:
            pattern = entry.as_pattern()
            if pattern is not None:
                patterns.setdefault(entry.target, []).append((pattern, entry))
        object.__setattr__(self, "_by_name", by_name)
        object.__setattr__(self, "_patterns", patterns)

    def excluded_by(self, target: str, repository: str) -> list[tuple[RepositoryEntry, str]]:
        """The pattern entries whose glob matches ``repository`` but one of whose excludes catches it."""
        out = []
        for pattern, entry in self._patterns.get(target, ()):
            if glob_matches(pattern.glob, repository):
                caught = next((e for e in pattern.exclude if glob_matches(e, repository)), None)
                if caught is not None:
                    out.append((entry, caught))
        return out

    def entry_for(self, target: str, repository: str) -> RepositoryEntry | None:
        """The entry that gives ``repository`` its policy in ``target``: exact name, else first pattern."""
        entry = self._by_name.get((target, repository))
        if entry is not None:
            return entry
        for pattern, candidate in self._patterns.get(target, ()):
            if pattern.matches(repository):
                return candidate
        return None
