"""Load ``repositories.yaml`` and the template library into a validated ``Fleet``.

Every problem is collected and raised together as one ``SourceError``; each message
names the file, line and JSON path. Nothing is written anywhere.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from ecr_lifecycle.core.config.checks import CHECKS as CONFIG_CHECKS
from ecr_lifecycle.core.config.compose import ComposeError, EntrySpec, ParamValue, TemplateUse, compose, stable_json
from ecr_lifecycle.core.config.matching import GlobError, glob_to_regex
from ecr_lifecycle.core.config.model import (
    ComposedPolicy,
    CreationTemplate,
    Fleet,
    RepositoryEntry,
    Target,
    TargetPlan,
)
from ecr_lifecycle.core.config.shards import stack_name_clashes
from ecr_lifecycle.core.config.targets import parse_targets
from ecr_lifecycle.core.jsonschema_errors import packaged_schema, schema_errors
from ecr_lifecycle.core.policy.findings import Finding, Severity
from ecr_lifecycle.core.sourcefile import Document, SourceError, load_yaml, no_gc_pauses, plain, read_file
from ecr_lifecycle.core.suggest import did_you_mean
from ecr_lifecycle.core.templates.library import Library, load_templates

DEFAULT_CONFIG = "repositories.yaml"
CONFIG_ENV = "ECR_LIFECYCLE_CONFIG"
DEFAULT_APPLIED_FOR = ("PULL_THROUGH_CACHE", "REPLICATION")

Path = tuple[str | int, ...]
T = TypeVar("T")
R = TypeVar("R")
# Below this many entries, splitting their composition costs more than it saves.
SPLIT_FROM = 400


class ChunkRunner(Protocol):
    """Returns what ``work(items)`` returns, possibly having run parts of ``items`` in other processes.

    ``load_fleet`` hands it the composition of every entry's policy, most of a large config's load time
    (``cli.forking.forked_split`` runs part of it in a forked process)."""

    def __call__(self, work: Callable[[Sequence[T]], list[R]], items: Sequence[T]) -> list[R]: ...


def config_path(explicit: str | None, environ: dict[str, str] | None = None) -> str:
    """The config file to use: the flag, else ``$ECR_LIFECYCLE_CONFIG``, else ``repositories.yaml``."""
    env = os.environ if environ is None else environ
    return explicit or env.get(CONFIG_ENV) or DEFAULT_CONFIG


def load_fleet(
    path: str,
    environ: Mapping[str, str] | None = None,
    runner: ChunkRunner | None = None,
    retain: list[object] | None = None,
    text: str | None = None,
) -> Fleet:
    """Load and validate everything.

    ``environ`` fills ``${VAR}`` endpoint values, and a variable it lacks is an error. Without it
    (for commands that never reach AWS) such values are left as written. ``runner``: see ``ChunkRunner``;
    the result is the same with or without it. ``retain``: gets the parsed document and the loader's memos,
    for a process that leaves without freeing them one by one (0.05-0.1 s at 10,000 entries). ``text``: the
    config's text when the caller has read it already (to edit that same text afterwards); ``path`` still
    names it in messages and locates ``policies_dir``.
    """
    doc = load_yaml(path, read_file(path, "config file") if text is None else text)
    if not isinstance(doc.data, dict):
        raise SourceError([f"{path}:1: the config must be a YAML mapping with 'version' and 'targets'"])
    if not isinstance(doc.data.get("policies_dir", "policies"), str):
        raise SourceError([f"{doc.where(['policies_dir'])}: must be a folder name"])
    errors = schema_errors(doc, packaged_schema("ecr_lifecycle.core.config.schema", "repositories.schema.json"))
    if errors:
        raise SourceError(errors)
    policies_dir = os.path.join(os.path.dirname(os.path.abspath(path)), doc.data.get("policies_dir", "policies"))
    library = load_templates(policies_dir, own_required="policies_dir" in doc.data)
    builder = _Builder(doc, library, environ, runner)
    if retain is not None:
        retain.append(builder)
    with no_gc_pauses():
        return builder.build()


class _Builder:
    def __init__(
        self, doc: Document, library: Library, environ: Mapping[str, str] | None, runner: ChunkRunner | None = None
    ) -> None:
        self.doc = doc
        self.environ = environ
        self.data: dict[str, Any] = doc.data
        self.library = library.templates
        self.broken = library.broken
        self.errors: list[str] = []
        self._cache: dict[str, ComposedPolicy] = {}
        self._expansions: dict[tuple[str, str], tuple[list[Any], str]] = {}
        self._runner = runner
        self._specs: dict[Path, tuple[EntrySpec, str]] = {}  # per entry: what it asks for, and as a cache key
        self._ahead: dict[Path, ComposedPolicy] = {}  # per entry: its policy, composed before the entries' walk

    def _config_checks(self) -> tuple[list[tuple[str, Finding]], list[tuple[str, Finding]]]:
        """Errors go to ``self.errors``; warnings come back, and those an ``ignore`` silences apart."""
        warnings: list[tuple[str, Finding]] = []
        silenced: list[tuple[str, Finding]] = []
        defaults = _ignores(self.data.get("defaults") or {})
        entries = self.data.get("repositories") or []
        for config_check in CONFIG_CHECKS:
            for finding in config_check.run(self.data):
                steps = _steps(finding.path)
                where = self.doc.where(steps)
                if finding.severity is Severity.ERROR:
                    self.errors.append(f"{where}: {finding.code} {finding.message}")
                    continue
                ignored = dict(defaults)
                if steps[:1] == ["repositories"] and isinstance(steps[1], int):
                    ignored |= _ignores(entries[steps[1]])
                (silenced if finding.code in ignored else warnings).append((where, finding))
        return warnings, silenced

    def build(self) -> Fleet:
        config_warnings, config_silenced = self._config_checks()
        targets = parse_targets(self.doc, self.environ, self.errors)
        self.errors.extend(f"{self.doc.where(['targets'])}: {clash}" for clash in stack_name_clashes(targets))
        names = [t.name for t in targets]
        self._compose_ahead()
        repositories = list(self._repositories(names))
        creation = list(self._creation_templates(names))
        if self.errors:
            raise SourceError(self.errors)
        plans = {t.name: _plan(t, repositories, creation) for t in targets}
        # Had an entry used a broken template, its errors would have been raised above.
        unused = dict(sorted(self.broken.items()))
        return Fleet(
            self.doc.path,
            tuple(targets),
            tuple(repositories),
            tuple(creation),
            plans,
            unused,
            tuple(config_warnings),
            tuple(config_silenced),
        )

    def _entry_targets(self, raw: dict[str, Any], path: Path, all_targets: list[str]) -> list[str]:
        wanted = raw.get("targets")
        if wanted is None:
            return all_targets
        for j, name in enumerate(wanted):
            if name not in all_targets:
                self.errors.append(
                    f"{self.doc.where([*path, 'targets', j])}: unknown target {name!r}"
                    f"{did_you_mean(name, all_targets)} (defined: {', '.join(all_targets)})"
                )
        return [t for t in wanted if t in all_targets]

    def _spec(self, raw: dict[str, Any], path: Path) -> EntrySpec:
        defaults = self.data.get("defaults") or {}
        own = "templates" in raw or "rules" in raw
        src, src_path = (raw, path) if own else (defaults, ("defaults",))
        uses = []
        for j, item in enumerate(src.get("templates") or []):
            use_path = (*src_path, "templates", j)
            if isinstance(item, str):
                uses.append(TemplateUse(item, use_path, {}))
            else:
                uses.append(
                    TemplateUse(item["name"], (*use_path, "name"), _params(item.get("params"), (*use_path, "params")))
                )
        inline = tuple((r, (*src_path, "rules", j)) for j, r in enumerate(src.get("rules") or []))
        return EntrySpec(
            path=path,
            uses=tuple(uses),
            params=_params(raw.get("params"), (*path, "params")),
            default_params=_params(defaults.get("params"), ("defaults", "params")),
            inline_rules=inline,
            ignore=_ignores(defaults) | _ignores(raw),
        )

    def _entry_spec(self, raw: dict[str, Any], path: Path) -> tuple[EntrySpec, str]:
        known = self._specs.get(path)
        if known is None:
            spec = self._spec(raw, path)
            known = self._specs[path] = (spec, _recipe(spec))
        return known

    def _compose_ahead(self) -> None:
        """Every entry's policy composed up front through the runner, which may split the entries between
        processes (a policy asked for on both sides is then composed twice: about an eighth of them in the
        10,000-entry benchmark). Failures are dropped here: the walk over the entries composes those again,
        in order, each with its place in the messages."""
        places: list[Path] = [
            (section, i) for section in ("repositories", "creation_templates") for i in range(len(self._raw(section)))
        ]
        if self._runner is None or len(places) < SPLIT_FROM:
            return
        for place, composed in zip(places, self._runner(self._compose_places, places), strict=True):
            if composed is not None:
                self._ahead[place] = composed

    def _raw(self, section: str) -> list[Any]:
        entries: list[Any] = self.data.get(section) or []
        return entries

    def _compose_places(self, places: Sequence[Path]) -> list[ComposedPolicy | None]:
        out: list[ComposedPolicy | None] = []
        for place in places:
            section, i = place
            spec, key = self._entry_spec(self._raw(str(section))[int(i)], place)
            composed = self._cache.get(key)
            if composed is None:
                try:
                    composed = compose(spec, self.doc, self.library, "", self.broken, self._expansions, key)
                except ComposeError:
                    out.append(None)
                    continue
                self._cache[key] = composed
            out.append(composed)
        return out

    def _compose(self, raw: dict[str, Any], path: Path, label: str) -> ComposedPolicy | None:
        ahead = self._ahead.get(path)
        if ahead is not None:
            return ahead
        spec, key = self._entry_spec(raw, path)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        try:
            composed = compose(spec, self.doc, self.library, label, self.broken, self._expansions, key)
        except ComposeError as exc:
            self.errors.extend(m for m in exc.messages if m not in self.errors)
            return None
        self._cache[key] = composed
        return composed

    def _repositories(self, all_targets: list[str]) -> Iterator[RepositoryEntry]:
        seen: dict[tuple[str, str], Path] = {}  # where each was first configured (its line only for messages)
        for i, raw in enumerate(self.data.get("repositories") or []):
            path: Path = ("repositories", i)
            where = self.doc.where(path)
            name, pattern = raw.get("name"), raw.get("pattern")
            exclude = tuple(raw.get("exclude") or ())
            if name is not None and exclude:
                self.errors.append(f"{self.doc.where([*path, 'exclude'])}: 'exclude' only goes with 'pattern'")
            for glob, gpath in [(pattern, [*path, "pattern"])] + [
                (e, [*path, "exclude", j]) for j, e in enumerate(exclude)
            ]:
                if glob is None:
                    continue
                try:
                    glob_to_regex(glob)
                except GlobError as exc:
                    self.errors.append(f"{self.doc.where(gpath)}: {exc}")
            targets = self._entry_targets(raw, path, all_targets)
            label = name if name is not None else f"pattern {pattern}"
            identity = name if name is not None else f"pattern {pattern} exclude {sorted(exclude)}"
            for target in targets:
                if (target, identity) in seen:
                    what = "repository" if name is not None else "pattern"
                    first = self.doc.line_of(seen[(target, identity)])
                    self.errors.append(
                        f"{self.doc.where([*path, 'name' if name else 'pattern'])}: {what} {label!r} "
                        f"is already configured for target {target!r} at line {first}"
                    )
                seen.setdefault((target, identity), path)
            composed = self._compose(raw, path, label)
            if composed is None:
                continue
            for target in targets:
                yield RepositoryEntry(target, composed, where, name, pattern, exclude, bool(raw.get("adopt")), i)

    def _creation_templates(self, all_targets: list[str]) -> Iterator[CreationTemplate]:
        seen: dict[tuple[str, str], str] = {}
        for i, raw in enumerate(self.data.get("creation_templates") or []):
            path: Path = ("creation_templates", i)
            where = self.doc.where(path)
            prefix = raw["prefix"]
            targets = self._entry_targets(raw, path, all_targets)
            for target in targets:
                if (target, prefix) in seen:
                    self.errors.append(
                        f"{self.doc.where([*path, 'prefix'])}: creation template prefix {prefix!r} "
                        f"is already configured for target {target!r} at {seen[(target, prefix)]}"
                    )
                seen.setdefault((target, prefix), f"line {self.doc.line_of(path)}")
            composed = self._compose(raw, path, f"creation template {prefix}")
            if composed is None:
                continue
            applied_for = tuple(sorted(raw.get("applied_for") or DEFAULT_APPLIED_FOR))
            for target in targets:
                yield CreationTemplate(target, prefix, applied_for, composed, where, raw.get("description"))


def _recipe(spec: EntrySpec) -> str:
    """What an entry asks for, as text: entries asking for the same get the same composed policy."""
    return stable_json(
        [
            [(u.name, {k: v.value for k, v in u.params.items()}) for u in spec.uses],
            {k: v.value for k, v in spec.params.items()},
            {k: v.value for k, v in spec.default_params.items()},
            [plain(r) for r, _ in spec.inline_rules],
            sorted(spec.ignore),
        ]
    )


def _ignores(raw: dict[str, Any]) -> dict[str, str]:
    """``ignore: [{code, reason}]`` as code -> reason."""
    return {item["code"]: item["reason"] for item in raw.get("ignore") or ()}


def _steps(path: str) -> list[str | int]:
    """``repositories[3].exclude[0]`` -> ``["repositories", 3, "exclude", 0]``."""
    steps: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        steps.append(name if name else int(index))
    return steps


def _params(raw: Any, path: Path) -> dict[str, ParamValue]:
    if not isinstance(raw, dict):
        return {}
    return {k: ParamValue(plain(v), (*path, k)) for k, v in raw.items()}


def _plan(target: Target, repositories: list[RepositoryEntry], creation: list[CreationTemplate]) -> TargetPlan:
    mine = [r for r in repositories if r.target == target.name]
    named = {r.name: r.composed.key for r in sorted(mine, key=lambda r: r.name or "") if r.name is not None}
    patterns = tuple(p for p in (r.as_pattern() for r in mine) if p is not None)
    templates = tuple(sorted((c for c in creation if c.target == target.name), key=lambda c: c.prefix))
    texts = {r.composed.key: r.composed.text for r in mine}
    texts.update((c.composed.key, c.composed.text) for c in templates)
    return TargetPlan(
        target=target,
        named=named,
        patterns=patterns,
        policies=dict(sorted(texts.items())),
        creation_templates=templates,
        adopt=tuple(sorted(r.name for r in mine if r.adopt and r.name is not None)),
    )
