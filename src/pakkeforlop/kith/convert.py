"""The values of the KITH mapping: how the text or attribute a row finds becomes a JSON value.

A row of a mapping table (``spec/kith/*.toml``) names one of these converters in ``value``.
Each takes the element the row's XPath found and the row, and returns a :class:`Reading`: the
JSON value, the ``(element, attribute)`` pairs it carries (the KITH rules leave those to the
JSON rules) and, for an object, the element each of its members came from. Values are carried
over as they are, so that the JSON Schema reports a malformed one at the element it came from;
the few derived values are documented in spec/kith-mapping.md ("Values").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Final

from pakkeforlop.data.codes import VOLVEN_OID_PREFIX, code_system
from pakkeforlop.kith.datatypes import calendar_date, parse_boolean, parse_datetime
from pakkeforlop.kith.message import Element, attr, child, local, namespace, text
from pakkeforlop.kith.table import Row

__all__ = [
    "CONVERTERS",
    "DESCRIPTIONS",
    "Reading",
    "label",
    "lines_of",
    "norwegian_offset",
    "to_date",
    "to_datetime",
]

OID_9034: Final = VOLVEN_OID_PREFIX + "9034"
OID_9101: Final = VOLVEN_OID_PREFIX + "9101"
OID_9321: Final = VOLVEN_OID_PREFIX + "9321"
OID_9327: Final = VOLVEN_OID_PREFIX + "9327"
#: ATC groups of psychotropic drugs: N05 psycholeptics, N06 psychoanaleptics.
PSYCHOTROPIC_ATC: Final = ("N05", "N06")
#: The person-number types of kodeverk 8116 a patient identifier may have (the JSON model's).
PERSON_NUMBERS: Final = frozenset({"FNR", "DNR", "HNR", "FHN", "DUF"})

_SPACE = re.compile(r"\s+")
Covered = tuple[tuple[Element, str], ...]


@dataclass(frozen=True, slots=True)
class Reading:
    """A converted value, what it carries, and where its members came from."""

    value: Any
    covered: Covered = ()
    parts: Mapping[str, Element] = field(default_factory=dict)  # sub-pointer → element


def raw(element: Element, read: str) -> str | None:
    """The element's text (``read == "text"``) or attribute, stripped; ``None`` when empty."""
    found = text(element) if read == "text" else attr(element, read)
    found = found.strip() if found is not None else None
    return found or None


def lines_of(element: Element | None) -> str | None:
    """An element's text (XHTML included), one line per line of text, blank lines dropped."""
    if element is None:
        return None
    lines = (line.strip() for line in "".join(element.itertext()).splitlines())
    return "\n".join(line for line in lines if line) or None


def _lines(element: Element, _row: Row) -> Reading | None:
    found = lines_of(element)
    return None if found is None else Reading(found, ((element, "text"),))


def label(value: str | None) -> str | None:
    """A heading label as the tables compare it: NFC, single spaces, no case."""
    if value is None:
        return None
    return _SPACE.sub(" ", unicodedata.normalize("NFC", value)).strip().casefold() or None


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def norwegian_offset(moment: datetime) -> str:
    """The UTC offset of Norwegian local time at a naive local ``moment``.

    Norway follows the EU summer-time rules (last Sunday of March 02:00 to last Sunday of
    October 03:00, in force since 1996); in the repeated hour of October, summer time is taken.
    """
    start = datetime.combine(_last_sunday(moment.year, 3), datetime.min.time()).replace(hour=2)
    end = datetime.combine(_last_sunday(moment.year, 10), datetime.min.time()).replace(hour=3)
    return "+02:00" if start <= moment < end else "+01:00"


def to_datetime(value: str | None) -> str | None:
    """An xs:dateTime as RFC 3339: kept as it is with an offset; a local time gets Norway's.

    Text that is not an xs:dateTime, or one RFC 3339 cannot write (a year outside 0001-9999,
    24:00:00), is returned as it is, for the schema to report.
    """
    if value is None:
        return None
    stripped = value.strip()
    moment = parse_datetime(stripped)
    if moment is None or moment.offset is not None or not 1 <= moment.year <= 9999:
        return stripped
    if moment.hour == 24:
        return stripped
    local_time = datetime(moment.year, moment.month, moment.day, moment.hour, moment.minute)
    return f"{stripped}{norwegian_offset(local_time)}"


def to_date(value: str | None) -> str | None:
    """An xs:date (or the day of an xs:dateTime) as ``YYYY-MM-DD``; other text unchanged."""
    if value is None:
        return None
    stripped = value.strip()
    return calendar_date(stripped) or stripped


