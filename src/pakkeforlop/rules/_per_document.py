"""What several checks of one document (or of one export) need, computed once and shared.

The result is kept in the document's (or the export view's) own ``memo``, so it lives exactly
as long as what it was computed from: nothing to forget, and no state outside the subject.
A result is reused only for the same export facts (compared by identity).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from functools import wraps
from typing import Generic, TypeVar, cast

from pakkeforlop.data.schema_paths import members_lookup, members_reader, string_reader
from pakkeforlop.model import pointers
from pakkeforlop.model.records import Document, ExportFacts
from pakkeforlop.rules.checks import ExportView

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


def per_document(
    function: Callable[[Document, ExportFacts], T],
) -> Callable[[Document, ExportFacts], T]:
    """Memoise ``function`` in each document, for the export facts it was computed with.

    (The memo's answer is typed by annotation, not ``typing.cast``: that is a call at run
    time, and the patient's number is asked for five times in every document.)
    """

    @wraps(function)
    def memoised(document: Document, facts: ExportFacts) -> T:
        known = document.memo.get(function)
        if known is not None and known[0] is facts:
            remembered: T = known[1]
            return remembered
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


#: JSON's whitespace, between tokens.
_SPACE = rb"[ \t\r\n]*"
#: A string without a backslash: the characters between its quotes are the value's.
_STRING = rb'"([^"]*)"'
_ANY_STRING = rb'"[^"]*"'


def _written(*names: str, string: bytes = _STRING) -> bytes:
    """Members with these names and string values, one after another."""
    separator = _SPACE + b"," + _SPACE
    return separator.join(
        re.escape(f'"{name}"'.encode()) + _SPACE + b":" + _SPACE + string for name in names
    )


#: An object whose first members are string ``system``, ``code`` and ``display``: their values.
TRIPLE = re.compile(rb"\{" + _SPACE + _written("system", "code", "display"))
#: The same objects' text from the brace to the display's closing quote, in one piece.
_TRIPLE_TEXT = re.compile(
    rb"\{" + _SPACE + _written("system", "code", "display", string=_ANY_STRING)
)
#: What follows a member's name: the colon, and the value's characters when it is a string.
_AFTER_NAME = re.compile(_SPACE + b":" + _SPACE + b"(?:" + _STRING + b")?")


class PlainText:
    """A document's text that writes no key twice and holds no backslash (see
    :meth:`pakkeforlop.read.JsonText.plain_bytes`), searched at C speed for what checks that
    look everywhere in the document need: when its values give no finding, the walk of every
    object (:func:`document_index`), which finds the places of findings, is not needed.

    Values are given as the text writes them (bytes, not decoded): in such a text a string's
    bytes between its quotes are its UTF-8 value, and the checks judge the few values that
    recur in document after document by these bytes (:class:`Verdicts`), without decoding.
    """

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def strings(self, name: str) -> list[bytes]:
        """The value of every member called ``name`` that is a string, in document order.

        The name is looked for as plain bytes, and only where it is found is the rest of the
        member matched: what a regular expression's search would find, several times faster
        than its scan of the whole text.
        """
        data = self.data
        quoted = f'"{name}"'.encode()
        found: list[bytes] = []
        at = data.find(quoted)
        while at != -1:
            member = _AFTER_NAME.match(data, at + len(quoted))
            if member is None:  # the name as a string value, not a member's
                at = data.find(quoted, at + 1)
                continue
            value = member.group(1)
            if value is not None:  # else a member whose value is not a string
                found.append(value)
            at = data.find(quoted, member.end())
        return found

    def coded(self) -> list[bytes] | None:
        """The text of every object with string ``system``, ``code`` and ``display`` members,
        from its brace to the display's end (:data:`TRIPLE` reads the three values from it),
        when each is written with those three first, in that order (and no string but a
        member name is ``"display"``); else ``None``."""
        found = _TRIPLE_TEXT.findall(self.data)
        if len(found) != self.data.count(b'"display"'):
            return None
        return found


class Verdicts(Generic[K]):
    """Whether a value gives a finding, memoised by the value as found: its bytes as a plain
    text writes it, or the decoded value (or values) where a document's schema places it.

    Why: the checks that look everywhere in a document meet the same few values in document
    after document (the code lists' codes with their texts, a hospital's organisation number,
    its doctors' HPR numbers). Judged afresh, each costs decoding, a memo keyed by several new
    strings and the check's logic; here a value seen before costs one dictionary look-up. A
    verdict depends only on the value and on what the kit ships (its code lists), never on
    the run, so the memo needs no clearing between runs. It holds at most ``kept`` values
    (each a few dozen bytes); a full memo starts afresh.
    """

    __slots__ = ("judge", "kept", "known")

    def __init__(self, judge: Callable[[K], bool], kept: int) -> None:
        #: The full logic: whether the value, as found, gives a finding.
        self.judge = judge
        self.kept = kept
        self.known: dict[K, bool] = {}

    def clear(self) -> None:
        """Forget every verdict."""
        self.known.clear()

    def none_flagged(self, values: Iterable[K]) -> bool:
        """Whether no value gives a finding (those not seen before are judged and kept)."""
        known = self.known
        for value in values:
            flagged = known.get(value)
            if flagged is None:
                if len(known) >= self.kept:
                    known.clear()
                flagged = known[value] = self.judge(value)
            if flagged:
                return False
        return True


def placed(document: Document, name: str) -> list[str] | None:
    """Every string value of a member called ``name`` in a document that passed its schema,
    read where the schema places such members (see :mod:`pakkeforlop.data.schema_paths`): a
    few look-ups, not a walk or a search of the whole document. ``None`` for a document that
    did not pass (a member may be anywhere in it), or whose schema leaves a place open."""
    if document.passed is None:
        return None
    read = string_reader(document.passed, name)
    return None if read is None else read(document.value)


def placed_members(document: Document, names: tuple[str, ...]) -> list[tuple[str, ...]] | None:
    """As :func:`placed`, for the objects with string members of all these ``names``: the
    tuple of their values, for each."""
    if document.passed is None:
        return None
    read = members_reader(document.passed, names)
    return None if read is None else read(document.value)


def none_placed_flagged(
    document: Document, names: tuple[str, ...], verdicts: Verdicts[tuple[str, ...]]
) -> bool | None:
    """As ``verdicts.none_flagged(placed_members(document, names))``, and ``None`` where that
    reader gives ``None``: those ``verdicts`` must judge only what such a reader gives.

    Why: nearly every document holds only tuples judged in earlier documents; those are looked
    up where the schema places them as they are met (:func:`~pakkeforlop.data.schema_paths.
    members_lookup`), without a list of them or a test of their members' types first, at
    half the cost. A document with a tuple not judged yet is read and judged in full.
    """
    if document.passed is None:
        return None
    lookup = members_lookup(document.passed, names)
    if lookup is None:
        return None
    answer = lookup(document.value, verdicts.known)
    if answer is not None:
        return not answer
    return verdicts.none_flagged(placed_members(document, names) or ())


@per_document
def plain_text(document: Document, _facts: ExportFacts) -> PlainText | None:
    """The document's text when it can be searched instead of walked (see :class:`PlainText`)."""
    source = document.source
    data = source.plain_bytes() if source is not None and document.origin is None else None
    return None if data is None else PlainText(data)
