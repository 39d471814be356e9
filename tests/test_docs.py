"""The documentation site: built offline without warnings, complete, linked, and rendered.

The site is built once per session with the README's command (``sphinx-build -W --keep-going
-n``) into a temporary folder. The reference pages are generated from the data at build
time, so these tests compare the built HTML with the data as the package loads it: a rule,
schema, code system or pathway without its page or anchor, or a page that says something
else than the data, fails here.

The tests need the ``docs`` extra (``pip install ".[docs]"``) and are skipped without it;
the browser tests need Debian's ``chromium`` and are skipped without it.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import functools
import hashlib
import http.server
import importlib.util
import json
import os
import re
import select
import shutil
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from pakkeforlop import SPEC_VERSION
from pakkeforlop.data import schemas
from pakkeforlop.data.catalogue import catalogue
from pakkeforlop.data.codes import code_systems
from pakkeforlop.data.fixtures import load as load_fixtures
from pakkeforlop.data.pathways import TimeLimitsStatus, pathways
from pakkeforlop.data.sources import by_url, sources

from .conftest import REPO_ROOT

DOCS = REPO_ROOT / "docs"
BASE_URL = "https://pakkeforlop.no/docs/"
SCHEMA_HOST = "https://schemas.pakkeforlop.no/"
DOCS_MODULES = ("sphinx", "myst_parser", "myst_nb", "furo", "lxml", "ipykernel")
MISSING = [name for name in DOCS_MODULES if importlib.util.find_spec(name) is None]

pytestmark = pytest.mark.skipif(
    bool(MISSING),
    reason=f'the docs extra is not installed (missing {", ".join(MISSING)}): pip install ".[docs]"',
)


def _sphinx(source: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """The README's build command, run in its own process."""
    command = [
        sys.executable, "-m", "sphinx", "-W", "--keep-going", "-n", "-q",
        "-b", "html", "-d", str(out / "doctrees"), str(source), str(out / "html"),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        command, capture_output=True, text=True, timeout=900, env=env, check=False
    )


@dataclass
class Site:
    """The built site and its build log."""

    root: Path
    log: str
    _parsed: dict[Path, Any] = field(default_factory=dict)

    def page(self, path: str) -> Any:
        """A built page, parsed with lxml.html; fails the test when it does not exist."""
        import lxml.html  # noqa: PLC0415

        file = (self.root / path).resolve()
        assert file.is_file(), f"the site has no page {path}"
        if file not in self._parsed:
            self._parsed[file] = lxml.html.parse(str(file)).getroot()
        return self._parsed[file]

    def pages(self) -> Iterator[Path]:
        yield from sorted(self.root.rglob("*.html"))


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    out = tmp_path_factory.mktemp("docs")
    result = _sphinx(DOCS, out)
    log = result.stdout + result.stderr
    if result.returncode != 0:
        pytest.fail(f"the docs build failed (exit {result.returncode}):\n{log[-8000:]}")
    return Site(out / "html", log)


def _text(element: Any) -> str:
    return " ".join(element.text_content().split())


def _section(site: Site, url: str) -> Any:
    """The element a documentation URL points at (``page.html#anchor``)."""
    assert url.startswith(BASE_URL), url
    parts = urlsplit(url.removeprefix(BASE_URL))
    page = site.page(parts.path)
    found = page.xpath("//*[@id=$anchor]", anchor=parts.fragment)
    assert found, f"{parts.path} has no element with id {parts.fragment!r}"
    return found[0]


# --------------------------------------------------------------------------------------------
# The build
# --------------------------------------------------------------------------------------------


def test_the_site_builds_offline_without_a_warning(site):
    # -W already turns a Sphinx warning into a failed build; this names any that slipped by.
    # (Lines such as "[IPKernelApp] WARNING | ..." come from a notebook kernel, not Sphinx.)
    warnings = [line for line in site.log.splitlines() if re.search(r"(^|: )WARNING: ", line)]
    assert not warnings, "\n".join(warnings)
    assert (site.root / "index.html").is_file()
    assert (site.root / "searchindex.js").is_file(), "the site must be searchable offline"


