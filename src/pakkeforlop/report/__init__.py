"""From results to reports: the report built once for every view, acceptance (selection,
waivers, baseline), fingerprints, masking, the output files and the formats.

:func:`build_report` and :class:`Report` are the entry points; ``formats`` renders a report.
"""

from __future__ import annotations

from pakkeforlop.report.build import Report, build_report

__all__ = ["Report", "build_report"]
