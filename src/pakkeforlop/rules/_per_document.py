"""What several checks of one document need, computed once per document and shared.

The engine runs every document check on one document before it reads the next, so keeping
the latest document's result is enough for the checks to share it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from pakkeforlop import pointers
from pakkeforlop.model import Document, ExportFacts

T = TypeVar("T")

#: How to empty each memo.
_forgetters: list[Callable[[], None]] = []


def forget_documents() -> None:
    """Empty every memo, so that none keeps the latest document (a large manifest, say) alive."""
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


@per_document
def document_index(document: Document, _facts: ExportFacts) -> pointers.Index:
    """The document's objects, walked once for every check that looks everywhere in it."""
    return pointers.index(document.value)
