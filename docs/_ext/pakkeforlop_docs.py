"""Sphinx extension: the site's generated reference pages and downloadable artefacts.

Nothing in the reference is copied by hand. On every build (``config-inited``) this extension
reads the data through the package's own loaders, builds the pages with the ``generated_pages``
package (one module per family of pages; its docstring gives the link contract) and writes:

* Markdown pages into ``docs/rules/``, ``docs/schemas/``, ``docs/codes/``, ``docs/pathways/``,
  ``docs/specification/``, ``docs/traceability/``, ``docs/sources/`` and ``docs/downloads/``
  (git-ignored; a file is rewritten only when its content changes, so incremental builds stay
  incremental, and files no longer backed by data are removed);
* the published artefacts into ``docs/_artefacts/artefacts/`` (``html_extra_path``), served at
  ``/artefacts/`` with ``artefacts/index.json`` listing every one with its SHA-256.

It also adds the ``folder-toctree`` directive.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any

from docutils.nodes import Node
from docutils.statemachine import StringList
from generated_pages.build import build
from generated_pages.data import Data
from generated_pages.site import ARTEFACTS, ARTEFACTS_ROOT, BASE_URL, GENERATED_DIRS
from generated_pages.sync import sync
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.directives.other import TocTree
from sphinx.util import logging

import pakkeforlop
from pakkeforlop.data import catalogue as catalogue_module

__all__ = ["generate", "setup"]

LOGGER = logging.getLogger(__name__)


def generate(app: Sphinx, config: Config) -> None:
    """Write the generated pages and artefacts (``config-inited``)."""
    srcdir = Path(app.srcdir)
    base_url = config.html_baseurl or BASE_URL
    _check_rule_urls(base_url)
    site = build(Data.load(srcdir.parent.resolve()), base_url)
    written = sync(
        srcdir, {rel: text.encode("utf-8") for rel, text in site.pages.items()}, GENERATED_DIRS
    )
    artefacts = site.artefacts()
    written += sync(srcdir / ARTEFACTS_ROOT, artefacts, [ARTEFACTS])
    LOGGER.info(
        "pakkeforlop_docs: %d pages and %d artefacts from the data (%d files changed)",
        len(site.pages),
        len(artefacts),
        written,
    )


def _check_rule_urls(base_url: str) -> None:
    """Warn when ``Rule.url`` (what findings link to) does not point into this site."""
    contract = catalogue_module.DOCS_RULE_URL
    if not contract.startswith(base_url) or not contract.removeprefix(base_url).startswith(
        "rules/{family}.html#{anchor}"
    ):
        LOGGER.warning(
            "Rule.url (%s) does not point into this site (%srules/<family>.html#<anchor>)",
            contract,
            base_url,
        )


class FolderToctree(TocTree):
    """A toctree of every other document in the current document's folder (and below).

    Unlike a glob toctree it says nothing when the folder is still empty, so that
    ``guides/`` and ``notebooks/`` can start empty and fill up without touching their index.
    Documents are listed in the order of their names.
    """

    def run(self) -> list[Node]:
        env = self.state.document.settings.env
        folder = posixpath.dirname(env.docname)
        prefix = f"{folder}/" if folder else ""
        names = sorted(
            name for name in env.found_docs if name.startswith(prefix) and name != env.docname
        )
        self.content = StringList([f"/{name}" for name in names], source=env.docname)
        return super().run()


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the generator (it runs before Sphinx validates ``html_extra_path``)."""
    app.connect("config-inited", generate, priority=100)
    app.add_directive("folder-toctree", FolderToctree)
    return {
        "version": pakkeforlop.SPEC_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
