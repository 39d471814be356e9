"""The pytest plugin: the conformance suite's items, one per catalogue rule, over given exports.

Installed as the ``pytest11`` entry point ``pakkeforlop``, this module loads into every pytest
session of the environment, so it is inert until an export is given: without ``--export`` it
adds its option group to ``pytest --help`` and nothing else (no items, no header, no fixtures,
no work, and nothing of the kit imported beyond this module).

With ``--export PATH`` the exports are checked once per session, by the same engine and
report as the ``pakkeforlop`` command, and the items of the conformance suite
(``pytest conformance/`` in a checkout, ``pytest --pyargs pakkeforlop.conformance`` from an
installed package) each report one rule: failed with its findings, passed, or skipped with the
reason the exports never exercised it.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from pakkeforlop.kith import XsdCatalog
    from pakkeforlop.model.findings import Finding
    from pakkeforlop.report.build import Report, RuleResult

GROUP = "pakkeforlop"
FAIL_LEVELS = ("error", "warning")
#: Findings listed per item in the terminal; the findings JSON always has every one.
MAX_LISTED = 100
#: The code lists the header names one by one; the others are summed up by version.
HEADER_CODE_LISTS = ("9321", "9327")

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"


@dataclass(frozen=True, slots=True)
class RuleVerdict:
    """What a conformance item reports for one rule.

    ``outcome`` is ``passed``, ``failed`` or ``skipped``; ``reason`` says why a rule was skipped;
    ``text`` is the domain report of the rule's findings (the failure message of a failed rule,
    a report section of a passed one with findings below the fail level).
    """

    rule_id: str
    outcome: str
    reason: str = ""
    text: str = ""
    findings: tuple[Finding, ...] = ()

    @property
    def skipped(self) -> bool:
        """Whether the rule was not verified (never exercised, or no export given)."""
        return self.outcome == SKIPPED

    @property
    def failed(self) -> bool:
        """Whether a finding of the rule reaches the fail level."""
        return self.outcome == FAILED


# -- options and activation ----------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add the ``pakkeforlop`` option group (every option of it does nothing without an export)."""
    group = parser.getgroup(GROUP, "pakkeforlop conformance kit (inert unless an export is given)")
    names = ["--pakkeforlop-export"]
    if not _option_taken(parser, "--export"):
        names.append("--export")
    group.addoption(
        *names,
        action="append",
        dest="pakkeforlop_export",
        metavar="PATH",
        default=None,
        help="an export folder (holding manifest.json), a folder of exports, a JSON document "
        "or an NDJSON events file to check; repeatable. Without it the plugin does nothing "
        "(and the conformance items skip).",
    )
    group.addoption(
        "--pakkeforlop-fail-on",
        dest="pakkeforlop_fail_on",
        choices=FAIL_LEVELS,
        default="error",
        help="the lowest severity that fails a rule's item (default: error).",
    )
    group.addoption(
        "--pakkeforlop-no-mask",
        dest="pakkeforlop_no_mask",
        action="store_true",
        default=False,
        help="show personal values (national identity numbers, names) in findings unmasked.",
    )
    xsd_names = ["--pakkeforlop-xsd-dir"]
    if not _option_taken(parser, "--xsd-dir"):
        xsd_names.append("--xsd-dir")
    group.addoption(
        *xsd_names,
        dest="pakkeforlop_xsd_dir",
        metavar="DIR",
        default=None,
        help="validate KITH XML messages against the XSDs in DIR (the official KITH schemas, as "
        "published, flat or in the standards archive's folder tree; the kit ships none), as "
        "`pakkeforlop check --xsd-dir` does. Without it KITH-016 is skipped.",
    )
    group.addoption(
        "--pakkeforlop-findings-json",
        dest="pakkeforlop_findings_json",
        metavar="PATH",
        default=None,
        help="write what each conformance item reported (outcome, reason, every finding) "
        "to PATH as JSON.",
    )