def test_the_pages_load_nothing_from_the_network(site):
    offenders = []
    for path in site.pages():
        page = site.page(str(path.relative_to(site.root)))
        for element, attribute in (
            *((e, "src") for e in page.xpath("//script[@src] | //img[@src] | //iframe[@src]")),
            *((e, "href") for e in page.xpath("//link[@href][not(@rel='canonical')]")),
        ):
            value = element.get(attribute)
            if urlsplit(value).scheme or value.startswith("//"):
                offenders.append(f"{path.relative_to(site.root)}: {value}")
    assert not offenders, "\n".join(offenders)


# --------------------------------------------------------------------------------------------
# Every item in the data has its page, and the page says what the data says
# --------------------------------------------------------------------------------------------


def test_every_rule_has_an_anchor_at_its_url_with_what_the_catalogue_says(site):
    fixtures = load_fixtures(REPO_ROOT / "spec" / "fixtures")
    rules = catalogue()
    assert rules
    for rule in rules.values():
        assert rule.url == f"{BASE_URL}rules/{rule.family.lower()}.html#{rule.id.lower()}"
        section = _section(site, rule.url)
        assert section.tag == "section", f"{rule.id}: the anchor is not the rule's section"
        text = _text(section)
        heading = _text(section.xpath("./h2")[0])
        assert heading.startswith(f"{rule.id}: {' '.join(rule.title.split())}"), heading
        for expected in (
            rule.statement,
            rule.message,
            rule.message_nb,
            rule.title_nb,
            *(sources()[source_id].title for source_id in rule.sources),
            rule.severity.value,
            rule.verb.value,
            rule.evidence.value,
            *sorted(rule.applies_to),
        ):
            assert " ".join(expected.split()) in text, f"{rule.id}: {expected!r} not on its page"
        for case in fixtures[rule.id].cases if rule.id in fixtures else ():
            assert case.name in text, f"{rule.id}: fixture case {case.name} not on its page"


def test_the_sources_page_lists_every_source_under_its_anchor(site):
    page = site.page("sources/index.html")
    for source in sources().values():
        found = page.xpath("//*[@id=$anchor]", anchor=f"source-{source.id}")
        assert found, f"{source.id}: no anchor on the Sources page"
        text = _text(found[0])
        assert " ".join(source.title.split()) in text
        assert source.url in text if source.url else "no public copy identified" in text


def test_pathway_pages_name_the_documents_their_values_come_from(site):
    for code, definition in pathways().items():
        text = _text(site.page(f"pathways/{code}.html"))
        urls = [definition.source_url, *(limit.source_url for limit in definition.time_limits)]
        for url in urls:
            cited = by_url(url)
            assert cited is not None, url
            assert " ".join(cited.title.split()) in text, f"{code}: {cited.id} not named"


def _schema_page(schema_id: str) -> str:
    return "schemas/" + schema_id.removeprefix(SCHEMA_HOST).removesuffix(".schema.json") + ".html"


def test_every_schema_has_a_page_with_every_property(site):
    assert schemas.schema_ids()
    for schema_id in schemas.schema_ids():
        contents = schemas.schema(schema_id)
        page = site.page(_schema_page(schema_id))
        assert _text(page.xpath("//h1")[0]).startswith(" ".join(contents["title"].split()))
        assert schema_id in _text(page)
        properties = {_text(code) for code in page.xpath("//table//td[1]//code")}
        for name in contents.get("properties", {}):
            assert name in properties, f"{schema_id}: property {name} has no row"
        for name in contents.get("$defs", {}):
            assert page.xpath("//section/h3/code[.=$name]", name=name), (
                f"{schema_id}: definition {name} has no section"
            )


