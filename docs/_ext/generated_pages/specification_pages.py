"""The specification's narrative chapters (``spec/*.md``), included in reading order."""

from __future__ import annotations

import posixpath
import re

from generated_pages import kith_examples
from generated_pages.markdown import inline, paragraphs, toctree
from generated_pages.site import Site

#: The narrative chapters (spec/*.md) in reading order; others follow alphabetically.
CHAPTER_ORDER = (
    "index",
    "scope",
    "pathways",
    "referral",
    "epicrisis",
    "feedback",
    "measurement-points",
    "time-limits",
    "identifiers",
    "privacy",
    "versioning",
)


def build(site: Site) -> None:
    """A page per chapter that includes it (the KITH chapter gains its mapped examples), and
    an index when the chapters have none of their own."""
    spec = site.data.repo / "spec"
    chapters = sorted(
        (path for path in spec.glob("*.md") if path.stem.lower() != "readme"),
        key=lambda path: (_chapter_rank(path.stem), path.stem),
    )
    folder = (site.data.repo / "docs" / "specification").as_posix()
    for chapter in chapters:
        rel = posixpath.relpath(chapter.as_posix(), folder)
        site.put(
            f"specification/{chapter.stem}",
            f"```{{include}} {rel}\n:relative-images:\n```\n"
            + (kith_examples.section(site.data.repo) if chapter.stem == "kith-mapping" else ""),
        )
    if any(chapter.stem == "index" for chapter in chapters):
        return
    names = [f"/specification/{chapter.stem}" for chapter in chapters]
    site.page(
        "specification/index",
        "(specification)=\n# Specification",
        paragraphs(
            "The narrative chapters of the specification, written by the health "
            "authority in `spec/*.md`."
        )
        + ("" if chapters else " " + inline("No chapter is published yet.")),
        toctree(names, maxdepth=2) if names else "",
    )


def _chapter_rank(stem: str) -> int:
    normal = stem.lower().replace("_", "-")
    normal = re.sub(r"^[0-9]+[-.]?", "", normal)
    return CHAPTER_ORDER.index(normal) if normal in CHAPTER_ORDER else len(CHAPTER_ORDER)
