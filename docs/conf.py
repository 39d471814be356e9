"""Sphinx configuration of the pakkeforlop site.

Build (offline, warnings are errors, every cross-reference must resolve)::

    python -m sphinx -W --keep-going -n -b html docs docs/_build/html

The reference pages (schemas, code systems, pathways, rules) and the downloadable artefacts
are generated at build time from the data in the repository by ``docs/_ext/pakkeforlop_docs.py``;
they are never edited by hand and never committed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent
SRC = REPO / "src"

# The site documents this checkout: import the package from src/ (not an older installed
# copy), and let notebook kernels, which run in their own processes, do the same.
sys.path.insert(0, str(SRC))
sys.path.insert(0, str(DOCS / "_ext"))
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(SRC), *filter(None, [os.environ.get("PYTHONPATH")])]
)
os.environ.setdefault("MPLBACKEND", "Agg")

import pakkeforlop  # noqa: E402

project = "pakkeforlop"
author = "pakkeforlop contributors"
copyright = "pakkeforlop contributors"
# Two versions, each named: the specification's (of the schemas, code lists and rules) and the
# kit's (the Python package); `pakkeforlop --version` prints both the same way.
release = pakkeforlop.SPEC_VERSION
version = release
language = "en"

extensions = [
    "myst_nb",  # MyST Markdown and executed notebooks (it loads myst_parser itself)
    "pakkeforlop_docs",  # generated reference pages and downloadable artefacts
    "pakkeforlop_safety",  # the safety page's figures, from the code's own limits
    "pakkeforlop_samples",  # sample output in the guides, made by running the kit
    "sphinx.ext.autodoc",  # the API reference, from the docstrings
]

# The API reference (reference/api.md): signatures with their types, documented members only.
autodoc_typehints = "none"  # the types are in the docstrings' prose; py.typed has them all
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": False}
# Modules the API reference names in passing but does not document (internals).
nitpick_ignore = [("py:mod", "pakkeforlop.engine.caps"), ("py:class", "enum.StrEnum")]

# The published URL of the site; Rule.url (pakkeforlop.data.catalogue) points into it.
html_baseurl = "https://pakkeforlop.no/docs/"

exclude_patterns = [
    "_build",
    "_artefacts",
    "jupyter_execute",
    ".jupyter_cache",
    "**/.ipynb_checkpoints",
]

# The narrative text is published verbatim: no curly quotes or dashes in messages and codes.
smartquotes = False


# MyST Markdown.
myst_enable_extensions = ["colon_fence", "deflist", "fieldlist", "substitution"]
myst_heading_anchors = 3

# myst-nb: every notebook is executed on every build, and a failing cell fails the build.
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 120
nb_merge_streams = True

# HTML: furo, with Sphinx's own offline search; nothing is loaded from the network.
html_theme = "furo"
html_title = f"pakkeforlop: specification {release} (kit {pakkeforlop.__version__})"
html_static_path = ["_static"]
html_css_files = ["pakkeforlop.css"]
html_favicon = "_static/favicon.svg"
html_copy_source = False
html_show_sourcelink = False
html_extra_path = ["_artefacts"]  # written by pakkeforlop_docs: /artefacts/...
html_theme_options = {
    "navigation_with_keys": True,
}
