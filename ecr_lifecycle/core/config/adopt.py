"""Brownfield adoption: turn the live policies of existing registries into a config and templates.

Identical policies share one template; policies with the same rules but other numbers or
descriptions share one parameterised template. Repositories without a policy are listed,
never given one. Every imported repository is marked ``adopt: true`` so the first deploy
imports its existing ``aws_ecr_lifecycle_policy`` instead of replacing it.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

import yaml

from ecr_lifecycle.core.policy.check import check_policy_text
from ecr_lifecycle.core.policy.model import ARCHIVE_MINIMUM_DAYS, CountType, Policy
from ecr_lifecycle.core.policy.render import policy_to_dict

SCHEMA_COMMENT = "# yaml-language-server: $schema={schema}\n"


@dataclass
class Adoption:
    config: str
    templates: dict[str, str]  # file name -> YAML text
    imported: list[tuple[str, str]] = field(default_factory=list)  # (target, repository)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # (target, repository, why)
    without_policy: list[tuple[str, str]] = field(default_factory=list)


def _shape(policy: Policy) -> str:
    doc = policy_to_dict(policy)
    for rule in doc["rules"]:
        rule["selection"]["countNumber"] = 0
        rule.pop("description", None)
    return json.dumps(doc, sort_keys=True)


def build_adoption(targets: list[dict[str, Any]], live: dict[str, dict[str, str | None]], schema: str) -> Adoption:
    """``targets``: the raw target entries to write; ``live``: target -> repository -> policy text or None."""
    result = Adoption(config="", templates={})
    members: dict[str, list[tuple[str, str, Policy]]] = {}
    for target in sorted(live):
        for repository, text in sorted(live[target].items()):
            if text is None:
                result.without_policy.append((target, repository))
                continue
            checked = check_policy_text(text)
            if checked.policy is None:
                first = checked.errors[0]
                result.skipped.append((target, repository, f"{first.code} {first.path}: {first.message}"))
                continue
            members.setdefault(_shape(checked.policy), []).append((target, repository, checked.policy))

    repositories: list[dict[str, Any]] = []
    for number, group in enumerate(members.values(), 1):
        name = f"imported-{number}"
        template, params_of = _template(group, name)
        result.templates[f"{name}.yaml"] = SCHEMA_COMMENT.format(
            schema="../" + _template_schema(schema)
        ) + yaml.safe_dump(template, sort_keys=False, width=120)
        for target, repository, policy in group:
            entry: dict[str, Any] = {"name": repository, "targets": [target], "templates": [name]}
            params = params_of(policy)
            if params:
                entry["params"] = params
            entry["adopt"] = True
            repositories.append(entry)
            result.imported.append((target, repository))
    repositories.sort(key=lambda e: (e["targets"][0], e["name"]))

    doc: dict[str, Any] = {"version": 1, "policies_dir": "policies", "targets": targets}
    if repositories:
        doc["repositories"] = repositories
    text = SCHEMA_COMMENT.format(schema=schema)
    text += "# Written by `python -m ecr_lifecycle import` from the live registries.\n"
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


def _template(group: list[tuple[str, str, Policy]], name: str) -> tuple[dict[str, Any], Any]:
    docs = [policy_to_dict(p) for _, _, p in group]
    rules = copy.deepcopy(docs[0]["rules"])
    parameters: dict[str, Any] = {}
    varying: list[tuple[int, str, str]] = []  # (rule index, key, parameter name)
    for i, rule in enumerate(rules):
        priority = rule["rulePriority"]
        counts = {d["rules"][i]["selection"]["countNumber"] for d in docs}
        if len(counts) > 1:
            pname = f"count_{priority}"
            archive_age = rule["selection"]["countType"] == CountType.SINCE_IMAGE_TRANSITIONED.value
            minimum = ARCHIVE_MINIMUM_DAYS if archive_age else 1
            parameters[pname] = {
                "type": "integer",
                "minimum": minimum,
                "description": f"countNumber of rule {priority}",
            }
            rule["selection"]["countNumber"] = "${" + pname + "}"
            varying.append((i, "countNumber", pname))
        descriptions = {d["rules"][i].get("description", "") for d in docs}
        if len(descriptions) > 1:
            pname = f"description_{priority}"
            parameters[pname] = {"type": "string", "description": f"description of rule {priority}"}
            rule["description"] = "${" + pname + "}"
            varying.append((i, "description", pname))
        elif "$" in rule.get("description", ""):
            rule["description"] = rule["description"].replace("${", "$${")
    places = sorted({f"{t}: {r}" for t, r, _ in group})
    template: dict[str, Any] = {
        "description": f"Imported: the policy of {len(group)} repositor{'y' if len(group) == 1 else 'ies'} "
        f"({', '.join(places[:3])}{', ...' if len(places) > 3 else ''})"
    }
    if parameters:
        template["parameters"] = parameters
    template["rules"] = rules

    def params_of(policy: Policy) -> dict[str, Any]:
        doc = policy_to_dict(policy)
        out: dict[str, Any] = {}
        for i, key, pname in varying:
            r = doc["rules"][i]
            out[pname] = r["selection"]["countNumber"] if key == "countNumber" else r.get("description", "")
        return out

    return template, params_of
