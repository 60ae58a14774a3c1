"""Brownfield adoption: turn the live policies of existing registries into a config and templates.

In order of preference, each live policy becomes:

1. a composition of library templates (``untagged-cleanup`` + ``keep-last`` with ``days: 7``), found by
   matching the templates' rules against the live rules and proved by composing them again;
2. an imported template shared by every policy of the same shape, whose varying numbers, descriptions
   and single tag-list entries become parameters named after what they set (``keep``, ``days``, ``prefix``).

Repositories of one target that get the same recipe and share a first path segment fold into one
pattern entry (``team-a/**``), with an ``exclude`` for the repositories under it that have no policy,
when that reproduces the live registry exactly. Repositories without a policy and live policies our
validator refuses are listed in comments, never invented. Every entry is marked ``adopt: true`` so the
first deploy imports the existing policies instead of replacing them.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from ecr_lifecycle.core.config.compose import ComposeError, EntrySpec, ParamValue, TemplateUse, compose
from ecr_lifecycle.core.config.matching import glob_matches
from ecr_lifecycle.core.policy.check import check_policy_text
from ecr_lifecycle.core.policy.equivalence import equivalent_policy_texts
from ecr_lifecycle.core.policy.model import ARCHIVE_MINIMUM_DAYS, CountType, Policy
from ecr_lifecycle.core.policy.render import policy_to_dict
from ecr_lifecycle.core.sourcefile import Document
from ecr_lifecycle.core.templates.library import Template

SCHEMA_COMMENT = "# yaml-language-server: $schema={schema}\n"
MAX_TEMPLATES_PER_POLICY = 4
_PLACEHOLDER = re.compile(r"\$\{([a-z_][a-z0-9_]*)\}")


@dataclass(frozen=True)
class Recipe:
    """How a policy is written in the config: templates in order, with the parameters each one gets."""

    uses: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.uses)


@dataclass
class Adoption:
    config: str
    templates: dict[str, str]  # file name -> YAML text (imported templates and the library ones used)
    imported: list[tuple[str, str]] = field(default_factory=list)  # (target, repository)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # (target, repository, why)
    without_policy: list[tuple[str, str]] = field(default_factory=list)
    entries: int = 0
    patterns: int = 0
    reused: tuple[str, ...] = ()  # library templates the config uses


# -- 1. library compositions ---------------------------------------------------------------------------


def _bind(name: str, value: Any, bindings: dict[str, Any], template: Template) -> bool:
    kind = template.parameters.get(name, {}).get("type")
    if kind == "integer" and isinstance(value, str):
        if not value.isdigit():
            return False
        value = int(value)
    if name in bindings and bindings[name] != value:
        return False
    bindings[name] = value
    return True


def _unify(pattern: Any, live: Any, bindings: dict[str, Any], template: Template) -> bool:
    """Whether a template's raw rule can produce the live rule, binding its placeholders on the way."""
    if isinstance(pattern, str):
        whole = _PLACEHOLDER.fullmatch(pattern)
        if whole:
            return _bind(whole.group(1), live, bindings, template)
        if "${" not in pattern:
            return bool(pattern == live)
        if not isinstance(live, str):
            return False
        parts = _PLACEHOLDER.split(pattern)  # literal, name, literal, name, ...
        regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<p{i}>.+?)" for i, p in enumerate(parts))
        found = re.fullmatch(regex, live)
        return found is not None and all(
            _bind(parts[i], found.group(f"p{i}"), bindings, template) for i in range(1, len(parts), 2)
        )
    if isinstance(pattern, dict):
        keys = set(pattern) - {"rulePriority"}
        if not isinstance(live, dict) or keys != set(live) - {"rulePriority"}:
            return False
        return all(_unify(pattern[k], live[k], bindings, template) for k in keys)
    if isinstance(pattern, list):
        return (
            isinstance(live, list)
            and len(pattern) == len(live)
            and all(_unify(p, v, bindings, template) for p, v in zip(pattern, live, strict=True))
        )
    return bool(pattern == live)


def _covers(
    rules: list[dict[str, Any]], start: int, library: Mapping[str, Template], depth: int
) -> list[list[tuple[str, dict[str, Any]]]]:
    """Every way templates, in order, produce ``rules[start:]`` (at most ``depth`` templates)."""
    if start == len(rules):
        return [[]]
    if depth == 0:
        return []
    out = []
    for name, template in sorted(library.items()):
        k = len(template.rules)
        if k == 0 or start + k > len(rules):
            continue
        bindings: dict[str, Any] = {}
        if all(_unify(t, r, bindings, template) for t, r in zip(template.rules, rules[start : start + k], strict=True)):
            out += [[(name, bindings), *rest] for rest in _covers(rules, start + k, library, depth - 1)]
    return out


