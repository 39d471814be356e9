"""Build every generated page and artefact, in an order that lets each page link the others'."""

from __future__ import annotations

from generated_pages import (
    citations,
    code_pages,
    downloads_page,
    pathway_pages,
    rule_pages,
    schema_pages,
    specification_pages,
    traceability_page,
)
from generated_pages.data import Data
from generated_pages.site import Site


def build(data: Data, base_url: str = "") -> Site:
    """The whole generated site. The downloads page comes last: it lists the artefacts that the
    other pages publish, in the order they published them."""
    site = Site(data, base_url)
    schema_pages.build(site)
    code_pages.build(site)
    pathway_pages.build(site)
    rule_pages.build(site)
    traceability_page.build(site)
    site.put(citations.DOCNAME, citations.page())
    specification_pages.build(site)
    downloads_page.build(site)
    return site
