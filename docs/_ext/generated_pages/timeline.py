"""The timeline of a pathway: an inline SVG (no script) of its measured steps on a line, with
each time limit drawn as an arc between two steps.

The steps are ordered by the time limits that connect them (not to scale); arcs are stacked in
levels so that overlapping ones do not cross. A filled dot marks a step whose 9327 code is
confirmed, a hollow dot one whose mapping is unconfirmed, a square a step no code marks.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from heapq import heapify, heappop, heappush

from pakkeforlop.data import pathways as pathways_module

#: Distance between two steps, margin left and right, and the gaps between the arcs' levels.
STEP = 105
MARGIN = 60
AXIS_GAP = 30
LEVEL_GAP = 28
#: The narrowest picture.
MIN_WIDTH = 360


def days(value: pathways_module.DayRange | None) -> str:
    """A time limit in days, or ``unknown``."""
    return "unknown" if value is None else f"{value} d"


def timeline_svg(
    pathway: pathways_module.Pathway, anchors: Mapping[str, pathways_module.Anchor]
) -> str:
    """The pathway's measured steps on a line, with each time limit as an arc between two."""
    steps = _ordered_steps(pathway, anchors)
    position = {step: index for index, step in enumerate(steps)}
    arcs, levels = _stack(pathway.time_limits, position)
    frame = _Frame.around(len(steps), levels)
    ident = f"pf-timeline-{pathway.code.lower()}"
    letters = {c.code[3:]: c.code for c in pathway.event_codes}
    parts = _head(pathway, frame, ident)
    if len(steps) > 1:
        parts.append(
            f'<line class="pf-axis" x1="{MARGIN - 30}" y1="{frame.axis}" '
            f'x2="{frame.width - MARGIN + 30}" y2="{frame.axis}" stroke="currentColor" '
            'stroke-opacity="0.45" stroke-width="2"/>'
        )
    for arc in arcs:
        parts.extend(_arc(arc, frame, position, ident))
    for index, step in enumerate(steps):
        parts.extend(_step(anchors[step], _x(index), frame, pathway.code, letters))
    if not pathway.time_limits:
        parts.append(
            f'<text x="{MARGIN + 40}" y="{frame.axis - 30}" fill="currentColor" '
            f'font-style="italic">Time limits {html.escape(pathway.time_limits_status.value)}: '
            "no interval is drawn.</text>"
        )
    parts.append("</svg></div>")
    return "\n".join(parts)


# -- the order of the steps -------------------------------------------------------------------


def _ordered_steps(
    pathway: pathways_module.Pathway, anchors: Mapping[str, pathways_module.Anchor]
) -> list[str]:
    """The steps the time limits connect, each after the steps it is measured from; ties (and
    a cycle) in the order of anchors.toml."""
    order = {anchor_id: index for index, anchor_id in enumerate(anchors)}
    nodes = {"pathway-start"} if "pathway-start" in anchors else set()
    edges: dict[str, set[str]] = {}
    for limit in pathway.time_limits:
        nodes.update((limit.from_anchor, limit.to_anchor))
        edges.setdefault(limit.from_anchor, set()).add(limit.to_anchor)
    result = _topological(nodes, edges, lambda node: order.get(node, len(order)))
    if len(result) != len(nodes):  # a cycle: fall back to the order of anchors.toml
        result = sorted(nodes, key=lambda node: order.get(node, len(order)))
    return result


def _topological(
    nodes: set[str], edges: Mapping[str, set[str]], rank: Callable[[str], int]
) -> list[str]:
    """Kahn's algorithm, always taking the ready node of the lowest rank (self-loops ignored);
    a cycle leaves its nodes out."""
    incoming = dict.fromkeys(nodes, 0)
    for source, targets in edges.items():
        for target in targets - {source}:
            incoming[target] += 1
    ready = [(rank(node), node) for node in nodes if incoming[node] == 0]
    heapify(ready)
    result: list[str] = []
    while ready:
        _, node = heappop(ready)
        result.append(node)
        for target in sorted(edges.get(node, set()) - {node}):
            incoming[target] -= 1
            if incoming[target] == 0:
                heappush(ready, (rank(target), target))
    return result


# -- the arcs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Arc:
    """A time limit placed between two step positions, on a level above the axis."""

    level: int
    start: int
    end: int
    limit: pathways_module.TimeLimit


def _stack(
    limits: Sequence[pathways_module.TimeLimit], position: Mapping[str, int]
) -> tuple[list[_Arc], int]:
    """Each limit on the lowest level free for it, shortest first; (arcs, number of levels)."""
    spans = []
    for limit in limits:
        start, end = sorted((position[limit.from_anchor], position[limit.to_anchor]))
        spans.append((start, end, limit))
    spans.sort(key=lambda span: (span[1] - span[0], span[0]))
    levels: list[list[tuple[int, int]]] = []
    arcs = []
    for start, end, limit in spans:
        level = 0
        while level < len(levels) and any(_clash((start, end), other) for other in levels[level]):
            level += 1
        if level == len(levels):
            levels.append([])
        levels[level].append((start, end))
        arcs.append(_Arc(level, start, end, limit))
    return arcs, len(levels)


def _clash(span: tuple[int, int], other: tuple[int, int]) -> bool:
    """Whether two spans overlap (touching ends do not) or are the same."""
    (start, end), (other_start, other_end) = span, other
    return (start < other_end and other_start < end) or (start == other_start and end == other_end)