def _option_taken(parser: pytest.Parser, name: str) -> bool:
    """Whether a plugin loaded earlier already has ``name`` (then only the prefixed form is added).

    pytest keeps its options in private attributes; when they move, this says "not taken".
    """
    groups = [getattr(parser, "_anonymous", None), *getattr(parser, "_groups", [])]
    return any(
        name in option.names() for group in groups for option in getattr(group, "options", [])
    )


_RUN = pytest.StashKey["_Run"]()


def pytest_configure(config: pytest.Config) -> None:
    """Activate the plugin when, and only when, an export is given."""
    given: list[str] | None = config.getoption("pakkeforlop_export", default=None)
    if not given:
        return
    run = _Run.from_config(config, given)
    config.stash[_RUN] = run
    config.pluginmanager.register(run, "pakkeforlop-run")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Drop the session's run, if there was one."""
    run = config.stash.get(_RUN, None)
    if run is not None:
        config.pluginmanager.unregister(run)
        del config.stash[_RUN]


# -- the verdict of one item ---------------------------------------------------------------


def rule_verdict(request: pytest.FixtureRequest, rule_id: str) -> RuleVerdict:
    """The verdict of the current conformance item on ``rule_id`` (the exports are checked once)."""
    run = request.config.stash.get(_RUN, None)
    if run is None:
        return RuleVerdict(rule_id, SKIPPED, reason=_inactive_reason(request.config))
    verdict = run.verdict(rule_id)
    run.record(request.node.nodeid, verdict)
    if verdict.outcome == PASSED and verdict.findings:
        request.node.add_report_section(
            "call", "pakkeforlop findings below the fail level", verdict.text
        )
    return verdict


def missing_export(config: pytest.Config) -> str:
    """Why the conformance suite cannot run: no export was given (or the plugin is off)."""
    return (
        "the pakkeforlop conformance suite has nothing to check: "
        f"{_inactive_reason(config)}. Without an export every rule would be skipped and the "
        "run would pass without verifying anything."
    )


def _inactive_reason(config: pytest.Config) -> str:
    manager = config.pluginmanager
    if manager.is_registered(sys.modules[__name__]):
        return "no export given: pass --pakkeforlop-export=PATH (or --export=PATH)"
    if manager.is_blocked(GROUP):
        return "the pakkeforlop pytest plugin is disabled (-p no:pakkeforlop)"
    return (
        "the pakkeforlop pytest plugin is not loaded: load it with -p pakkeforlop "
        "(or -p pakkeforlop.pytest_plugin where pakkeforlop is not installed)"
    )


# -- the session's run ---------------------------------------------------------------------


def _xsd_catalog(folder: Path) -> XsdCatalog:
    """The XSDs of ``--pakkeforlop-xsd-dir``, read before any work (a bad folder stops pytest)."""
    from pakkeforlop.kith import XsdCatalog, XsdError  # noqa: PLC0415  (inert until asked)

    try:
        return XsdCatalog.load(folder)
    except XsdError as error:
        msg = f"--pakkeforlop-xsd-dir {folder}: {error}"
        raise pytest.UsageError(msg) from error


@dataclass(slots=True)
class _Export:
    """An ``--export`` argument: where to read it, and the path as findings show it."""

    path: Path
    shown: str


