"""What several checks of one document (or of one export) need, computed once and shared.

The result is kept in the document's (or the export view's) own ``memo``, so it lives exactly
as long as what it was computed from: nothing to forget, and no state outside the subject.
A result is reused only for the same export facts (compared by identity).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar, cast

from pakkeforlop import pointers
from pakkeforlop.checks import ExportView
from pakkeforlop.model import Document, ExportFacts

T = TypeVar("T")


def per_document(
    function: Callable[[Document, ExportFacts], T],
) -> Callable[[Document, ExportFacts], T]:
    """Memoise ``function`` in each document, for the export facts it was computed with."""

    @wraps(function)
    def memoised(document: Document, facts: ExportFacts) -> T:
        known = document.memo.get(function)
        if known is not None and known[0] is facts:
            return cast(T, known[1])
        result = function(document, facts)
        document.memo[function] = (facts, result)
        return result

    return memoised


def per_view(function: Callable[[ExportView], T]) -> Callable[[ExportView], T]:
    """Memoise ``function`` in each export view."""

    @wraps(function)
    def memoised(view: ExportView) -> T:
        if function not in view.memo:
            view.memo[function] = function(view)
        return cast(T, view.memo[function])

    return memoised


@per_document
def document_index(document: Document, _facts: ExportFacts) -> pointers.Index:
    """The document's objects, walked once for every check that looks everywhere in it."""
    return pointers.index(document.value)
