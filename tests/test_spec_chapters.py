"""The narrative chapters, guides and notebooks: rules cited, sources named, links resolvable.

Checked statically, without building the site (``tests/test_docs.py`` builds it once). The
labels a ``{ref}`` may name are derived from the same data the docs extension
(``docs/_ext/pakkeforlop_docs.py``) generates its pages from, plus the labels the narrative
files define themselves with ``(label)=``:

* a rule: its id in lower case (``referral-001``), on the page ``rules/<family>``; a rule
  family page: ``rules-<family>``;
* a code system page: ``kodeverk-<NNNN>``;
* a pathway page: ``pathway-<code in lower case>`` (``pathway-d11``); a pathway step:
  ``anchor-<id>`` (``anchor-first-attendance``);
* a schema page: ``schema-`` and the schema's path below ``schemas/`` without
  ``.schema.json``, slashes as hyphens, in lower case (``schema-v1-referral``,
  ``schema-report-v1-report``); one of its ``$defs``: the schema's label, a hyphen and the
  name in lower case with other characters as hyphens (``schema-v1-defs-patient``);
* the index pages: ``schemas``, ``codes``, ``pathways``, ``pathway-anchors``, ``rules``,
  ``downloads`` and ``specification``; the downloads page's sections: ``artefacts-<kind>``.

A requirement in a chapter is written as a definition-list term
``{ref}`ID <label>` — VERB, severity``; these tests check that its verb and severity are the
catalogue's, so the text cannot drift from the data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from pakkeforlop.data.catalogue import catalogue
from pakkeforlop.data.codes import code_systems
from pakkeforlop.data.pathways import anchors, pathways
from pakkeforlop.data.sources import sources

from .conftest import REPO_ROOT

SPEC = REPO_ROOT / "spec"
DOCS = REPO_ROOT / "docs"
GUIDES = DOCS / "guides"
NOTEBOOKS = DOCS / "notebooks"
SCHEMAS = REPO_ROOT / "schemas"

CHAPTERS = sorted(path for path in SPEC.glob("*.md") if path.stem.lower() != "readme")
GUIDE_PAGES = sorted(GUIDES.glob("*.md"))
NOTEBOOK_FILES = sorted(NOTEBOOKS.glob("*.ipynb"))

#: Pages the docs extension generates that are not derived from one data item.
INDEX_LABELS = frozenset(
    {
        "schemas",
        "codes",
        "pathways",
        "pathway-anchors",
        "rules",
        "downloads",
        "specification",
        "sources",
        "traceability",
    }
)
ARTEFACT_KINDS = (
    "schema",
    "code-list",
    "pathway",
    "pathway-anchors",
    "rule-catalogue",
    "rule-family",
    "rule-fixtures",
    "traceability",
)

#: A reference to an entry of the Sources page (spec/sources.toml).
SOURCE_REF = re.compile(r"\{ref\}`[^`]*<source-[a-z0-9-]+>`")
HELSEDIREKTORATET = re.compile(r"https://(?:www\.)?helsedirektoratet\.no/\S+")
LABEL_DEFINITION = re.compile(r"^\((?P<label>[^()\s]+)\)=[ \t]*$", re.MULTILINE)
# A role, or a code span (which may quote a role without being one). Scanned left to right,
# so a code span that holds a role is skipped whole.
ROLE_OR_CODE = re.compile(
    r"\{(?P<role>[a-z]+)\}`(?P<content>[^`]+)`|(?P<ticks>`+)(?s:.+?)(?<!`)(?P=ticks)(?!`)"
)
EXPLICIT_TARGET = re.compile(r"^(?s:.*?)<(?P<target>[^<>]+)>$")
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
REQUIREMENT = re.compile(
    r"^\{ref\}`(?P<id>[A-Z]+-[0-9]{3}) <(?P<label>[a-z]+-[0-9]{3})>`"
    r"\s+\u2014\s+(?P<verb>MUST|SHOULD|MAY),\s+(?P<severity>error|warning|info)\s*$",
    re.MULTILINE,
)


def _name(path: Path) -> str:
    return path.relative_to(REPO_ROOT).as_posix()


def _without_code_blocks(text: str) -> str:
    """``text`` with fenced code blocks blanked; directive fences (```` ```{name} ````) stay."""
    kept: list[str] = []
    closing: str | None = None
    for line in text.splitlines():
        match = FENCE.match(line)
        if closing is not None:
            if match and match.group("fence").startswith(closing) and not match.group("info"):
                closing = None
            kept.append("")
        elif match and not match.group("info").strip().startswith("{"):
            closing = match.group("fence")
            kept.append("")
        else:
            kept.append(line)
    return "\n".join(kept)


def _markdown(path: Path) -> str:
    """The Markdown of a page, or of a notebook's Markdown cells."""
    if path.suffix == ".ipynb":
        notebook = json.loads(path.read_text(encoding="utf-8"))
        return "\n\n".join(
            "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            for cell in notebook["cells"]
            if cell["cell_type"] == "markdown"
        )
    return path.read_text(encoding="utf-8")


def _roles(path: Path, role: str) -> Iterator[str]:
    """The targets of every ``{role}`` in the file's prose (not in code)."""
    for match in ROLE_OR_CODE.finditer(_without_code_blocks(_markdown(path))):
        if match.group("role") != role:
            continue
        content = match.group("content").strip()
        explicit = EXPLICIT_TARGET.match(content)
        yield (explicit.group("target") if explicit else content).strip()


def _defined_labels() -> set[str]:
    labels: set[str] = set()
    for path in [*CHAPTERS, *GUIDE_PAGES, *NOTEBOOK_FILES]:
        labels.update(LABEL_DEFINITION.findall(_without_code_blocks(_markdown(path))))
    return labels


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def _schema_labels() -> set[str]:
    labels = set()
    for path in SCHEMAS.rglob("*.schema.json"):
        label = (
            "schema-"
            + path.relative_to(SCHEMAS)
            .as_posix()
            .removesuffix(".schema.json")
            .replace("/", "-")
            .lower()
        )
        labels.add(label)
        definitions = json.loads(path.read_text(encoding="utf-8")).get("$defs") or {}
        labels.update(f"{label}-{_slug(name)}" for name in definitions)
    return labels


def _generated_labels() -> set[str]:
    rules = catalogue().values()
    return {
        *INDEX_LABELS,
        *(f"artefacts-{kind}" for kind in ARTEFACT_KINDS),
        *(rule.anchor for rule in rules),
        *(f"rules-{rule.family.lower()}" for rule in rules),
        *(f"kodeverk-{kodeverk}" for kodeverk in code_systems()),
        *(f"pathway-{code.lower()}" for code in pathways()),
        *(f"anchor-{anchor_id}" for anchor_id in anchors()),
        *(f"source-{source_id}" for source_id in sources()),
        *_schema_labels(),
    }


KNOWN_LABELS = _generated_labels() | _defined_labels()


def _docname(path: Path) -> str:
    """The document a narrative file becomes on the site."""
    if path.parent == SPEC:
        return f"specification/{path.stem}"
    return path.relative_to(DOCS).with_suffix("").as_posix()


def _known_documents() -> set[str]:
    documents = {
        "index",
        "rules/index",
        "codes/index",
        "pathways/index",
        "pathways/anchors",
        "schemas/index",
        "downloads/index",
        "traceability/index",
        *(f"rules/{rule.family.lower()}" for rule in catalogue().values()),
        *(f"codes/{kodeverk}" for kodeverk in code_systems()),
        *(f"pathways/{code}" for code in pathways()),
        *(
            "schemas/" + path.relative_to(SCHEMAS).as_posix().removesuffix(".schema.json")
            for path in SCHEMAS.rglob("*.schema.json")
        ),
    }
    documents.update(_docname(path) for path in [*CHAPTERS, *GUIDE_PAGES, *NOTEBOOK_FILES])
    documents.update(
        _docname(path)
        for path in DOCS.glob("*/index.md")
        if path.parent.name in {"guides", "notebooks"}
    )
    return documents


def _resolve(docname: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    folder = docname.rpartition("/")[0]
    parts: list[str] = folder.split("/") if folder else []
    for part in target.split("/"):
        if part == "..":
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def _requirements() -> Iterator[tuple[Path, re.Match[str]]]:
    for path in CHAPTERS:
        for match in REQUIREMENT.finditer(_without_code_blocks(_markdown(path))):
            yield path, match


# --------------------------------------------------------------------------------------------
# Rules in the chapters
# --------------------------------------------------------------------------------------------


def test_there_are_chapters_guides_and_notebooks_to_check():
    assert {path.stem for path in CHAPTERS} >= {"index", "scope", "versioning"}
    assert GUIDE_PAGES
    assert NOTEBOOK_FILES


def test_every_catalogue_rule_is_cited_in_a_chapter():
    cited = {target.lower() for path in CHAPTERS for target in _roles(path, "ref")}
    missing = [rule.id for rule in catalogue().values() if rule.anchor not in cited]
    assert missing == [], f"cite these rules in a spec/*.md chapter: {missing}"


def test_every_catalogue_rule_is_stated_as_a_requirement_with_its_verb_and_severity():
    stated = {match.group("id") for _, match in _requirements()}
    missing = sorted(set(catalogue()) - stated)
    assert missing == [], (
        f"state these rules in a chapter as `{{ref}}`ID <label>` \u2014 VERB, severity`: {missing}"
    )


def test_a_verb_and_severity_written_beside_a_rule_id_are_the_catalogues():
    rules = catalogue()
    wrong = []
    for path, match in _requirements():
        rule = rules.get(match.group("id"))
        if rule is None:
            wrong.append(f"{_name(path)}: {match.group('id')} is not in the catalogue")
            continue
        if match.group("label") != rule.anchor:
            wrong.append(f"{_name(path)}: {rule.id} links to {match.group('label')}")
        written = (match.group("verb"), match.group("severity"))
        if written != (rule.verb.value, rule.severity.value):
            wrong.append(
                f"{_name(path)}: {rule.id} is written {written[0]}, {written[1]}; the "
                f"catalogue says {rule.verb.value}, {rule.severity.value}"
            )
    assert wrong == [], "\n".join(wrong)


def test_every_time_limit_rule_is_information_as_the_chapters_say():
    # spec/time-limits.md and spec/scope.md: time limits are guidance and never fail a run.
    graded = {r.id: r.severity.value for r in catalogue().values() if r.family == "TIMELIMIT"}
    assert graded
    assert dict.fromkeys(graded, "info") == graded


# --------------------------------------------------------------------------------------------
# Sources and structure
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.name)
def test_every_chapter_cites_a_listed_source_or_a_helsedirektoratet_page(chapter):
    text = chapter.read_text(encoding="utf-8")
    assert SOURCE_REF.search(text) or HELSEDIREKTORATET.search(text), (
        f"{_name(chapter)} refers to no entry of the Sources page and no helsedirektoratet.no page"
    )


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.name)
def test_every_chapter_opens_with_a_label_and_a_title(chapter):
    lines = [line for line in chapter.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert LABEL_DEFINITION.match(lines[0]), f"{_name(chapter)}: start with a (label)= line"
    assert lines[1].startswith("# "), f"{_name(chapter)}: the label must precede the title"


def test_the_specification_index_lists_every_chapter_in_its_toctree():
    text = (SPEC / "index.md").read_text(encoding="utf-8")
    toctree = re.search(r"```\{toctree\}\n(?P<body>.*?)```", text, re.DOTALL)
    assert toctree, "spec/index.md needs a toctree of the chapters"
    entries = [
        line.strip()
        for line in toctree.group("body").splitlines()
        if line.strip() and not line.strip().startswith(":")
    ]
    chapters = {path.stem for path in CHAPTERS} - {"index"}
    assert sorted(chapters - set(entries)) == [], "add these chapters to spec/index.md"
    assert sorted(set(entries) - chapters) == [], "spec/index.md names chapters that do not exist"
    assert len(entries) == len(set(entries)), "a chapter is listed twice"


# --------------------------------------------------------------------------------------------
# Links
# --------------------------------------------------------------------------------------------

LINKING_FILES = [*CHAPTERS, *GUIDE_PAGES, *NOTEBOOK_FILES]


@pytest.mark.parametrize("path", LINKING_FILES, ids=_name)
def test_every_ref_names_a_label_the_site_defines(path):
    unknown = sorted({t for t in _roles(path, "ref") if t.lower() not in KNOWN_LABELS})
    assert unknown == [], f"{_name(path)}: no such label: {unknown}"


@pytest.mark.parametrize("path", LINKING_FILES, ids=_name)
def test_every_doc_link_names_a_page_the_site_has(path):
    documents = _known_documents()
    docname = _docname(path)
    unknown = sorted(
        target for target in _roles(path, "doc") if _resolve(docname, target) not in documents
    )
    assert unknown == [], f"{_name(path)}: no such page: {unknown}"


def test_the_label_check_is_not_blind():
    assert "referral-001" in KNOWN_LABELS
    assert "schema-v1-defs-patient" in KNOWN_LABELS
    assert "spec-scope" in KNOWN_LABELS
    assert "referral-999" not in KNOWN_LABELS
    sample = "{ref}`A <referral-001>` and `` {ref}`not-a-role` `` and {ref}`pathway-d11`"
    found = [m.group("content") for m in ROLE_OR_CODE.finditer(sample) if m.group("role")]
    assert found == ["A <referral-001>", "pathway-d11"]


# --------------------------------------------------------------------------------------------
# Notebooks
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("notebook", NOTEBOOK_FILES, ids=lambda path: path.name)
def test_a_notebook_is_an_nbformat_4_document(notebook):
    document = json.loads(notebook.read_text(encoding="utf-8"))
    assert document["nbformat"] == 4
    assert document["metadata"]["kernelspec"]["language"] == "python"
    assert document["cells"], "an empty notebook"
    assert document["cells"][0]["cell_type"] == "markdown", "open with a title"


@pytest.mark.parametrize("notebook", NOTEBOOK_FILES, ids=lambda path: path.name)
def test_a_notebook_validates_against_the_nbformat_schema(notebook):
    nbformat = pytest.importorskip("nbformat", reason='needs the docs extra: pip install ".[docs]"')
    nbformat.validate(nbformat.read(notebook, as_version=nbformat.NO_CONVERT))


@pytest.mark.parametrize("notebook", NOTEBOOK_FILES, ids=lambda path: path.name)
def test_a_notebook_is_committed_without_outputs(notebook):
    document = json.loads(notebook.read_text(encoding="utf-8"))
    stored = [
        index
        for index, cell in enumerate(document["cells"])
        if cell["cell_type"] == "code" and (cell["outputs"] or cell["execution_count"] is not None)
    ]
    assert stored == [], f"cells {stored} have stored outputs: the docs build executes them"


def test_the_notebooks_are_what_make_notebooks_writes():
    nbformat = pytest.importorskip("nbformat", reason='needs the docs extra: pip install ".[docs]"')
    import importlib.util  # noqa: PLC0415

    spec = importlib.util.spec_from_file_location("make_notebooks", NOTEBOOKS / "make_notebooks.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert set(module.NOTEBOOKS) == {path.name for path in NOTEBOOK_FILES}
    for name, build in module.NOTEBOOKS.items():
        committed = (NOTEBOOKS / name).read_text(encoding="utf-8")
        assert nbformat.writes(build()).rstrip() == committed.rstrip(), (
            f"{name} differs from its cells in make_notebooks.py: edit the script and run it"
        )