def _plain(convert: Callable[[str], Any]) -> Callable[[Element, Row], Reading | None]:
    """A converter of the text or attribute the row reads, which it carries."""

    def converter(element: Element, row: Row) -> Reading | None:
        found = raw(element, row.read)
        if found is None:
            return None
        value = convert(found)
        return None if value is None else Reading(value, ((element, row.read),))

    return converter


def _boolean(found: str) -> bool | str:
    parsed = parse_boolean(found)
    return found if parsed is None else parsed


def _prefixed(prefix: str) -> Callable[[str], str | None]:
    def convert(found: str) -> str | None:
        return found[len(prefix) :].strip() or None if found.lower().startswith(prefix) else None

    return convert


def _mapped(element: Element, row: Row) -> Reading | None:
    """A code translated by the row's table; other codes give no value (nothing carried)."""
    found = raw(element, row.read)
    value = row.map.get(found) if found is not None else None
    return None if value is None else Reading(value)


def _sibling(element: Element, names: tuple[str, ...]) -> Element | None:
    parent = element.getparent()
    for name in names:
        found = child(parent, name)
        if found is not None and namespace(found) == namespace(element):
            return found
    return None


def _identifier(element: Element, _row: Row) -> Reading | None:
    """The text of an ``Id``; its type (``TypeId`` or ``Type`` beside it) is carried too."""
    found = raw(element, "text")
    if found is None:
        return None
    type_element = _sibling(element, ("TypeId", "Type"))
    covered: Covered = ((element, "text"),)
    if type_element is not None:
        covered += ((type_element, "V"),)
    return Reading(found, covered)


def _person_identifier(element: Element, _row: Row) -> Reading | None:
    """``{type, value}`` of an ``Ident`` (Id + TypeId) or a KITH v1 ``OffId`` + ``TypeOffId``."""
    id_element = child(element, "Id") if local(element) == "Ident" else child(element, "OffId")
    type_element = (
        child(element, "TypeId") if local(element) == "Ident" else child(element, "TypeOffId")
    )
    kind = attr(type_element, "V")
    if id_element is None or type_element is None or kind not in PERSON_NUMBERS:
        return None
    return Reading(
        {"type": kind, "value": text(id_element) or ""},
        ((id_element, "text"), (type_element, "V")),
        {"/type": type_element, "/value": id_element},
    )


def _person_name(element: Element, _row: Row) -> Reading | None:
    """``{given, family}`` from FamilyName, GivenName and MiddleName (given names first)."""
    family, given, middle = (child(element, n) for n in ("FamilyName", "GivenName", "MiddleName"))
    if family is None and given is None:
        return None
    value: dict[str, str] = {}
    parts: dict[str, Element] = {}
    given_names = " ".join(part for part in (text(given), text(middle)) if part)
    if given_names:
        value["given"] = given_names
        parts["/given"] = given if given is not None else middle
    if text(family):
        value["family"] = text(family) or ""
        parts["/family"] = family
    covered = tuple((part, "text") for part in (family, given, middle) if part is not None)
    return Reading(value, covered, parts)


def _single_name(element: Element, _row: Row) -> Reading | None:
    """A KITH v1 ``Name``: ``Family, Given`` split at the comma, else all of it as family."""
    found = raw(element, "text")
    if found is None:
        return None
    family, comma, given = found.partition(",")
    value = {"family": family.strip()} if comma else {"family": found}
    if comma and given.strip():
        value["given"] = given.strip()
    return Reading(value, ((element, "text"),))


def _pathway_type(element: Element, _row: Row) -> Reading | None:
    """A 9321 code as it is; a grammatical 9327 code as the pathway type it starts with."""
    system, code = attr(element, "S"), attr(element, "V")
    if system == OID_9321:
        value = {key: attr(element, name) for key, name in (("system", "S"), ("code", "V"))}
        if attr(element, "DN") is not None:
            value["display"] = attr(element, "DN")
        return Reading(value, tuple((element, name) for name in ("S", "V", "DN")))
    grammatical = code is not None and code_system("9327").matches_grammar(code)
    if system == OID_9327 and grammatical and code is not None and code[:3] in code_system("9321"):
        return Reading({"system": OID_9321, "code": code[:3]})
    return None


def _is_gp(element: Element, _row: Row) -> Reading | None:
    """Whether a HealthcareProfessional's RoleToPatient is 6 (Fastlege) of kodeverk 9034."""
    role = child(element, "RoleToPatient")
    if role is None:
        return None
    is_gp = attr(role, "V") == "6" and attr(role, "S") in {None, OID_9034}
    return Reading(is_gp)


