"""What every printed form of a report does to strings taken from the input.

Two guards, applied by every renderer (:mod:`pakkeforlop.report.formats`) and by the fingerprints
(:mod:`pakkeforlop.report.fingerprints`): :func:`redact` masks anything shaped like a Norwegian
person number or DUF number, so that an exporter that names files or instances after the patient
does not leak the number; :func:`clean` escapes what must never reach a terminal, an XML or an HTML
page as it is.
"""

from __future__ import annotations

import re

from pakkeforlop.model.identifiers import mask

__all__ = ["clean", "redact"]

#: A Norwegian person number in any of the forms people write it: 11 digits (14038510070), the
#: birth date and the individual number apart (140385 10070, 140385-10070), the date's parts
#: apart too (14.03.85.10070, 14 03 85 10070); and a DUF number (12 digits).
_PERSON_NUMBER = re.compile(
    r"(?<![0-9])(?:[0-9]{11,12}"
    r"|[0-9]{6}[ .-][0-9]{5}"
    r"|[0-9]{2}([ .-])[0-9]{2}\1[0-9]{2}[ .-]?[0-9]{5})(?![0-9])"
)
#: What must never reach a terminal, an XML or an HTML page as it is: C0 and C1 control
#: characters (ANSI escape sequences start with ESC), lone surrogates (undecodable bytes in
#: file names), and the invisible format characters that reorder or hide text: the bidi
#: controls (U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069; the "Trojan Source"
#: characters of CVE-2021-42574), zero-width characters, line and paragraph separators, the
#: soft hyphen, word joiners and the byte order mark.
_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f"
    "\ufeff\ufff9-\ufffb\ud800-\udfff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def clean(value: str) -> str:
    """``value`` with control, bidi and other invisible characters and lone surrogates
    written as escapes (``\\x1b``, ``\\u202e``).

    Reports are read in terminals, XML and HTML: a file name or a message must not move the
    cursor, colour the terminal, reorder what a reader sees, break an XML document or fail to
    encode as UTF-8.
    """
    return _UNPRINTABLE.sub(_escape, value)


def redact(value: str, *, masked: bool) -> str:
    """``value`` with anything shaped like a person number or DUF number masked, in any of the
    forms people write them (``14038510070``, ``140385 10070``, ``14.03.85.10070``), when
    ``masked`` is true."""
    if not masked:
        return value
    return _PERSON_NUMBER.sub(lambda match: mask(match.group()), value)