def test_every_code_system_has_a_page_with_every_code(site):
    assert code_systems()
    for kodeverk, system in code_systems().items():
        page = site.page(f"codes/{kodeverk}.html")
        assert kodeverk in _text(page.xpath("//h1")[0])
        rows = {}
        for row in page.xpath("//table[contains(@class, 'pf-codes')]//tbody/tr"):
            cells = [_text(cell) for cell in row.xpath("./td")]
            rows[cells[0]] = cells
        assert set(rows) == {code.code for code in system}, kodeverk
        for code in system:
            _, text, status, valid_from, valid_to, _note = rows[code.code]
            assert text == " ".join(code.text.split())
            assert status == code.status.value
            assert valid_from == (code.valid_from.isoformat() if code.valid_from else "—")
            assert valid_to == (code.valid_to.isoformat() if code.valid_to else "—")


def test_every_pathway_has_a_page_with_codes_timeline_and_time_limits(site):
    assert pathways()
    for code, pathway in pathways().items():
        page = site.page(f"pathways/{code}.html")
        text = _text(page)
        assert _text(page.xpath("//h1")[0]).startswith(code)
        assert page.xpath("//div[@class='pf-timeline']/svg"), f"{code}: no timeline"
        for event in pathway.event_codes:
            assert page.xpath("//table//td//a[.=$c]", c=event.code), f"{code}: {event.code}"
        assert pathway.time_limits_status.value in text
        for limit in pathway.time_limits:
            assert " ".join(limit.label.split()) in text, f"{code}: {limit.label}"
        rows = page.xpath("//table[contains(@class, 'pf-limits')]//tbody/tr")
        assert len(rows) == len(pathway.time_limits), code
        if pathway.time_limits_status is TimeLimitsStatus.UNKNOWN:
            assert "Time limits unknown: no interval is drawn." in text
        assert str(pathway.ordering.max_clinical_decisions) in text


# --------------------------------------------------------------------------------------------
# Links and downloads
# --------------------------------------------------------------------------------------------


def test_every_internal_link_and_anchor_resolves(site):
    ids: dict[Path, set[str]] = {}

    def anchors(file: Path) -> set[str]:
        if file not in ids:
            page = site.page(str(file.relative_to(site.root)))
            ids[file] = {*page.xpath("//@id"), *page.xpath("//a/@name")}
        return ids[file]

    broken = []
    checked = 0
    for path in site.pages():
        page = site.page(str(path.relative_to(site.root)))
        for element in page.xpath("//a[@href] | //link[@href] | //script[@src] | //img[@src]"):
            target = element.get("href") or element.get("src")
            parts = urlsplit(target)
            if parts.scheme or target.startswith("//"):
                continue
            file = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            checked += 1
            if not file.is_relative_to(site.root.resolve()) or not file.is_file():
                broken.append(f"{path.relative_to(site.root)}: {target} (no such file)")
            elif (
                parts.fragment
                and file.suffix == ".html"
                and unquote(parts.fragment) not in (anchors(file))
            ):
                broken.append(f"{path.relative_to(site.root)}: {target} (no such anchor)")
    assert checked > 1000
    assert not broken, "\n".join(broken)


def test_the_artefact_index_lists_every_schema_and_code_list_with_its_digest(site):
    index_path = site.root / "artefacts" / "index.json"
    index = json.loads(index_path.read_text(encoding="utf-8"))
    assert index["specVersion"] == SPEC_VERSION
    entries = index["artefacts"]
    for entry in entries:
        content = (index_path.parent / entry["path"]).read_bytes()
        assert hashlib.sha256(content).hexdigest() == entry["sha256"], entry["path"]
        assert len(content) == entry["size"], entry["path"]
        if entry["page"]:
            assert (site.root / entry["page"].partition("#")[0]).is_file(), entry
        if entry["source"] and entry["mediaType"] != "application/json":
            assert content == (REPO_ROOT / entry["source"]).read_bytes(), entry["path"]

    def of_kind(kind: str) -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = {}
        for entry in entries:
            if entry["kind"] == kind:
                found.setdefault(entry["id"], []).append(entry)
        return found

    schema_pages = of_kind("schema")
    assert set(schema_pages) == set(schemas.schema_ids())
    for schema_id, (entry,) in schema_pages.items():
        published = json.loads((index_path.parent / entry["path"]).read_text(encoding="utf-8"))
        assert published == schemas.schema(schema_id)
    lists = of_kind("code-list")
    assert {entry[0]["name"] for entry in lists.values()} == set(code_systems())
    for system in code_systems().values():
        formats = {e["mediaType"]: e for e in lists[system.oid]}
        assert set(formats) == {"application/toml", "application/json"}
        assert all(e["version"] == system.version for e in formats.values())
        as_json = json.loads(
            (index_path.parent / formats["application/json"]["path"]).read_text(encoding="utf-8")
        )
        source = tomllib.loads(
            (index_path.parent / formats["application/toml"]["path"]).read_text(encoding="utf-8")
        )
        assert as_json == json.loads(json.dumps(source, default=date.isoformat))
    assert set(of_kind("pathway")) == set(pathways())
    assert {e["id"] for e in entries if e["kind"] == "rule-family"} >= {
        rule.family for rule in catalogue().values()
    }
    (catalogue_entry,) = of_kind("rule-catalogue")["catalogue"]
    published_rules = json.loads(
        (index_path.parent / catalogue_entry["path"]).read_text(encoding="utf-8")
    )["rules"]
    assert [rule["id"] for rule in published_rules] == list(catalogue())
    assert all(rule["url"] == catalogue()[rule["id"]].url for rule in published_rules)