def _coded(element: Element, names: tuple[tuple[str, str], ...]) -> Reading | None:
    value = {key: attr(element, name) for key, name in names if attr(element, name) is not None}
    if not value:
        return None
    covered = tuple((element, name) for key, name in names if key in value)
    return Reading(value, covered, {f"/{key}": element for key in value})


def _diagnosis_code(element: Element, _row: Row) -> Reading | None:
    """A CV as ``{system: S, code: V, display: DN}``."""
    return _coded(element, (("system", "S"), ("code", "V"), ("display", "DN")))


def _coded_9101(element: Element, _row: Row) -> Reading | None:
    """A medication Status (a CS) as a coded value of kodeverk 9101."""
    found = _coded(element, (("code", "V"), ("display", "DN")))
    if found is None or "code" not in found.value:
        return None
    return Reading({"system": OID_9101, **found.value}, found.covered, found.parts)


def _drug_name(element: Element, _row: Row) -> Reading | None:
    """A DrugId's display name, else its text or code."""
    for read in ("DN", "text", "V"):
        found = raw(element, read)
        if found is not None:
            return Reading(found, ((element, read),))
    return None


def _atc(found: str) -> str:
    return _SPACE.sub("", found)


def _psychotropic(element: Element, row: Row) -> Reading | None:
    found = raw(element, row.read)
    return None if found is None else Reading(_atc(found).startswith(PSYCHOTROPIC_ATC))


#: The converters a row's ``value`` may name.
CONVERTERS: Final[Mapping[str, Callable[[Element, Row], Reading | None]]] = {
    "text": _plain(str),
    "lines": _lines,
    "date": _plain(to_date),
    "datetime": _plain(to_datetime),
    "boolean": _plain(_boolean),
    "phone": _plain(_prefixed("tel:")),
    "email": _plain(_prefixed("mailto:")),
    "atc": _plain(_atc),
    "map": _mapped,
    "identifier": _identifier,
    "person-identifier": _person_identifier,
    "person-name": _person_name,
    "single-name": _single_name,
    "pathway-type": _pathway_type,
    "is-gp": _is_gp,
    "diagnosis-code": _diagnosis_code,
    "coded-9101": _coded_9101,
    "drug-name": _drug_name,
    "psychotropic": _psychotropic,
}

#: What each converter does, as spec/kith-mapping.md documents it ("Values").
DESCRIPTIONS: Final[Mapping[str, str]] = {
    "text": "the text (or attribute) as it is, surrounding whitespace removed",
    "lines": (
        "the text of an element that may hold XHTML, one line per line of text, each stripped, "
        "blank lines dropped (as a free-text section's)"
    ),
    "date": "an xs:date, or the day of an xs:dateTime, as `YYYY-MM-DD`; other text as it is",
    "datetime": (
        "an xs:dateTime as RFC 3339: with its offset as it is; a local time gets the offset of "
        "Norwegian time on its date (+01:00 or +02:00, the EU summer-time rules) (derived)"
    ),
    "boolean": "an xs:boolean (`true`, `false`, `1`, `0`) as true or false; other text as it is",
    "phone": "a `tel:` address without its scheme",
    "email": "a `mailto:` address without its scheme",
    "atc": "the ATC code with spaces removed (`C03C A01` becomes `C03CA01`)",
    "map": "the code translated by the row's table; other codes give no value",
    "identifier": "the text of an `Id`; its type (the `TypeId` or `Type` beside it) is carried too",
    "person-identifier": (
        "`{type, value}` from an Ident's TypeId/@V and Id, or a KITH v1 TypeOffId/@V and OffId, "
        "when the type is a person number of kodeverk 8116 (FNR, DNR, HNR, FHN, DUF)"
    ),
    "person-name": (
        "`{given, family}` from FamilyName, GivenName and MiddleName (given names first)"
    ),
    "single-name": (
        "a KITH v1 `Name`: `Family, Given` split at its comma; without a comma all of it is "
        "the family name (convention)"
    ),
    "pathway-type": (
        "a code of kodeverk 9321 as `{system, code, display}`; a grammatical code of 9327 as "
        "the pathway type it starts with (`D11A` gives D11) (derived)"
    ),
    "is-gp": (
        "true when RoleToPatient is 6 (Fastlege) of kodeverk 9034, false for another role, "
        "absent without one (derived)"
    ),
    "diagnosis-code": "a CV as `{system: S, code: V, display: DN}`",
    "coded-9101": "a CS as `{system: kodeverk 9101, code: V, display: DN}`",
    "drug-name": "a DrugId's DN, else its text, else its V",
    "psychotropic": (
        "true for ATC codes starting N05 or N06 (psycholeptics, psychoanaleptics), false for "
        "other ATC codes (derived)"
    ),
}