@dataclass(slots=True, eq=False)
class _Run:
    """One session's check of the given exports, registered as a plugin only when active."""

    exports: tuple[_Export, ...]
    fail_on: str
    masked: bool
    findings_json: Path | None
    xsd: XsdCatalog | None = None
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    _report: Report | None = None
    _results: dict[str, RuleResult] = field(default_factory=dict)
    _findings: dict[str, list[Finding]] = field(default_factory=dict)
    _error: str | None = None

    @classmethod
    def from_config(cls, config: pytest.Config, given: list[str]) -> _Run:
        here = config.invocation_params.dir
        exports: list[_Export] = []
        for argument in given:
            path = (here / argument).resolve()
            if not path.exists():
                msg = f"--export {argument}: no such file or folder"
                raise pytest.UsageError(msg)
            exports.append(_Export(path, Path(argument).as_posix()))
        findings_json = config.getoption("pakkeforlop_findings_json", default=None)
        xsd_dir = config.getoption("pakkeforlop_xsd_dir", default=None)
        return cls(
            exports=tuple(exports),
            fail_on=config.getoption("pakkeforlop_fail_on", default="error"),
            masked=not config.getoption("pakkeforlop_no_mask", default=False),
            findings_json=here / findings_json if findings_json else None,
            xsd=_xsd_catalog(here / xsd_dir) if xsd_dir else None,
        )

    def report(self) -> Report:
        """The report of every given export, built on first use and kept for the session."""
        if self._report is not None:
            return self._report
        if self._error is not None:
            raise RuntimeError(self._error)
        from pakkeforlop.data.catalogue import Severity  # noqa: PLC0415  (inert until asked)
        from pakkeforlop.report.build import build_report  # noqa: PLC0415

        try:
            from pakkeforlop.engine import check_paths  # noqa: PLC0415  (inert until asked)

            exports = ((export.path, export.shown) for export in self.exports)
            results = list(check_paths(exports, xsd=self.xsd))
            report = build_report(results, fail_on=Severity(self.fail_on), masked=self.masked)
        except Exception as error:
            self._error = f"checking the exports failed earlier in this session: {error!r}"
            raise
        self._report = report
        self._results = {result.rule.id: result for result in report.rule_results}
        for finding in report.findings:
            self._findings.setdefault(finding.rule, []).append(finding)
        return report

    def verdict(self, rule_id: str) -> RuleVerdict:
        """One rule's verdict, straight from the report's per-rule outcome."""
        report = self.report()
        result = self._results[rule_id]
        findings = tuple(self._findings.get(rule_id, ()))
        if result.outcome == "skipped":
            return RuleVerdict(rule_id, SKIPPED, reason=f"{rule_id} {result.reason}")
        text = render_rule(result, findings, masked=report.masked, fail_on=report.fail_on)
        return RuleVerdict(
            rule_id, str(result.outcome), text=text if findings else "", findings=findings
        )

    def record(self, nodeid: str, verdict: RuleVerdict) -> None:
        """Keep what an item reported, for the findings JSON and the terminal summary."""
        from pakkeforlop.report.formats.json_report import finding_record  # noqa: PLC0415  (inert until asked)

        masked = self.report().masked
        self.records[nodeid] = {
            "nodeid": nodeid,
            "rule": verdict.rule_id,
            "outcome": verdict.outcome,
            "reason": verdict.reason,
            "findings": [finding_record(finding, masked=masked) for finding in verdict.findings],
            "text": verdict.text,
        }

    # -- hooks (called only while an export is given) --------------------------------------

    def pytest_report_header(self) -> list[str]:
        """The kit, spec and code-list versions, the fail level, masking and the exports."""
        from pakkeforlop import SPEC_VERSION, __version__  # noqa: PLC0415
        from pakkeforlop.data.codes import code_systems  # noqa: PLC0415

        versions = {
            kodeverk: f"{system.version} ({system.status})"
            for kodeverk, system in code_systems().items()
        }
        named = [
            f"{kodeverk} {versions[kodeverk]}"
            for kodeverk in HEADER_CODE_LISTS
            if kodeverk in versions
        ]
        others = Counter(
            version for kodeverk, version in versions.items() if kodeverk not in HEADER_CODE_LISTS
        )
        named += [
            f"{count} other{'s' * (count != 1)} {version}"
            for version, count in sorted(others.items())
        ]
        masking = "masked" if self.masked else "NOT masked (--pakkeforlop-no-mask)"
        return [
            f"pakkeforlop {__version__} (spec {SPEC_VERSION}), fail on {self.fail_on}, "
            f"personal values {masking}",
            f"pakkeforlop code lists: {', '.join(named)}",
            f"pakkeforlop exports: {', '.join(export.shown for export in self.exports)}",
        ]

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Take each recorded item's outcome from pytest's own report of it."""
        record = self.records.get(report.nodeid)
        if record is None:
            return
        if report.when == "call":
            record["outcome"] = report.outcome
        elif report.failed:
            record["outcome"] = "error"

    def pytest_sessionfinish(self) -> None:
        """Write the findings JSON, when asked for."""
        if self.findings_json is None:
            return
        from pakkeforlop import SPEC_VERSION, __version__  # noqa: PLC0415

        report = self._report
        document = {
            "tool": "pakkeforlop",
            "version": __version__,
            "spec_version": SPEC_VERSION,
            "code_list_versions": dict(report.code_list_versions) if report else {},
            "exports": [export.shown for export in self.exports],
            "fail_on": self.fail_on,
            "masked": self.masked,
            "items": [
                {k: v for k, v in record.items() if k != "text"} for record in self.records.values()
            ],
        }
        self.findings_json.parent.mkdir(parents=True, exist_ok=True)
        with self.findings_json.open("w", encoding="utf-8") as handle:
            json.dump(document, handle, ensure_ascii=False, indent=2)
            handle.write("\n")

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        """Say how many rules were verified, and list the findings below the fail level."""
        write = terminalreporter.write_line
        terminalreporter.section("pakkeforlop conformance")
        if not self.records:
            write(
                "no conformance items ran: the suite runs with "
                "`pytest --pyargs pakkeforlop.conformance --export PATH` "
                "(or `pytest conformance/ --export PATH` in a checkout)"
            )
            return
        counted = Counter(record["outcome"] for record in self.records.values())
        total = len(self._results)
        ran = len(self.records)
        parts = [f"{counted[PASSED]} passed", f"{counted[FAILED]} failed"]
        parts.append(f"{counted[SKIPPED]} skipped (not exercised by the exports, so not verified)")
        parts += [
            f"{count} {outcome}"
            for outcome, count in sorted(counted.items())
            if outcome not in {PASSED, FAILED, SKIPPED}
        ]
        write(f"{ran} of {total} rules checked: {', '.join(parts)}")
        below = [
            record
            for record in self.records.values()
            if record["outcome"] == PASSED and record["findings"]
        ]
        if below:
            write(
                f"findings below the fail level ({self.fail_on}), which leave their rules passed:"
            )
            for record in below:
                if terminalreporter.verbosity > 0:
                    write(record["text"])
                else:
                    write(f"  {record['text'].splitlines()[0]}")
            if terminalreporter.verbosity <= 0:
                write("  (-v lists each finding here; -rP shows them under the passing items)")
        if self.findings_json is not None:
            write(f"findings written to {self.findings_json}")


# -- checking and rendering ---------------------------------------------------------------


def render_rule(
    result: RuleResult, findings: tuple[Finding, ...], *, masked: bool, fail_on: str
) -> str:
    """A rule's findings as a domain report: rule, severity and title, then one line per finding.

    Each finding is one ``file:line:column pointer message`` line in the form (and with the
    masking) of the command's reports.
    """
    from pakkeforlop.model.findings import Personal  # noqa: PLC0415  (inert until asked)
    from pakkeforlop.report.formats import finding_line  # noqa: PLC0415

    rule = result.rule
    count = len(findings)
    verdict = (
        f"fails at --pakkeforlop-fail-on {fail_on}"
        if result.outcome == "failed"
        else "below the fail level"
    )
    lines = [
        f"{rule.id} [{rule.severity}] {rule.title}: {count} finding{'s' * (count != 1)}, {verdict}"
    ]
    lines.append(f"  requirement: {rule.statement}")
    lines += [f"  {finding_line(finding, masked=masked)}" for finding in findings[:MAX_LISTED]]
    if count > MAX_LISTED:
        lines.append(
            f"  ... and {count - MAX_LISTED} more {rule.id} findings "
            "(every one is in --pakkeforlop-findings-json and in the command's report)"
        )
    if masked and any(
        isinstance(value, Personal) for finding in findings for value in finding.args.values()
    ):
        lines.append("  (personal values are masked; --pakkeforlop-no-mask shows them)")
    lines.append(f"  documentation: {rule.url}")
    return "\n".join(lines)