def test_each_schema_page_links_its_raw_file_for_download(site):
    for schema_id in schemas.schema_ids():
        page_path = _schema_page(schema_id)
        page = site.page(page_path)
        name = schema_id.rsplit("/", 1)[-1]
        links = [a.get("href") for a in page.xpath("//a[@href]") if a.get("href").endswith(name)]
        assert links, f"{page_path} does not link {name}"
        target = ((site.root / page_path).parent / links[0]).resolve()
        assert json.loads(target.read_text(encoding="utf-8")) == schemas.schema(schema_id)


# --------------------------------------------------------------------------------------------
# Notebooks: executed on every build, and a failing cell fails the build
# --------------------------------------------------------------------------------------------


def _notebook(*sources: str) -> str:
    cells = [
        {"cell_type": "code", "execution_count": None, "id": f"cell-{number}", "metadata": {},
         "outputs": [], "source": source}
        for number, source in enumerate(sources, start=1)
    ]  # fmt: skip
    title = {"cell_type": "markdown", "id": "title", "metadata": {}, "source": "# A notebook"}
    return json.dumps(
        {
            "cells": [title, *cells],
            "metadata": {
                "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


def _notebook_project(tmp_path: Path, notebook: str) -> Path:
    """A small project with the site's own notebook settings (docs/conf.py) and one notebook."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "conf.py").write_text(
        f"__file__ = {str(DOCS / 'conf.py')!r}\n"
        f"exec(compile(open(__file__, encoding='utf-8').read(), __file__, 'exec'))\n"
        "extensions = ['myst_nb']\n"
        "html_extra_path = []\nhtml_static_path = []\nhtml_css_files = []\nhtml_favicon = None\n"
        "html_theme = 'basic'\n",
        encoding="utf-8",
    )
    (source / "index.md").write_text("# Test\n\n```{toctree}\nnotebook\n```\n", encoding="utf-8")
    (source / "notebook.ipynb").write_text(notebook, encoding="utf-8")
    return source


def test_notebooks_are_executed_with_the_checkouts_package(tmp_path):
    source = _notebook_project(
        tmp_path,
        _notebook(
            "import pakkeforlop, pathlib\n"
            "print('spec', pakkeforlop.SPEC_VERSION)\n"
            "print('from', pathlib.Path(pakkeforlop.__file__).parents[1].name)"
        ),
    )
    result = _sphinx(source, tmp_path / "out")
    assert result.returncode == 0, result.stdout + result.stderr
    html = (tmp_path / "out" / "html" / "notebook.html").read_text(encoding="utf-8")
    assert f"spec {SPEC_VERSION}" in html
    assert "from src" in html, "the kernel must import the package from the checkout's src/"


def test_a_failing_notebook_cell_fails_the_build(tmp_path):
    source = _notebook_project(tmp_path, _notebook("raise ValueError('cell failed on purpose')"))
    result = _sphinx(source, tmp_path / "out")
    assert result.returncode != 0
    log = result.stdout + result.stderr
    assert "ExecutionError" in log, log
    assert "notebook.ipynb" in log, log


# --------------------------------------------------------------------------------------------
# Headless Chromium (Debian's package), driven through the DevTools protocol over a pipe
# --------------------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-pipe",
)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed: apt-get install -y chromium"
)


class BrowserError(RuntimeError):
    """The browser died or did not answer in time."""


@dataclass
class Rendered:
    """What a page did while it loaded."""

    errors: list[str]
    value: Any
    screenshot: bytes


class Chromium:
    """A headless Chromium answering DevTools protocol commands on file descriptors 3 and 4."""

    def __init__(self, binary: str, profile: Path) -> None:
        # Numbers above 9 for the browser's ends, so that moving them to 3 and 4 in the child
        # (and closing the originals) never clobbers one with the other.
        commands_read, self._write = map(_high_fd, os.pipe())
        self._read, events_write = map(_high_fd, os.pipe())
        script = (
            f'exec "$0" "$@" 3<&{commands_read} 4>&{events_write} '
            f"{commands_read}<&- {events_write}>&-"
        )
        self._process = subprocess.Popen(
            ["bash", "-c", script, binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
             "about:blank"],
            pass_fds=(commands_read, events_write),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(commands_read)
        os.close(events_write)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def _receive(self, deadline: float) -> dict[str, Any] | None:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self._read], [], [], remaining)
            if ready:
                chunk = os.read(self._read, 1 << 20)
                if not chunk:
                    msg = "chromium closed its DevTools pipe"
                    raise BrowserError(msg)
                self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def call(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + 60
        while True:
            reply = self._receive(deadline)
            if reply is None:
                msg = f"no answer to {method}"
                raise BrowserError(msg)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    msg = f"{method}: {reply['error']}"
                    raise BrowserError(msg)
                return reply.get("result", {})
            self.events.append(reply)

    def pump(self, seconds: float, until: str | None = None, session: str | None = None) -> bool:
        """Collect events for ``seconds``, or until the event ``until`` of ``session``."""
        deadline = time.monotonic() + seconds
        while True:
            if until and any(
                e.get("method") == until and e.get("sessionId") == session for e in self.events
            ):
                return True
            event = self._receive(deadline)
            if event is None:
                return False
            self.events.append(event)

    def render(self, url: str, expression: str = "document.title", settle: float = 1.5) -> Rendered:
        """Load ``url`` in a new tab; report its errors, ``expression``'s value and a PNG."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for method in ("Runtime.enable", "Log.enable", "Page.enable"):
            self.call(method, session=session)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1280, "height": 1400, "deviceScaleFactor": 1, "mobile": False},
            session,
        )
        self.call("Page.navigate", {"url": url}, session)
        if not self.pump(60, until="Page.loadEventFired", session=session):
            msg = f"{url} did not finish loading"
            raise BrowserError(msg)
        self.pump(settle)
        value = self.call(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}, session
        )["result"].get("value")
        png = base64.b64decode(
            self.call("Page.captureScreenshot", {"format": "png"}, session)["data"]
        )
        self.call("Target.closeTarget", {"targetId": target})
        mine = [e for e in self.events if e.get("sessionId") == session]
        self.events = [e for e in self.events if e.get("sessionId") != session]
        return Rendered(_errors(mine), value, png)

    def close(self) -> None:
        with contextlib.suppress(BrowserError, OSError):
            self.call("Browser.close")
        try:
            self._process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._read)
        os.close(self._write)


