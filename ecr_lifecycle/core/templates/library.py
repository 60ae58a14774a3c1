"""Load the template library: one YAML file per template, checked against ``template.schema.json``."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from ecr_lifecycle.core.jsonschema_errors import packaged_schema, schema_errors
from ecr_lifecycle.core.sourcefile import Document, SourceError, load_yaml, read_file
from ecr_lifecycle.core.templates.expand import placeholders


@dataclass(frozen=True)
class Template:
    """A parameterised list of rules. ``parameters`` maps a name to its JSON Schema."""

    name: str
    doc: Document
    description: str
    parameters: dict[str, dict[str, Any]]
    rules: tuple[Any, ...]
    ignore: dict[str, str] = field(default_factory=dict)  # warning code -> reason, for this template's rules

    @property
    def params_schema(self) -> dict[str, Any]:
        required = sorted(k for k, v in self.parameters.items() if "default" not in v)
        return {"type": "object", "properties": self.parameters, "required": required}

    def defaults(self) -> dict[str, Any]:
        return {k: v["default"] for k, v in self.parameters.items() if "default" in v}


@dataclass(frozen=True)
class Library:
    templates: dict[str, Template]
    broken: dict[str, list[str]]  # templates that do not load, by name: their errors (fail only their users)


def shipped_dir() -> str | None:
    """The templates shipped with the tool: in the installed package, or this checkout's ``policies/``."""
    package = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    installed = os.path.join(package, "builtin_policies")
    if os.path.isdir(installed):
        return installed
    checkout = os.path.dirname(package)
    if os.path.isfile(os.path.join(checkout, "stacks", "app.py")) and os.path.isdir(os.path.join(checkout, "policies")):
        return os.path.join(checkout, "policies")
    return None


def load_templates(own_dir: str, *, own_required: bool) -> Library:
    """The shipped templates with a config's own folder on top: an own template replaces a shipped one of
    the same name (broken or not, since it is the one the config's author meant). A missing own folder is
    an error only when the config names it."""
    shipped = shipped_dir()
    if shipped is not None and os.path.realpath(shipped) == os.path.realpath(own_dir):
        return load_library(own_dir)
    base = load_library(shipped) if shipped is not None else Library({}, {})
    if not own_required and not os.path.lexists(own_dir):
        return base
    own = load_library(own_dir)
    mine = own.templates.keys() | own.broken.keys()
    templates = {k: v for k, v in base.templates.items() if k not in mine} | own.templates
    broken = {k: v for k, v in base.broken.items() if k not in mine} | own.broken
    return Library(dict(sorted(templates.items())), dict(sorted(broken.items())))


def load_library(directory: str) -> Library:
    """Every ``*.yaml`` in ``directory``, by file name without the extension. A template that does not
    load is kept aside with its errors: only the entries that use it fail."""
    try:
        names = sorted(n for n in os.listdir(directory) if n.endswith((".yaml", ".yml")))
        home = os.path.realpath(directory)
    except FileNotFoundError:
        raise SourceError([f"{directory}: policy template folder not found"], unreadable=True) from None
    except NotADirectoryError:
        raise SourceError([f"{directory}: not a folder"], unreadable=True) from None
    except OSError as exc:
        raise SourceError([f"{directory}: cannot read the template folder: {exc.strerror}"], unreadable=True) from None
    library: dict[str, Template] = {}
    broken: dict[str, list[str]] = {}
    schema = packaged_schema("ecr_lifecycle.core.templates", "template.schema.json")
    for file_name in names:
        path = os.path.join(directory, file_name)
        name = file_name.rsplit(".", 1)[0]
        try:
            # A template symlinked out of the folder (to /etc/..., say) would have its lines echoed in errors.
            if os.path.commonpath([home, os.path.realpath(path)]) != home:
                raise SourceError(
                    [f"{path}: a symlink out of the template folder; copy the template in instead"], unreadable=True
                )
            doc = load_yaml(path, read_file(path, "policy template"))
        except SourceError as exc:
            broken.setdefault(name, []).extend(exc.messages)
            continue
        errors = schema_errors(doc, schema) or _deeper_errors(doc)
        if name in library:
            errors.append(f"{path}:1: template {name!r} is defined twice (.yaml and .yml)")
        if errors:
            broken.setdefault(name, []).extend(errors)
            continue
        library[name] = Template(
            name=name,
            doc=doc,
            description=doc.data["description"],
            parameters=dict(doc.data.get("parameters") or {}),
            rules=tuple(doc.data["rules"]),
            ignore={item["code"]: item["reason"] for item in doc.data.get("ignore") or ()},
        )
    for name in broken:
        library.pop(name, None)  # a .yaml/.yml pair: neither is trusted
    return Library(library, broken)


def _deeper_errors(doc: Document) -> list[str]:
    """Checks that assume the schema's shape: each parameter's own schema and default, and placeholders."""
    import jsonschema

    errors: list[str] = []
    parameters = doc.data.get("parameters") or {}
    for pname, pschema in parameters.items():
        try:
            jsonschema.Draft202012Validator.check_schema(pschema)
        except jsonschema.SchemaError as exc:
            errors.append(f"{doc.where(['parameters', pname])}: not a valid JSON Schema: {exc.message}")
        else:
            if "default" in pschema:
                bad = jsonschema.Draft202012Validator(pschema).iter_errors(pschema["default"])
                errors.extend(f"{doc.where(['parameters', pname, 'default'])}: {e.message}" for e in bad)
    declared = set(parameters)
    for i, rule in enumerate(doc.data["rules"]):
        for missing in sorted(placeholders(rule) - declared):
            errors.append(f"{doc.where(['rules', i])}: placeholder ${{{missing}}} is not a declared parameter")
    return errors