def _compose_recipe(recipe: Recipe, library: Mapping[str, Template]) -> str | None:
    doc = Document("<import>", {})
    uses = tuple(TemplateUse(name, (), {k: ParamValue(v, ()) for k, v in params}) for name, params in recipe.uses)
    try:
        return compose(EntrySpec((), uses, {}, {}, ()), doc, dict(library), "import").text
    except ComposeError:
        return None


def recognise(text: str, policy: Policy, library: Mapping[str, Template]) -> Recipe | None:
    """The library composition that reproduces ``text`` exactly (as the provider compares), if any."""
    rules = [policy_to_dict(policy)["rules"][i] for i in range(len(policy.rules))]
    for cover in _covers(rules, 0, library, MAX_TEMPLATES_PER_POLICY):
        uses = []
        for name, bindings in cover:
            defaults = library[name].defaults()
            kept = tuple(sorted((k, v) for k, v in bindings.items() if defaults.get(k, object()) != v))
            uses.append((name, kept))
        recipe = Recipe(tuple(uses))
        composed = _compose_recipe(recipe, library)
        if composed is not None and equivalent_policy_texts(composed, text):
            return recipe
    return None


# -- 2. imported templates -------------------------------------------------------------------------------

_KIND = {
    CountType.IMAGE_COUNT_MORE_THAN.value: "keep",
    CountType.SINCE_IMAGE_PUSHED.value: "days",
    CountType.SINCE_IMAGE_PULLED.value: "days_unpulled",
    CountType.SINCE_IMAGE_TRANSITIONED.value: "days_in_archive",
}


def _shape(policy: Policy) -> str:
    doc = policy_to_dict(policy)
    for rule in doc["rules"]:
        sel = rule["selection"]
        sel["countNumber"] = 0
        rule.pop("description", None)
        for key in ("tagPrefixList", "tagPatternList"):
            if len(sel.get(key, ())) == 1:
                sel[key] = [""]
    return json.dumps(doc, sort_keys=True)


def _qualifier(rule: dict[str, Any]) -> str:
    sel = rule["selection"]
    entries = sel.get("tagPrefixList") or sel.get("tagPatternList") or []
    if entries:
        word = re.sub(r"[^a-z0-9]+", "_", entries[0].lower()).strip("_")
        return word or "tagged"
    return str(sel["tagStatus"])


