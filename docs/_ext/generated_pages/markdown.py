"""Markdown (MyST) building blocks of the generated pages: escaped text, links, tables, JSON.

Every function returns Markdown text that is safe to paste into a page: the data's own text is
escaped (except its `code spans` and URLs, which stay code and links), and cross-references use
explicit labels so that nitpicky mode checks them.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

#: Where a JSON example in a table is cut.
EXAMPLE_WIDTH = 60

_SPECIAL = set("\\`*_{}[]<>()#+-!|~^$&:")
_URL = re.compile(r"https?://[^\s<>\"'`]+")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)


def escape_plain(text: str) -> str:
    """Text with every Markdown special character escaped."""
    return "".join("\\" + char if char in _SPECIAL else char for char in text)


def _escape_with_links(text: str) -> str:
    out: list[str] = []
    position = 0
    for match in _URL.finditer(text):
        url = match.group(0)
        trailing = ""
        while url and url[-1] in ".,;:!?)]":
            # a closing parenthesis belongs to the URL only when it opened one
            if url[-1] == ")" and url.count("(") >= url.count(")"):
                break
            trailing = url[-1] + trailing
            url = url[:-1]
        out.append(escape_plain(text[position : match.start()]))
        out.append(f"<{url}>")
        out.append(escape_plain(trailing))
        position = match.end()
    out.append(escape_plain(text[position:]))
    return "".join(out)


def inline(text: object) -> str:
    """Text as one line of Markdown: literal, except `code spans` and autolinked URLs."""
    value = " ".join(str(text).split())
    out: list[str] = []
    position = 0
    for match in _CODE_SPAN.finditer(value):
        out.append(_escape_with_links(value[position : match.start()]))
        out.append(code(match.group(2).strip() or match.group(2)))
        position = match.end()
    out.append(_escape_with_links(value[position:]))
    result = "".join(out)
    # "1. " or "1) " at the start of a line would begin a list
    return re.sub(r"^([0-9]+)([.)])(?=\s|$)", r"\1\\\2", result)


def paragraphs(text: str) -> str:
    """Text with blank-line separated paragraphs as Markdown paragraphs."""
    parts = [part for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]
    return "\n\n".join(inline(part) for part in parts)


def code(text: object) -> str:
    """A code span holding ``text`` literally."""
    value = str(text)
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") or not value.strip() else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def ref(label: str, title: str) -> str:
    """A Sphinx cross-reference to an explicit label (checked in nitpicky mode)."""
    clean = re.sub(r"[`<>]", "", title).strip() or label
    return f"{{ref}}`{clean} <{label}>`"


def doc_link(docname: str, title: str) -> str:
    """A Sphinx cross-reference to a document by absolute docname."""
    clean = re.sub(r"[`<>]", "", title).strip() or docname
    return f"{{doc}}`{clean} </{docname}>`"


def raw_link(href: str, text: str) -> str:
    """A plain HTML link, for targets Sphinx does not know (downloads, code rows)."""
    return f'<a class="reference external" href="{html.escape(href)}">{html.escape(text)}</a>'


def href(from_docname: str, site_path: str) -> str:
    """The relative URL from the page of ``from_docname`` to ``site_path`` (site-root based)."""
    return posixpath.relpath(site_path, posixpath.dirname(from_docname) or ".")


def link_or_text(text: str, url: str | None) -> str:
    """A Markdown link when there is a URL, else the text."""
    if not url:
        return inline(text)
    return f"[{inline(text)}]({url})"


def list_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    widths: Sequence[int] | None = None,
    classes: str = "",
) -> str:
    """A MyST list-table; cells are Markdown (already escaped). No rows: a "None." line."""
    rows = list(rows)
    if not rows:
        return "*None.*"
    lines = [":::{list-table}", ":header-rows: 1"]
    lines.append(f":widths: {' '.join(map(str, widths))}" if widths else ":widths: auto")
    lines.append(f":class: {' '.join(['pf-table', *classes.split()])}")
    lines.append("")
    for row in [list(headers), *[list(row) for row in rows]]:
        for index, cell in enumerate(row):
            content = cell.strip() or "—"
            content = content.replace("\n", "\n    ")
            lines.append(f"{'* -' if index == 0 else '  -'} {content}")
    lines.append(":::")
    return "\n".join(lines)


def field_list(items: Iterable[tuple[str, str]]) -> str:
    """A MyST field list (rendered as a two-column definition table)."""
    return "\n".join(f":{name}: {value}" for name, value in items if value)


def raw_html(markup: str) -> str:
    """A raw HTML block."""
    return "```{raw} html\n" + markup.strip() + "\n```"


def fenced(language: str, text: str) -> str:
    """A fenced code block, its fence longer than any run of backticks in ``text``."""
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=2)
    fence = "`" * (longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"


def toctree(entries: Sequence[str], *, hidden: bool = False, maxdepth: int = 1) -> str:
    """A toctree of absolute docnames."""
    options = [f":maxdepth: {maxdepth}"]
    if hidden:
        options.append(":hidden:")
    return "```{toctree}\n" + "\n".join(options) + "\n\n" + "\n".join(entries) + "\n```"


def enum_doc(enum: type[Enum]) -> str:
    """An enum's docstring as Markdown (the loaders' docstrings are the definitions)."""
    doc = (enum.__doc__ or "").strip()
    lines = doc.splitlines()
    first, rest = lines[0] if lines else enum.__name__, "\n".join(lines[1:])
    rest = re.sub(r"``([^`]+)``", r"`\1`", rest)
    body = "\n".join(line[4:] if line.startswith("    ") else line for line in rest.splitlines())
    return f"**{inline(enum.__name__)}.** {inline(first)}\n\n{body.strip()}".strip()


def json_value(value: Any, width: int = EXAMPLE_WIDTH) -> str:
    """A JSON value as compact text, shortened to ``width`` characters."""
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= width else text[: width - 1] + "…"


def slug(text: str) -> str:
    """A lower-case HTML id fragment."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def _json_default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(value)
    if isinstance(value, Enum):
        return value.value
    msg = f"cannot render {type(value).__name__} as JSON"
    raise TypeError(msg)


def to_json(value: Any) -> str:
    """Pretty JSON with dates as ISO strings."""
    return json.dumps(value, ensure_ascii=False, indent=2, default=_json_default) + "\n"
