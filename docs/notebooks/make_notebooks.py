"""Write the site's notebooks (``*.ipynb`` beside this file) from the cells below.

The notebooks are committed without outputs: the documentation build executes every one of
them (myst-nb, ``nb_execution_mode = "force"``), so their outputs always come from the kit
as it is. Edit the cells here, then run::

    python docs/notebooks/make_notebooks.py

``tests/test_spec_chapters.py`` checks that the committed notebooks are valid nbformat v4
documents without outputs.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

#: Finds the repository from wherever the notebook runs (the docs build runs it in
#: docs/notebooks/; Jupyter may start it anywhere inside the checkout).
LOCATE = '''\
def repository_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` holding ``examples/valid``."""
    for folder in (start, *start.parents):
        if (folder / "examples" / "valid").is_dir():
            return folder
    msg = f"no examples/valid at or above {start}: run this inside a checkout"
    raise FileNotFoundError(msg)


ROOT = repository_root(Path.cwd())
EXAMPLES = ROOT / "examples"'''


def validate_an_export() -> nbformat.NotebookNode:
    """The notebook that checks a bundled export from Python."""
    cells = [
        new_markdown_cell(
            "# Validate an export from Python\n"
            "\n"
            "The `pakkeforlop check` command is a thin layer over two functions:\n"
            "`pakkeforlop.engine.check_export` checks one export folder and returns its "
            "findings, and `pakkeforlop.report.build_report` collects one or more results "
            "into the report every view renders (text, JSON, JUnit, HTML). This notebook "
            "calls them directly on the bundled examples, explores the findings by rule "
            "and severity, shows how personal data is masked, and follows a failing "
            "example to the documentation of the rule it breaks.\n"
            "\n"
            "What conforming means, and the difference between *passed* and *skipped*, is "
            "defined in {ref}`spec-conformance` and {ref}`spec-outcomes`."
        ),
        new_code_cell(
            "from collections import Counter\n"
            "from pathlib import Path\n"
            "\n"
            "import pakkeforlop\n"
            "from pakkeforlop.data.catalogue import catalogue\n"
            "from pakkeforlop.engine import check_export\n"
            "from pakkeforlop.report import build_report\n"
            "\n"
            f"{LOCATE}\n"
            "\n"
            'print("specification", pakkeforlop.SPEC_VERSION)\n'
            'sorted(folder.name for folder in (EXAMPLES / "valid").iterdir())'
        ),
        new_markdown_cell(
            "## Check one export\n"
            "\n"
            "An export is a folder with a `manifest.json`. `display_root` is how findings "
            "name the export's files; here, by the folder's name."
        ),
        new_code_cell(
            'export = EXAMPLES / "valid" / "d11-phv-adults-completed"\n'
            "result = check_export(export, display_root=export.name)\n"
            "report = build_report([result])\n"
            "\n"
            'print("documents:", result.documents, "| events:", result.events,\n'
            '      "| pathway instances:", len(result.instances))\n'
            'print("exit code:", report.exit_code, "(fail on", report.fail_on.value + ")")\n'
            "{severity.value: count for severity, count in report.counts.items()}"
        ),
        new_markdown_cell(
            "## Findings by rule and severity\n"
            "\n"
            "A finding is a small record: rule id, severity, file, JSON Pointer, line and "
            "column, and a message rendered on demand. The valid examples produce only "
            "*info* findings: synthetic test numbers recognised as such, and the measured "
            "time limits."
        ),
        new_code_cell(
            "rules = catalogue()\n"
            "by_rule = Counter((finding.rule, finding.severity.value) for finding in "
            "report.findings)\n"
            "for (rule_id, severity), count in sorted(by_rule.items()):\n"
            '    print(f"{rule_id:15} {severity:8} {count:3}  {rules[rule_id].title}")'
        ),
        new_code_cell(
            "first = report.findings[0]\n"
            "print(first.rule, first.severity.value, first.file, first.line, first.column,"
            " first.pointer)\n"
            "print(first.message())"
        ),
        new_markdown_cell(
            "## Passed, failed and skipped\n"
            "\n"
            "Every rule of the catalogue gets an outcome. A rule that nothing in the export "
            "exercised is *skipped*, with the reason, and never counted as passed."
        ),
        new_code_cell(
            "outcomes = Counter(result.outcome.value for result in report.rule_results)\n"
            "print(dict(outcomes))\n"
            "for rule_result in report.rule_results:\n"
            '    if rule_result.outcome.value == "skipped":\n'
            "        print(f\"{rule_result.rule.id}: {rule_result.reason.split(' (')[0]}\")"
        ),
        new_markdown_cell(
            "## Masking\n"
            "\n"
            "Reports mask personal data unless asked not to ({ref}`spec-masking`). The "
            "masking happens when a message is rendered, so the same finding can be shown "
            "both ways. This invalid example has a ten-digit (synthetic) person number, "
            "which breaks the referral schema; the message quotes the value."
        ),
        new_code_cell(
            'invalid = EXAMPLES / "invalid" / "referral-fnr-ten-digits"\n'
            "bad = build_report([check_export(invalid, display_root=invalid.name)])\n"
            'errors = [finding for finding in bad.findings if finding.severity.value == "error"]\n'
            "finding = errors[0]\n"
            'print(finding.rule, f"{finding.file}:{finding.line}", finding.pointer)\n'
            'print("masked:  ", finding.message())\n'
            'print("unmasked:", finding.message(masked=False))'
        ),
        new_markdown_cell(
            "## A failing export, and where its rule is documented\n"
            "\n"
            "Each bundled invalid example breaks one named requirement, and its "
            "`expected.toml` says which rule should fire, in which file and where. This one "
            "has a measurement point dated after the pathway's ending, which "
            "{ref}`PATHWAY-010 <pathway-010>` forbids ({ref}`spec-registration`). Every rule "
            "has a stable documentation URL (`Rule.url`), and every finding in the JSON "
            "report carries it."
        ),
        new_code_cell(
            "import tomllib\n"
            "\n"
            'failing = EXAMPLES / "invalid" / "event-after-ending"\n'
            'expected = tomllib.loads((failing / "expected.toml").read_text(encoding="utf-8"))\n'
            "failed = build_report([check_export(failing, display_root=failing.name)])\n"
            "\n"
            'print("exit code:", failed.exit_code)\n'
            "for finding in failed.findings:\n"
            "    if finding.severity.rank >= failed.fail_on.rank:\n"
            "        rule = rules[finding.rule]\n"
            '        print(f"{finding.file}:{finding.line} {finding.pointer} {finding.rule} "\n'
            '              f"({finding.severity.value}): {finding.message()}")\n'
            '        print("  rule:", rule.title, "|", rule.verb.value, "|", rule.evidence.value)\n'
            '        print("  documented at", rule.url)\n'
            'print("expected:", [(v["rule"], v["file"], v.get("line")) for v in '
            'expected["violations"]])'
        ),
        new_markdown_cell(
            "The JSON report is built from the same object, so a CI job can read the same "
            "facts without parsing text:"
        ),
        new_code_cell(
            "from pakkeforlop.report.formats import json_report\n"
            "\n"
            "document = json_report.as_json(failed)\n"
            'print(document["summary"])\n'
            '[item for item in document["findings"] if item["severity"] == "error"]'
        ),
        new_markdown_cell(
            "To run the same check in CI, with JUnit or HTML output, see {doc}`/guides/vendors`."
        ),
    ]
    return _notebook(cells)


def time_limit_compliance() -> nbformat.NotebookNode:
    """The notebook that measures the bundled examples against their time limits."""
    cells = [
        new_markdown_cell(
            "# Time-limit compliance\n"
            "\n"
            "Guiding time limits (*forløpstider*) run between the steps of a pathway: first "
            "attendance to clinical decision, decision to first evaluation, one evaluation "
            "to the next. They are guidance, never a reason to reject an export "
            "({ref}`spec-guidance`). This notebook reads the pathway events of a bundled "
            "export, builds its pathway instances with the engine, measures them with "
            "`pakkeforlop.rules.intervals.measure` across every valid example (summed up by "
            "`pakkeforlop.rules.summaries.summarise`), "
            "and plots each interval against its limit. How an interval is measured is "
            "specified in {ref}`spec-measuring`."
        ),
        new_code_cell(
            "import json\n"
            "from io import BytesIO\n"
            "from pathlib import Path\n"
            "\n"
            "import matplotlib\n"
            "\n"
            'matplotlib.use("Agg")  # no display: the figure is rendered to PNG below\n'
            "import matplotlib.pyplot as plt\n"
            "from IPython.display import Image, display\n"
            "\n"
            "from pakkeforlop.data import codes\n"
            "from pakkeforlop.data.pathways import pathways\n"
            "from pakkeforlop.engine import check_export, iter_exports\n"
            "from pakkeforlop.rules import intervals, summaries\n"
            "\n"
            f"{LOCATE}"
        ),
        new_markdown_cell(
            "## The events of one export\n"
            "\n"
            "Pathway events travel as NDJSON, one measurement point per line, declared in "
            "the export's manifest. Each has a kodeverk 9327 code, a date and a care level. "
            "This is the TSB example with an extended assessment: a first clinical decision "
            "`D01CU`, then the decision after the extended assessment."
        ),
        new_code_cell(
            'export = EXAMPLES / "valid" / "d01-tsb-outpatient-extended-assessment-completed"\n'
            'lines = (export / "events.ndjson").read_text(encoding="utf-8").splitlines()\n'
            "events = [json.loads(line) for line in lines if line.strip()]\n"
            'event_codes = codes.code_system("9327")\n'
            "for event in events:\n"
            '    code = event_codes.get(event["code"])\n'
            '    text = code.text if code else "(not in the code list)"\n'
            '    print(event["date"], f"{event[\'code\']:6}", f"{event[\'careLevel\']:10}", text)'
        ),
        new_markdown_cell(
            "## Pathway instances, built by the engine\n"
            "\n"
            "`check_export` reads every file once and keeps, per pathway instance, the "
            "compact state the pathway rules need: its events in date order and the dates of "
            "the referrals and epicrises that name it. `measure` takes one instance and the "
            "definition of its pathway type."
        ),
        new_code_cell(
            "result = check_export(export, display_root=export.name)\n"
            "instance = next(iter(result.instances.values()))\n"
            "pathway = intervals.pathway_of(instance)\n"
            'print(instance.id, pathway.code, "|", len(instance.events), "events")\n'
            "for item in intervals.measure(instance, pathway):\n"
            '    state = "within" if item.within else "OVER"\n'
            '    print(f"{item.measure} ({item.care_level})")\n'
            '    print(f"    {item.from_date} → {item.to_date}: {item.days} days, "\n'
            '          f"limit {item.limit}, {state}")'
        ),
        new_markdown_cell(
            "## Every valid example\n"
            "\n"
            "The same for all bundled valid exports. `summarise` groups the measurements "
            "per pathway, time limit and care level, as the {ref}`TIMELIMIT-002 "
            "<timelimit-002>` finding of a report does."
        ),
        new_code_cell(
            "measurements = []\n"
            "instances = []\n"
            'for folder in iter_exports(EXAMPLES / "valid"):\n'
            "    checked = check_export(folder, display_root=folder.name)\n"
            "    for item in checked.instances.values():\n"
            "        instances.append(item)\n"
            "        definition = intervals.pathway_of(item)\n"
            "        if definition is not None:\n"
            "            measurements.extend(intervals.measure(item, definition))\n"
            "\n"
            'print(len(instances), "instances,", len(measurements), "measured intervals")\n'
            "for summary in summaries.summarise(measurements):\n"
            '    print(f"{summary.pathway} {summary.measure} ({summary.care_level})")\n'
            '    print(f"    {summary.text()}")'
        ),
        new_markdown_cell(
            "## Durations against their limits\n"
            "\n"
            "One bar per measured interval, its length the days it took; the black tick is "
            "the guiding limit for the care level the interval ended in. Bars within the "
            "limit are blue, bars over it orange. Every bundled example keeps its limits; "
            "an export of your own will show where it does not."
        ),
        new_code_cell(
            "from matplotlib.lines import Line2D\n"
            "from matplotlib.patches import Patch\n"
            "\n"
            'WITHIN, OVER = "#3b6ea8", "#e07b24"\n'
            "# Pathways in code order, and each pathway's time limits in the order of its table.\n"
            "row_order = {\n"
            "    (definition.code, row.id): index\n"
            "    for definition in pathways().values()\n"
            "    for index, row in enumerate(definition.time_limits)\n"
            "}\n"
            "ordered = sorted(\n"
            "    measurements,\n"
            "    key=lambda m: (m.pathway, row_order[m.pathway, m.measure], m.from_date),\n"
            ")\n"
            "labels = [\n"
            "    f\"{m.pathway}  {m.measure.replace('-to-', ' → ')}  ({m.care_level})\"\n"
            "    for m in ordered\n"
            "]\n"
            "positions = list(range(len(ordered)))\n"
            "\n"
            "figure, axes = plt.subplots(figsize=(9.5, 0.3 * len(ordered) + 1.6))\n"
            "axes.barh(positions, [m.days for m in ordered], height=0.6,\n"
            "          color=[WITHIN if m.within else OVER for m in ordered])\n"
            'axes.scatter([m.limit for m in ordered], positions, marker="|", s=260,\n'
            '             color="black", linewidths=2, zorder=3)\n'
            "for index in range(1, len(ordered)):  # a thin line between pathways\n"
            "    if ordered[index].pathway != ordered[index - 1].pathway:\n"
            '        axes.axhline(index - 0.5, color="grey", linewidth=0.6)\n'
            "axes.set_yticks(positions, labels, fontsize=8)\n"
            "axes.invert_yaxis()\n"
            'axes.set_xlabel("calendar days")\n'
            'axes.set_title("Bundled examples: measured intervals against their guiding limits")\n'
            'axes.grid(axis="x", alpha=0.3)\n'
            "axes.legend(\n"
            "    handles=[\n"
            '        Patch(color=WITHIN, label="within the limit"),\n'
            '        Patch(color=OVER, label="over the limit"),\n'
            '        Line2D([], [], color="black", marker="|", linestyle="none", markersize=12,\n'
            '               markeredgewidth=2, label="guiding limit"),\n'
            "    ],\n"
            '    loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=3,\n'
            "    frameon=False, fontsize=8,\n"
            ")\n"
            "figure.tight_layout()\n"
            "\n"
            "png = BytesIO()\n"
            'figure.savefig(png, format="png", dpi=110)\n'
            "plt.close(figure)\n"
            "display(Image(data=png.getvalue()))"
        ),
        new_markdown_cell(
            "## What the chart cannot show\n"
            "\n"
            "Values that are not known are absent, never guessed ({ref}`spec-time-limits-"
            "unknown`): D11 and D10 have no time limits at all, and D12's are a health "
            "trust's summary. Some known limits cannot be measured from pathway events, "
            "because no code marks one of their steps or because they depend on something "
            "nothing records; a report names them with {ref}`TIMELIMIT-003 <timelimit-003>`."
        ),
        new_code_cell(
            "for definition in pathways().values():\n"
            "    unmeasurable = intervals.not_measurable(definition)\n"
            '    print(f"{definition.code}: time limits {definition.time_limits_status.value}, "\n'
            '          f"{len(definition.time_limits)} rows, {len(unmeasurable)} not measurable")\n'
            "    for row in unmeasurable:\n"
            '        print("   ", row.measure, "-", row.reason)'
        ),
    ]
    return _notebook(cells)


def _notebook(cells: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index:02d}"  # stable ids: regenerating changes nothing
    return notebook


NOTEBOOKS = {
    "validate-an-export.ipynb": validate_an_export,
    "time-limit-compliance.ipynb": time_limit_compliance,
}


def main() -> None:
    """Write every notebook and validate it against the nbformat v4 schema."""
    for name, build in NOTEBOOKS.items():
        notebook = build()
        nbformat.validate(notebook)
        nbformat.write(notebook, HERE / name)
        print(f"wrote {HERE / name}")


if __name__ == "__main__":
    main()