def _name_parameters(rules: list[dict[str, Any]], varying: list[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """Names after what each parameter sets; qualified by the rule's selection only where two would clash."""
    base = {}
    for i, what in varying:
        rule = rules[i]
        if what == "count":
            base[(i, what)] = _KIND[rule["selection"]["countType"]]
        elif what == "list":
            base[(i, what)] = "prefix" if "tagPrefixList" in rule["selection"] else "pattern"
        else:
            base[(i, what)] = "description"
    names = {}
    for key, name in base.items():
        clash = sum(1 for other in base.values() if other == name) > 1
        names[key] = f"{name}_{_qualifier(rules[key[0]])}" if clash else name
    if len(set(names.values())) < len(names):  # still the same: number them by rule
        names = {key: f"{name}_{key[0] + 1}" for key, name in names.items()}
    return names


def _imported_template(group: list[Policy], name: str) -> tuple[dict[str, Any], list[Recipe]]:
    docs = [policy_to_dict(p) for p in group]
    rules = copy.deepcopy(docs[0]["rules"])
    varying: list[tuple[int, str]] = []
    for i, rule in enumerate(rules):
        sel = rule["selection"]
        if len({d["rules"][i]["selection"]["countNumber"] for d in docs}) > 1:
            varying.append((i, "count"))
        key = "tagPrefixList" if "tagPrefixList" in sel else "tagPatternList" if "tagPatternList" in sel else None
        if key and len(sel[key]) == 1 and len({d["rules"][i]["selection"][key][0] for d in docs}) > 1:
            varying.append((i, "list"))
        if len({d["rules"][i].get("description", "") for d in docs}) > 1:
            varying.append((i, "description"))
    names = _name_parameters(rules, varying)
    parameters: dict[str, Any] = {}
    for (i, what), pname in names.items():
        rule, sel = rules[i], rules[i]["selection"]
        if what == "count":
            archive = sel["countType"] == CountType.SINCE_IMAGE_TRANSITIONED.value
            unit = "images to keep" if sel["countType"] == CountType.IMAGE_COUNT_MORE_THAN.value else "days"
            parameters[pname] = {
                "type": "integer",
                "minimum": ARCHIVE_MINIMUM_DAYS if archive else 1,
                "description": f"{unit.capitalize()} (countNumber of rule {rule['rulePriority']})",
            }
            sel["countNumber"] = "${" + pname + "}"
        elif what == "list":
            key = "tagPrefixList" if "tagPrefixList" in sel else "tagPatternList"
            parameters[pname] = {"type": "string", "minLength": 1, "description": f"The tag {pname.split('_')[0]}"}
            sel[key] = ["${" + pname + "}"]
        else:
            parameters[pname] = {"type": "string", "description": f"Description of rule {rule['rulePriority']}"}
            rule["description"] = "${" + pname + "}"
    for i, rule in enumerate(rules):
        if (i, "description") not in names and "$" in rule.get("description", ""):
            rule["description"] = rule["description"].replace("${", "$${")
    template: dict[str, Any] = {
        "description": f"Imported: the policy of {len(group)} repositor{'y' if len(group) == 1 else 'ies'}"
    }
    if parameters:
        template["parameters"] = parameters
    template["rules"] = rules

    recipes = []
    for doc in docs:
        params = []
        for (i, what), pname in names.items():
            r = doc["rules"][i]
            if what == "count":
                value: Any = r["selection"]["countNumber"]
            elif what == "list":
                value = (r["selection"].get("tagPrefixList") or r["selection"]["tagPatternList"])[0]
            else:
                value = r.get("description", "")
            params.append((pname, value))
        recipes.append(Recipe(((name, tuple(sorted(params))),)))
    return template, recipes


# -- 3. folding into patterns ----------------------------------------------------------------------------


@dataclass
class _Entry:
    target: str
    recipe: Recipe
    name: str | None = None
    pattern: str | None = None
    exclude: tuple[str, ...] = ()
    members: tuple[str, ...] = ()


def _fold(target: str, recipes: dict[str, Recipe], all_names: set[str], min_members: int = 2) -> list[_Entry]:
    """Named entries, and patterns where one recipe owns every repository under a first segment."""
    by_group: dict[tuple[Recipe, str], list[str]] = {}
    for repository, recipe in recipes.items():
        if "/" in repository:
            by_group.setdefault((recipe, repository.split("/", 1)[0]), []).append(repository)
    folded: set[str] = set()
    entries = []
    for (recipe, segment), members in sorted(by_group.items(), key=lambda kv: kv[0][1]):
        if len(members) < min_members:
            continue
        glob = f"{segment}/**"
        under = {n for n in all_names if glob_matches(glob, n)}
        # Names under it with a policy of their own keep exact entries (an exact name beats a pattern);
        # names without one must be excluded, or the pattern would give them a policy.
        without = sorted(n for n in under if n not in recipes)
        if len(without) > max(2, len(members) // 4):
            continue
        entries.append(_Entry(target, recipe, pattern=glob, exclude=tuple(without), members=tuple(sorted(members))))
        folded.update(members)
    named = [_Entry(target, recipe, name=n, members=(n,)) for n, recipe in sorted(recipes.items()) if n not in folded]
    return named + entries


def _resolve(entries: list[_Entry], name: str) -> Recipe | None:
    for e in entries:
        if e.name == name:
            return e.recipe
    for e in entries:
        if (
            e.pattern is not None
            and glob_matches(e.pattern, name)
            and not any(glob_matches(x, name) for x in e.exclude)
        ):
            return e.recipe
    return None


# -- the config -----------------------------------------------------------------------------------------


def _entry_doc(entry: _Entry) -> dict[str, Any]:
    doc: dict[str, Any] = {"name": entry.name} if entry.name is not None else {"pattern": entry.pattern}
    if entry.exclude:
        doc["exclude"] = list(entry.exclude)
    doc["targets"] = [entry.target]
    shared: dict[str, Any] = {}
    conflict = False
    for _, params in entry.recipe.uses:
        for k, v in params:
            conflict |= k in shared and shared[k] != v
            shared[k] = v
    if conflict:
        doc["templates"] = [{"name": n, "params": dict(p)} if p else n for n, p in entry.recipe.uses]
    else:
        doc["templates"] = list(entry.recipe.names)
        if shared:
            doc["params"] = shared
    doc["adopt"] = True
    return doc


def build_adoption(
    targets: list[dict[str, Any]],
    live: dict[str, dict[str, str | None]],
    schema: str,
    library: Mapping[str, Template] | None = None,
    library_texts: Mapping[str, str] | None = None,
) -> Adoption:
    """``targets``: the raw target entries to write; ``live``: target -> repository -> policy text or None;
    ``library``: templates to recognise (their file texts in ``library_texts`` are copied for the config)."""
    library = library or {}
    result = Adoption(config="", templates={})
    recipes: dict[str, dict[str, Recipe]] = {}
    unrecognised: dict[str, list[tuple[str, str, Policy]]] = {}
    for target in sorted(live):
        recipes[target] = {}
        for repository, text in sorted(live[target].items()):
            if text is None:
                result.without_policy.append((target, repository))
                continue
            checked = check_policy_text(text)
            if checked.policy is None:
                first = checked.errors[0]
                result.skipped.append((target, repository, f"{first.code} {first.path}: {first.message}"))
                continue
            result.imported.append((target, repository))
            recipe = recognise(text, checked.policy, library) if library else None
            if recipe is not None:
                recipes[target][repository] = recipe
            else:
                unrecognised.setdefault(_shape(checked.policy), []).append((target, repository, checked.policy))

    taken = set(library)
    for number, group in enumerate(unrecognised.values(), 1):
        name = f"imported-{number}"
        while name in taken:
            number += 100
            name = f"imported-{number}"
        template, group_recipes = _imported_template([p for _, _, p in group], name)
        places = sorted({f"{t}: {r}" for t, r, _ in group})
        template["description"] += f" ({', '.join(places[:3])}{', ...' if len(places) > 3 else ''})"
        result.templates[f"{name}.yaml"] = SCHEMA_COMMENT.format(
            schema="../" + _template_schema(schema)
        ) + yaml.safe_dump(template, sort_keys=False, width=120)
        for (target, repository, _), recipe in zip(group, group_recipes, strict=True):
            recipes[target][repository] = recipe

    entries: list[_Entry] = []
    for target in sorted(recipes):
        folded = _fold(target, recipes[target], set(live[target]))
        if any(_resolve(folded, n) != recipes[target].get(n) for n in live[target]):
            folded = _fold(target, recipes[target], set(live[target]), min_members=10**9)  # not exact: no patterns
        entries += folded
    reused = sorted({n for e in entries for n in e.recipe.names if n in library})
    for name in reused:
        if library_texts and name in library_texts:
            result.templates[f"{name}.yaml"] = library_texts[name]
    result.reused = tuple(reused)
    result.entries = len(entries)
    result.patterns = sum(1 for e in entries if e.pattern is not None)

    repositories = [
        _entry_doc(e)
        for e in sorted(entries, key=lambda e: (e.pattern is not None, e.target, e.name or e.pattern or ""))
    ]
    doc: dict[str, Any] = {"version": 1, "policies_dir": "policies", "targets": targets}
    if repositories:
        doc["repositories"] = repositories
    covered = sum(len(e.members) for e in entries)
    text = SCHEMA_COMMENT.format(schema=schema)
    text += "# Written by `python -m ecr_lifecycle import` from the live registries:\n"
    text += f"# {len(entries)} entries cover {covered} repositories"
    text += f" ({result.patterns} patterns); library templates reused: {', '.join(reused) or 'none'}.\n"
    text += yaml.safe_dump(doc, sort_keys=False, width=120)
    if result.without_policy:
        text += "\n# Repositories without a lifecycle policy (left unmanaged):\n"
        text += "".join(f"#   {t}: {r}\n" for t, r in result.without_policy)
    if result.skipped:
        text += "\n# Repositories whose live policy fails validation (left unmanaged; fix them by hand):\n"
        text += "".join(f"#   {t}: {r}: {why}\n" for t, r, why in result.skipped)
    result.config = text
    return result


def _template_schema(config_schema: str) -> str:
    return config_schema.replace("config/schema/repositories.schema.json", "templates/template.schema.json")


__all__ = ["Adoption", "Recipe", "build_adoption", "recognise"]
