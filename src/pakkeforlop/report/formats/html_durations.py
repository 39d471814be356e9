"""The HTML report's time-limit section: per guiding time limit, the share of measured
intervals within the limit and the distribution of all their durations.

Every measured interval of every checked instance is counted (nothing is sampled), so the
section scales to large exports: one row per time limit, each with a bar of the share within
the limit and a histogram of the durations in days, with the limit marked. Time limits are
guidance (*veiledende forløpstider*), never a failure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from pakkeforlop.data.evidence import Evidence
from pakkeforlop.data.pathways import Pathway
from pakkeforlop.report.build import Report
from pakkeforlop.report.formats import plural, shown_instance
from pakkeforlop.report.redaction import clean
from pakkeforlop.rules.intervals import (
    Measurement,
    NotMeasurable,
    measure,
    not_measurable,
    number,
    pathway_of,
    percent,
)
from pakkeforlop.rules.summaries import percentile
from pakkeforlop.rules.summaries import summarise as summarise_measurements

__all__ = ["Duration", "durations", "section"]

#: Histogram bins: this many up to twice the limit, and one for everything longer.
BINS = 8


def _e(value: object) -> str:
    return escape(clean(str(value)), quote=True)


@dataclass(frozen=True, slots=True)
class Duration:
    """One measured interval, with the instance id as the report may show it."""

    instance: str
    measurement: Measurement

    @property
    def inferred(self) -> bool:
        """Whether an end of the interval is marked by an event code whose meaning is inferred."""
        return self.measurement.anchor_evidence is Evidence.UNCONFIRMED


def durations(report: Report) -> tuple[list[Duration], list[NotMeasurable]]:
    """Every measured interval of every checked instance (export order, then instance id), and
    the time-limit rows of the pathways seen that no export can measure."""
    found: list[Duration] = []
    seen: dict[str, Pathway] = {}
    for export in report.exports:
        for instance_id in sorted(export.instances):
            instance = export.instances[instance_id]
            pathway = pathway_of(instance)
            if pathway is None:
                continue
            seen.setdefault(pathway.code, pathway)
            shown = shown_instance(instance_id, masked=report.masked) or ""
            found.extend(Duration(shown, item) for item in measure(instance, pathway))
    unmeasurable = [row for code in sorted(seen) for row in not_measurable(seen[code])]
    return found, unmeasurable


def _share_bar(share: float) -> str:
    width = 160
    within = round(width * share, 1)
    return (
        f'<svg class="share" viewBox="0 0 {width} 14" width="{width}" height="14" role="img">'
        f"<title>{percent(share)} % within the limit</title>"
        f'<rect class="within" x="0" y="0" width="{within}" height="14"/>'
        f'<rect class="over" x="{within}" y="0" width="{width - within}" height="14"/></svg>'
    )


def _histogram(days: Sequence[int], limit: int) -> str:
    """Counts of durations in bins of a quarter of the limit up to twice it, and beyond."""
    step = max(limit * 2 / BINS, 1.0)
    counts = [0] * (BINS + 1)
    for value in days:
        counts[min(int(value / step), BINS)] += 1
    width, height, bar = 270, 40, 30
    tallest = max(counts) or 1
    parts = [
        f'<svg class="histogram" viewBox="0 0 {width} {height + 12}" width="{width}" '
        f'height="{height + 12}" role="img"><title>Durations in days: {len(days)} intervals, '
        f"limit {limit} days</title>"
    ]
    for index, count in enumerate(counts):
        high = height * count / tallest
        low = round(index * step)
        label = f"{low}+ days" if index == BINS else f"{low} to {round((index + 1) * step)} days"
        css = "over" if index * step >= limit else "within"
        parts.append(
            f'<rect class="{css}" x="{index * bar}" y="{height - high:.1f}" width="{bar - 2}" '
            f'height="{max(high, 0.5):.1f}"><title>{_e(label)}: {count}</title></rect>'
        )
    limit_x = bar * limit / step
    parts.append(
        f'<line class="limit" x1="{limit_x:.1f}" y1="0" x2="{limit_x:.1f}" y2="{height}"/>'
        f'<text x="{limit_x:.1f}" y="{height + 11}" text-anchor="middle">{limit}</text></svg>'
    )
    return "".join(parts)


def _rows(found: Sequence[Duration]) -> str:
    days: dict[tuple[str, str, str, int], list[int]] = {}
    for duration in found:
        item = duration.measurement
        days.setdefault((item.pathway, item.label, item.care_level, item.limit), []).append(
            item.days
        )
    rows = []
    for group in summarise_measurements(d.measurement for d in found):
        values = days.get((group.pathway, group.label, group.care_level, group.limit), [])
        inferred = " ≈" if group.anchor_evidence is Evidence.UNCONFIRMED else ""
        quartiles = (
            f"{percentile(values, 0.25)} / {_e(number(group.median))} / {percentile(values, 0.75)}"
            if values
            else "&#8211;"
        )
        rows.append(
            "<tr>"
            f"<td>{_e(group.pathway)} {_e(group.label)}{inferred}<br>"
            f'<span class="note">{_e(group.care_level)}, {_e(group.evidence.value)}</span></td>'
            f'<td class="num">{group.limit}</td><td class="num">{group.n}</td>'
            f"<td>{_share_bar(group.share_within)} "
            f'<span class="num">{group.n_within} ({percent(group.share_within)} %)</span></td>'
            f"<td>{_histogram(values, group.limit)}</td>"
            f'<td class="num">{quartiles}</td><td class="num">{group.p90}</td>'
            f'<td class="num">{group.max}</td><td class="num">{group.n_patient_delayed}</td></tr>'
        )
    return "".join(rows)


def _unmeasurable(rows: Sequence[NotMeasurable]) -> str:
    if not rows:
        return ""
    items = "".join(f"<li>{_e(row.pathway)} {_e(row.label)}: {_e(row.reason)}</li>" for row in rows)
    return (
        f"<details><summary>{_e(plural(len(rows), 'time limit'))} of these pathways cannot be "
        f"measured from an export</summary><ul>{items}</ul></details>"
    )


def section(report: Report, heading: str) -> str:
    """The time-limit section of the HTML report."""
    found, unmeasurable = durations(report)
    head = (
        f'<section id="durations"><h2>{_e(heading)}</h2>'
        '<p class="note">Every completed interval of every checked pathway instance, per '
        "guiding time limit (<i>veiledende forløpstid</i>) and care level: the share within "
        "the limit, and how the durations are spread (days; the line marks the limit). Time "
        "limits are guidance, never a failure. ≈ marks limits between steps whose event codes "
        "are inferred rather than confirmed.</p>"
    )
    if not found:
        return (
            head + '<p class="note">No interval could be measured: no checked instance has both '
            "ends of a known time limit dated.</p>" + _unmeasurable(unmeasurable) + "</section>"
        )
    table = (
        "<table><thead><tr><th>Time limit</th><th class=num>Limit (days)</th>"
        "<th class=num>Measured</th><th>Within the limit</th><th>Durations</th>"
        "<th class=num>Quartiles (days)</th><th class=num>p90</th><th class=num>Longest</th>"
        "<th class=num>Patient-delayed</th></tr></thead><tbody>" + _rows(found) + "</tbody></table>"
    )
    return (
        head
        + f'<p class="note">{_e(plural(len(found), "interval"))} measured.</p>'
        + table
        + _unmeasurable(unmeasurable)
        + "</section>"
    )
