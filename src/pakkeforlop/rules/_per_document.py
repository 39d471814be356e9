"""What several checks of one document (or of one export) need, computed once and shared.

The engine runs every document check on one document before it reads the next, and every
export check on one export before the next, so keeping the latest result is enough for the
checks to share it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from pakkeforlop import pointers
from pakkeforlop.checks import ExportView
from pakkeforlop.model import Document, ExportFacts

T = TypeVar("T")

#: How to empty each memo.
_forgetters: list[Callable[[], None]] = []


def forget_latest() -> None:
    """Empty every memo, so that none keeps the latest document (a large manifest, say) or
    export alive."""
    for forget in _forgetters:
        forget()


def per_document(
    function: Callable[[Document, ExportFacts], T],
) -> Callable[[Document, ExportFacts], T]:
    """Memoise ``function`` for the latest document and export facts, compared by identity.

    The memo holds the document and the facts it was computed for, so no other object can
    take their identity while it stands; a new document, or another run's facts, recomputes.
    """
    latest: tuple[Document, ExportFacts, T] | None = None

    @wraps(function)
    def memoised(document: Document, facts: ExportFacts) -> T:
        nonlocal latest
        remembered = latest
        if remembered is not None and remembered[0] is document and remembered[1] is facts:
            return remembered[2]
        result = function(document, facts)
        latest = (document, facts, result)
        return result

    def forget() -> None:
        nonlocal latest
        latest = None

    _forgetters.append(forget)
    return memoised


def per_view(function: Callable[[ExportView], T]) -> Callable[[ExportView], T]:
    """Memoise ``function`` for the latest export view, compared by identity (as above)."""
    latest: tuple[ExportView, T] | None = None

    @wraps(function)
    def memoised(view: ExportView) -> T:
        nonlocal latest
        if latest is None or latest[0] is not view:
            latest = (view, function(view))
        return latest[1]

    def forget() -> None:
        nonlocal latest
        latest = None

    _forgetters.append(forget)
    return memoised


@per_document
def document_index(document: Document, _facts: ExportFacts) -> pointers.Index:
    """The document's objects, walked once for every check that looks everywhere in it."""
    return pointers.index(document.value)