def _high_fd(fd: int) -> int:
    """The same pipe end as a descriptor numbered 10 or more (the original is closed)."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


def _errors(events: list[dict[str, Any]]) -> list[str]:
    """Uncaught exceptions, console.error/assert calls and error log entries (failed loads)."""
    errors = []
    for event in events:
        params = event.get("params", {})
        if event.get("method") == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            description = details.get("exception", {}).get("description", "")
            errors.append(f"uncaught: {details.get('text', '')} {description}".strip())
        elif event.get("method") == "Runtime.consoleAPICalled" and params.get("type") in (
            "error",
            "assert",
        ):
            args = [str(arg.get("value", arg.get("description", ""))) for arg in params["args"]]
            errors.append(f"console.{params['type']}: {' '.join(args)}")
        elif event.get("method") == "Log.entryAdded" and params["entry"]["level"] == "error":
            entry = params["entry"]
            errors.append(f"log: {entry['text']} {entry.get('url', '')}".strip())
    return errors


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    assert CHROMIUM is not None
    chromium = Chromium(CHROMIUM, tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield chromium
    finally:
        chromium.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Serve without logging every request."""


@pytest.fixture(scope="module")
def served(site: Site) -> Iterator[str]:
    """The built site over HTTP on the loopback interface, as it is served when published
    (for this module's tests only: a thread left running would keep the later tests' checks
    from forking their workers)."""
    handler = functools.partial(_QuietHandler, directory=str(site.root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@needs_chromium
def test_the_console_check_sees_errors(browser, tmp_path):
    """A page that throws, logs an error and misses a script is caught: the check is not blind."""
    broken = tmp_path / "broken.html"
    broken.write_text(
        "<!doctype html><html><head><title>broken</title>"
        '<script src="missing.js"></script></head><body><p>broken</p>'
        "<script>console.error('logged on purpose')</script>"
        "<script>notDefinedAnywhere()</script></body></html>",
        encoding="utf-8",
    )
    errors = browser.render(broken.as_uri(), settle=0.5).errors
    assert any("notDefinedAnywhere" in error for error in errors), errors
    assert any("logged on purpose" in error for error in errors), errors
    assert any("missing.js" in error or "ERR_FILE_NOT_FOUND" in error for error in errors), errors


def _first_rule_page() -> str:
    rule = next(iter(catalogue().values()))
    return rule.url.removeprefix(BASE_URL)


@needs_chromium
@pytest.mark.parametrize(
    "page",
    ["index.html", "schemas/v1/referral.html", "rule", "pathways/D08.html", "codes/9327.html"],
)
@pytest.mark.parametrize("over_http", [False, True], ids=["file", "http"])
def test_chromium_renders_the_page_without_console_errors(site, served, browser, page, over_http):
    if page == "rule":
        page = _first_rule_page()
    path, _, anchor = page.partition("#")
    base = served if over_http else site.root.as_uri() + "/"
    url = base + path + (f"#{anchor}" if anchor else "")
    rendered = browser.render(url, "document.querySelector('h1') && document.body.innerText")
    assert not rendered.errors, rendered.errors
    assert rendered.value, f"{page}: nothing rendered"
    assert rendered.screenshot.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(rendered.screenshot) > 20_000, f"{page}: the screenshot looks empty"


@needs_chromium
def test_the_search_finds_a_rule_without_the_network(served, browser):
    """Sphinx's own search (no external service): a rule id finds its family page."""
    rule = next(iter(catalogue().values()))
    url = f"{served}search.html?q={rule.id}"
    expression = (
        "new Promise(done => { const start = Date.now(); (function poll() {"
        " const hits = [...document.querySelectorAll('#search-results li a')]"
        "   .map(a => a.getAttribute('href'));"
        " if (hits.length || Date.now() - start > 10000) done(hits); else setTimeout(poll, 100);"
        " })(); })"
    )
    target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
        "sessionId"
    ]
    try:
        browser.call("Runtime.enable", session=session)
        browser.call("Page.enable", session=session)
        browser.call("Page.navigate", {"url": url}, session)
        assert browser.pump(60, until="Page.loadEventFired", session=session)
        hits = browser.call(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            session,
        )["result"]["value"]
        browser.pump(1.5)  # the search fetches summaries of the hits after listing them
        errors = _errors([e for e in browser.events if e.get("sessionId") == session])
    finally:
        browser.call("Target.closeTarget", {"targetId": target})
    assert not errors, errors
    assert any(f"rules/{rule.family.lower()}.html" in hit for hit in hits), hits