def _limit_label(limit: pathways_module.TimeLimit) -> str:
    out = "\u2013" if limit.outpatient is None else f"{limit.outpatient}"
    inp = "\u2013" if limit.inpatient is None else f"{limit.inpatient}"
    text = f"{out} d" if out == inp else f"{out} · {inp} d"
    return f"{limit.variant}: {text}" if limit.variant else text


def _arc(arc: _Arc, frame: _Frame, position: Mapping[str, int], ident: str) -> list[str]:
    """The arc of one time limit (an arrow from its start step to its end step) and its label."""
    limit = arc.limit
    x1, x2 = _x(arc.start), _x(arc.end)
    y = frame.axis - AXIS_GAP - LEVEL_GAP * arc.level + 8
    if limit.from_anchor == limit.to_anchor or x1 == x2:
        x2 = x1 + 40
    forward = position[limit.from_anchor] <= position[limit.to_anchor]
    a, b = (x1, x2) if forward else (x2, x1)
    # arcs that share a step keep their legs apart
    shift = 5 * arc.level
    a, b = (a + shift, b - shift) if a < b else (a - shift, b + shift)
    dash = ' stroke-dasharray="5 4"' if limit.evidence.value != "confirmed" else ""
    return [
        f'<path class="pf-limit" d="M{a},{frame.axis - 8} L{a},{y} L{b},{y} L{b},{frame.axis - 8}" '
        f'fill="none" stroke="currentColor" stroke-width="1.5"{dash} '
        f'marker-end="url(#{ident}-arrow)"><title>{html.escape(limit.label)}: outpatient '
        f"{days(limit.outpatient)}, inpatient {days(limit.inpatient)} "
        f"({html.escape(limit.evidence.value)})</title></path>",
        f'<text x="{(x1 + x2) / 2}" y="{y - 5}" text-anchor="middle" fill="currentColor" '
        f'font-weight="600">{html.escape(_limit_label(limit))}</text>',
    ]


# -- the picture and the steps --------------------------------------------------------------


@dataclass(frozen=True)
class _Frame:
    """The picture's size and the height of its axis."""

    axis: int
    width: int
    height: int

    @classmethod
    def around(cls, steps: int, levels: int) -> _Frame:
        axis = 12 + LEVEL_GAP * max(levels, 1) + AXIS_GAP
        width = max(2 * MARGIN + STEP * max(steps - 1, 0), MIN_WIDTH)
        return cls(axis, width, axis + 85)


def _x(index: int) -> int:
    """Where the ``index``-th step (and an arc's end there) is drawn."""
    return MARGIN + STEP * index


def _head(pathway: pathways_module.Pathway, frame: _Frame, ident: str) -> list[str]:
    """The opening of the SVG: its size, title, description and the arrowhead."""
    title = f"Timeline of pathway {pathway.code}"
    if pathway.time_limits:
        desc = "; ".join(
            f"{limit.label}: outpatient {days(limit.outpatient)}, inpatient "
            f"{days(limit.inpatient)}" + (f" ({limit.variant})" if limit.variant else "")
            for limit in pathway.time_limits
        )
    else:
        desc = f"No time limits are known for {pathway.code}."
    width, height = frame.width, frame.height
    return [
        f'<div class="pf-timeline"><svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" font-size="12">',
        f'<title id="{ident}-title">{html.escape(title)}</title>',
        f'<desc id="{ident}-desc">{html.escape(desc)}</desc>',
        f'<defs><marker id="{ident}-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="currentColor"/></marker></defs>',
    ]


def _step(
    anchor: pathways_module.Anchor,
    x: int,
    frame: _Frame,
    pathway_code: str,
    letters: Mapping[str, str],
) -> list[str]:
    """A step's mark on the axis, its label (up to three lines) and the code that marks it."""
    axis = frame.axis
    if anchor.event is None:
        parts = [
            f'<rect x="{x - 6}" y="{axis - 6}" width="12" height="12" fill="none" '
            'stroke="currentColor" stroke-width="2"/>'
        ]
    else:
        filled = "currentColor" if anchor.evidence.value == "confirmed" else "none"
        parts = [
            f'<circle cx="{x}" cy="{axis}" r="6" fill="{filled}" stroke="currentColor" '
            'stroke-width="2"/>'
        ]
    lines = _wrap(anchor.label)
    parts.extend(
        f'<text x="{x}" y="{axis + 24 + 15 * number}" text-anchor="middle" '
        f'fill="currentColor">{html.escape(line)}</text>'
        for number, line in enumerate(lines)
    )
    parts.append(
        f'<text x="{x}" y="{axis + 24 + 15 * len(lines) + 2}" text-anchor="middle" '
        f'fill="currentColor" fill-opacity="0.7" font-size="11">'
        f"{html.escape(_caption(anchor, pathway_code, letters))}</text>"
    )
    return parts


def _caption(anchor: pathways_module.Anchor, pathway_code: str, letters: Mapping[str, str]) -> str:
    """The code that marks a step (``D11A (first)``, ``D11C… (first)``), or that none does."""
    if not anchor.event:
        return "no code"
    marking = [code for letter, code in letters.items() if letter.startswith(anchor.event)]
    if not marking:
        return f"no {pathway_code}{anchor.event} code"
    shown = f"{pathway_code}{anchor.event}" + ("…" if len(marking) > 1 else "")
    return f"{shown} ({anchor.occurrence})"


def _wrap(text: str, width: int = 14) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines[:3] or [""]
