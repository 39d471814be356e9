"""Memos that let several checks share what they derive from one document or one export."""

from __future__ import annotations

import sys

from pakkeforlop.checks import ExportView
from pakkeforlop.model import Document, ExportFacts
from pakkeforlop.rules._per_document import forget_latest, per_document, per_view


def test_a_forgotten_memo_no_longer_holds_its_document():
    calls = []

    @per_document
    def counted(document: Document, _facts: ExportFacts) -> int:
        calls.append(document.path)
        return len(calls)

    document, facts = Document("referral", "a.json", {}), ExportFacts("", None, None, None)
    assert counted(document, facts) == counted(document, facts) == 1
    held = sys.getrefcount(document)
    forget_latest()
    assert sys.getrefcount(document) == held - 1
    assert counted(document, facts) == 2


def test_an_export_view_is_worked_on_once_for_every_check_that_asks():
    calls = []

    @per_view
    def counted(view: ExportView) -> int:
        calls.append(view)
        return len(calls)

    view = ExportView(ExportFacts("", None, None, None), {})
    assert counted(view) == counted(view) == 1
    assert counted(ExportView(ExportFacts("", None, None, None), {})) == 2
    forget_latest()
    assert counted(view) == 3
