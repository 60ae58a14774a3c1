"""GitHub-flavoured Markdown that untrusted strings cannot break out of.

Repository names, tags, rule descriptions and references come from configs, templates, live
registries and pull requests. In a comment they must stay text: no raw HTML (``</details>``,
``<img>``), no table cell escapes (``|``), no code span that ends early, no ``@mention``.
"""

from __future__ import annotations

import html
import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~])")
_MENTION = re.compile(r"@(?=[A-Za-z0-9])")


def code(value: str) -> str:
    """A code span holding ``value`` verbatim: a fence longer than any backtick run inside it.

    A ``|`` inside a code span still ends a table cell on GitHub, so it is escaped (GitHub drops the
    backslash there). Line breaks would end the table row; they become spaces."""
    value = value.replace("\r", " ").replace("\n", " ").replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") or not value.strip() else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def text(value: str) -> str:
    """Plain text: Markdown and HTML specials escaped, mentions neutralised, one line."""
    value = value.replace("\r", " ").replace("\n", " ")
    value = _SPECIAL.sub(r"\\\1", value)
    return _MENTION.sub("@\u200b", value)


def html_text(value: str) -> str:
    """Text inside an HTML element (``<summary>``): entities escaped, mentions neutralised, one line."""
    value = html.escape(value.replace("\r", " ").replace("\n", " "), quote=True)
    return _MENTION.sub("@\u200b", value)


def prose(value: str) -> str:
    """A line we composed around untrusted parts (which it may hold in code spans): no raw HTML,
    no mentions, one line. Inside a code span an entity shows literally, which is harmless."""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MENTION.sub("@\u200b", value.replace("\r", " ").replace("\n", " "))
