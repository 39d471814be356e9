"""The site's generated reference pages and downloadable artefacts, built from the data.

The Sphinx extension ``pakkeforlop_docs`` runs :func:`generated_pages.build.build` on every
build and writes the result; each module here makes one family of pages:

* ``schema_pages`` (with ``schema_view``, the merged view of a subschema, and ``schema_text``,
  how a view reads in a table), ``code_pages``, ``pathway_pages`` (with ``timeline``, the SVG),
  ``rule_pages``, ``traceability_page``, ``specification_pages`` (with ``kith_examples``),
  ``downloads_page`` and the Sources page of ``citations``;
* ``markdown`` holds the Markdown building blocks, ``data`` reads the data, ``site`` keeps the
  pages and artefacts, and ``sync`` writes them.

Anchors and labels (the link contract):

* a rule's section has the HTML id ``Rule.anchor`` (the rule id in lower case) on the page
  ``rules/<family in lower case>.html``, which is what ``Rule.url`` points at; the Sphinx
  label is the same string, so ``{ref}`referral-001``` works in any page;
* ``kodeverk-<NNNN>`` labels a code system's page, ``pathway-<code>`` a pathway's page (code in
  lower case), ``anchor-<id>`` a pathway step, ``schema-<path>`` a schema page (``schema-v1-
  referral``, ``schema-v1-codes-kodeverk-9321``) and ``schema-<path>-<def>`` one of its
  ``$defs`` (lower case);
* a code's row on its code-system page has the HTML id ``code-<code in lower case>``.
"""
