"""The people and organisations of a synthetic export: all fictional, all with synthetic numbers.

* Patients get Test-Norge numbers (+80 on the month, domain.md §8.3) from
  :func:`pakkeforlop.model.identifiers.make_fnr`, unique within an export by construction: each
  birth date and sex has its own counter over the individual numbers that encode the century.
* Organisation numbers start with 2 or 3 (the test Enhetsregister range) and get their check
  digit from :func:`pakkeforlop.model.identifiers.make_org_number`.
* HPR numbers are seven digits that satisfy the mod-11 heuristic of
  :func:`pakkeforlop.model.identifiers.check_hpr_number`; HER-ids and RESH-ids are plain counters.

Every choice is made by the caller's seeded ``random.Random``; nothing here reads the clock.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Final

from pakkeforlop.data.codes import code_system
from pakkeforlop.model.identifiers import PersonIdType, make_fnr, make_org_number

GIVEN_FEMALE: Final = (
    "Kari",
    "Ingrid",
    "Anne",
    "Line",
    "Marte",
    "Hilde",
    "Siri",
    "Tone",
    "Camilla",
    "Eva",
    "Maja",
    "Nora",
    "Emma",
    "Sofie",
    "Ida",
    "Thea",
    "Hanne",
    "Randi",
    "Astrid",
    "Solveig",
    "Linnea",
)
GIVEN_MALE: Final = (
    "Jon",
    "Ola",
    "Per",
    "Tor Inge",
    "Henrik",
    "Anders",
    "Nils",
    "Sander",
    "Jonas",
    "Emil",
    "Lars",
    "Knut",
    "Magnus",
    "Eirik",
    "Ole",
    "Sindre",
    "Mathias",
    "Kristian",
    "Arne",
    "Even",
)
FAMILY_STEMS: Final = ("Test", "Prøve", "Eksempel", "Fiktiv", "Øving", "Demo", "Forsøk")
FAMILY_ENDINGS: Final = (
    "sen",
    "dal",
    "rud",
    "berg",
    "vik",
    "lund",
    "stad",
    "haug",
    "nes",
    "bakken",
    "li",
    "heim",
    "vold",
    "strand",
    "moen",
)
PLACES: Final = ("Testvik", "Prøvestad", "Eksempelby", "Fiktivdal", "Øvingsnes", "Demoberg")
MUNICIPAL_SERVICES: Final = (
    "psykisk helse- og rustjeneste",
    "helsestasjon og jordmortjeneste",
    "legevakt",
)
TRUSTS: Final = (
    "Helse Testvik HF",
    "Sykehuset Prøvestad HF",
    "Helse Eksempelfjord HF",
    "Fiktivdal sykehus HF",
)

_HPR_WEIGHTS: Final = (2, 3, 4, 5, 6, 7)


def ascii_slug(text: str) -> str:
    """Lower-case ASCII for e-mail addresses: ``Øvingsen`` becomes ``ovingsen``."""
    folded = text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    plain = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    return "".join(char if char.isalnum() else "." for char in plain).strip(".")


def hpr_check_digit(payload: str) -> int | None:
    """The check digit the HPR heuristic expects after ``payload``; ``None`` when it is 10."""
    digits = [int(char) for char in reversed(payload)]
    total = sum(_HPR_WEIGHTS[index % 6] * digit for index, digit in enumerate(digits))
    check = (11 - total % 11) % 11
    return None if check == 10 else check


def phone(rng: random.Random) -> str:
    """An 8-digit Norwegian-looking phone number."""
    return f"{rng.choice('35679')}{rng.randrange(10_000_000):07d}"


def norwegian_offset(day: date) -> str:
    """The UTC offset of Norwegian local time during the working day of ``day``."""
    march_end = date(day.year, 3, 31)
    october_end = date(day.year, 10, 31)
    summer_start = march_end - timedelta(days=(march_end.weekday() + 1) % 7)
    summer_end = october_end - timedelta(days=(october_end.weekday() + 1) % 7)
    return "+02:00" if summer_start <= day < summer_end else "+01:00"


def timestamp(day: date, minute: int) -> str:
    """An RFC 3339 local timestamp on ``day``, ``minute`` minutes after midnight."""
    return f"{day.isoformat()}T{minute // 60:02d}:{minute % 60:02d}:00{norwegian_offset(day)}"


@dataclass(frozen=True, slots=True)
class Professional:
    """A health professional with an HPR number."""

    given: str
    family: str
    hpr: str
    profession: str
    phone: str
    email: str
    her_id: str

    def as_json(self, role: tuple[str, str] | None = None) -> dict[str, Any]:
        """The schema's healthcareProfessional, with a kodeverk 8254 role when given."""
        value: dict[str, Any] = {
            "name": {"given": self.given, "family": self.family},
            "hpr": self.hpr,
        }
        if role is not None:
            value["role"] = {
                "system": code_system("8254").oid,
                "code": role[0],
                "display": role[1],
            }
        value.update(
            {
                "profession": self.profession,
                "phone": self.phone,
                "email": self.email,
                "herId": self.her_id,
            }
        )
        return value


@dataclass(frozen=True, slots=True)
class Organisation:
    """An organisation as a communication party; ``unit`` is a nested service, if any."""

    name: str
    her_id: str
    org_number: str
    unit: Unit | None = None

    def as_json(self) -> dict[str, Any]:
        """The schema's organisation."""
        value: dict[str, Any] = {
            "name": self.name,
            "herId": self.her_id,
            "orgNumber": self.org_number,
        }
        if self.unit is not None:
            value["unit"] = {
                "name": self.unit.name,
                "herId": self.unit.her_id,
                "reshId": self.unit.resh_id,
            }
        return value


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit of the health trust (DPS, BUP, TSB …) with its staff."""

    name: str
    her_id: str
    resh_id: str
    staff: tuple[Professional, ...] = ()


@dataclass(frozen=True, slots=True)
class Practice:
    """A GP practice (or another referring service) with its professionals."""

    organisation: Organisation
    phone: str
    professionals: tuple[Professional, ...]


@dataclass(frozen=True, slots=True)
class Patient:
    """A patient: identifier, name, birth date and sex."""

    id_type: str
    number: str
    given: str
    family: str
    birth_date: date
    female: bool

    def identifier(self) -> dict[str, str]:
        """The schema's personIdentifier."""
        return {"type": self.id_type, "value": self.number}

    def as_json(self) -> dict[str, Any]:
        """The schema's patient."""
        return {
            "identifier": self.identifier(),
            "name": {"given": self.given, "family": self.family},
            "birthDate": self.birth_date.isoformat(),
        }


@dataclass(slots=True)
class Numbers:
    """Counters that hand out unique synthetic numbers."""

    her_id: int = 2_310_000
    resh_id: int = 4_210_000
    hpr: int = 910_000
    _persons: dict[tuple[int, bool, str], int] = field(default_factory=dict)

    def next_her_id(self) -> str:
        """A new HER-id (digits, no check digit)."""
        self.her_id += 7
        return str(self.her_id)

    def next_resh_id(self) -> str:
        """A new RESH-id."""
        self.resh_id += 13
        return str(self.resh_id)

    def next_hpr(self) -> str:
        """A new seven-digit HPR number that fits the mod-11 heuristic."""
        while True:
            self.hpr += 1
            payload = str(self.hpr)
            check = hpr_check_digit(payload)
            if check is not None:
                return f"{payload}{check}"

    def next_org_number(self, rng: random.Random) -> str:
        """A new organisation number in the test Enhetsregister range (first digit 2 or 3)."""
        while True:
            first8 = f"{rng.choice('23')}{rng.randrange(10**7):07d}"
            number = make_org_number(first8)
            if number is not None:
                return number

    def person_number(self, birth: date, female: bool, kind: PersonIdType) -> tuple[str, date]:
        """A Test-Norge FNR or D-nummer for a person born on or near ``birth``, never reused.

        Individual numbers that encode the birth century are taken in a scrambled fixed order;
        an odd individual number is a man's, an even one a woman's (third digit). When a birth
        date runs out of numbers, the next day is used. Returns the number and the birth date.
        """
        day = birth
        while True:
            low, high = (500, 1000) if day.year >= 2000 else (0, 500)
            slots = (high - low) // 2
            key = (day.toordinal(), female, kind.value)
            while (count := self._persons.get(key, 0)) < slots:
                self._persons[key] = count + 1
                individual = low + 2 * ((count * 97) % slots) + (0 if female else 1)
                number = make_fnr(day, individual, kind=kind)
                if number is not None:
                    return number, day
            day += timedelta(days=1)


def person_name(rng: random.Random, *, female: bool) -> tuple[str, str]:
    """A fictional given name and family name."""
    given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
    family = rng.choice(FAMILY_STEMS) + rng.choice(FAMILY_ENDINGS)
    return given, family


def professional(
    rng: random.Random, numbers: Numbers, profession: str, domain: str
) -> Professional:
    """A fictional health professional working at ``domain`` (an e-mail domain)."""
    given, family = person_name(rng, female=rng.random() < 0.6)
    return Professional(
        given=given,
        family=family,
        hpr=numbers.next_hpr(),
        profession=profession,
        phone=phone(rng),
        email=f"{ascii_slug(given)}.{ascii_slug(family)}@{domain}",
        her_id=numbers.next_her_id(),
    )


#: The units of the trust: key, name pattern, professions of its staff.
UNIT_KINDS: Final = (
    (
        "dps-outpatient",
        "DPS {place}, allmennpsykiatrisk poliklinikk",
        ("psykologspesialist", "overlege, spesialist i psykiatri"),
    ),
    (
        "dps-inpatient",
        "DPS {place}, døgnavdeling",
        ("overlege, spesialist i psykiatri", "psykologspesialist"),
    ),
    (
        "psychosis-outpatient",
        "Seksjon for tidlig intervensjon ved psykose, poliklinikk",
        ("overlege, spesialist i psykiatri",),
    ),
    (
        "psychosis-inpatient",
        "Seksjon for tidlig intervensjon ved psykose, døgnpost",
        ("overlege, spesialist i psykiatri",),
    ),
    ("ocd", "DPS {place}, OCD-teamet", ("psykologspesialist",)),
    (
        "bup-outpatient",
        "BUP {place}, poliklinikk",
        ("psykologspesialist", "overlege, spesialist i barne- og ungdomspsykiatri"),
    ),
    (
        "bup-inpatient",
        "Ungdomspsykiatrisk døgnavdeling {place}",
        ("overlege, spesialist i barne- og ungdomspsykiatri",),
    ),
    ("eating", "BUP {place}, spiseforstyrrelsesteamet", ("psykologspesialist",)),
    (
        "tsb-outpatient",
        "Rusklinikken {place}, poliklinikk for rus og avhengighet",
        ("psykologspesialist", "overlege, spesialist i rus- og avhengighetsmedisin"),
    ),
    (
        "tsb-inpatient",
        "Rusklinikken {place}, avrusning og døgnbehandling",
        ("overlege, spesialist i rus- og avhengighetsmedisin",),
    ),
    (
        "family",
        "Familieambulatoriet {place}",
        ("overlege, spesialist i barnesykdommer", "psykologspesialist"),
    ),
    (
        "neonatal",
        "Barne- og ungdomsklinikken {place}, nyfødtavdelingen",
        ("overlege, spesialist i barnesykdommer",),
    ),
)

#: Which unit kind treats a pathway type at a care level.
UNIT_OF: Final = {
    ("D01", "outpatient"): "tsb-outpatient",
    ("D01", "inpatient"): "tsb-inpatient",
    ("D06", "outpatient"): "psychosis-outpatient",
    ("D06", "inpatient"): "psychosis-inpatient",
    ("D07", "outpatient"): "ocd",
    ("D07", "inpatient"): "dps-inpatient",
    ("D08", "outpatient"): "eating",
    ("D08", "inpatient"): "bup-inpatient",
    ("D09", "outpatient"): "family",
    ("D09", "inpatient"): "tsb-inpatient",
    ("D10", "outpatient"): "family",
    ("D10", "inpatient"): "neonatal",
    ("D11", "outpatient"): "dps-outpatient",
    ("D11", "inpatient"): "dps-inpatient",
    ("D12", "outpatient"): "bup-outpatient",
    ("D12", "inpatient"): "bup-inpatient",
}


@dataclass(frozen=True, slots=True)
class Cast:
    """The fixed organisations and professionals an export draws from."""

    trust: Organisation
    prefix: str
    domain: str
    units: dict[str, tuple[Unit, ...]]
    practices: tuple[Practice, ...]
    municipal: tuple[Practice, ...]

    def unit(self, rng: random.Random, pathway: str, care_level: str) -> Unit:
        """A unit that treats ``pathway`` at ``care_level``."""
        return rng.choice(self.units[UNIT_OF[(pathway, care_level)]])

    def receiver(self, unit: Unit) -> Organisation:
        """The trust as a receiving or sending organisation, with ``unit``."""
        return Organisation(self.trust.name, self.trust.her_id, self.trust.org_number, unit)


def build_cast(rng: random.Random, numbers: Numbers, pathways: int) -> Cast:
    """One health trust with its units, and GP practices sized for ``pathways`` instances."""
    trust_name = rng.choice(TRUSTS)
    place = trust_name.split()[1] if trust_name.startswith(("Helse", "Sykehuset")) else "Fiktivdal"
    domain = f"{ascii_slug(place)}-hf.example"
    trust = Organisation(trust_name, f"81{rng.randrange(10**5):05d}", numbers.next_org_number(rng))
    places = [place, *rng.sample([p for p in PLACES if p != place], 2)]
    units: dict[str, tuple[Unit, ...]] = {}
    for key, pattern, professions in UNIT_KINDS:
        count = 2 if "{place}" in pattern and key.startswith(("dps", "bup")) else 1
        found = []
        for where in places[:count]:
            staff = tuple(
                professional(rng, numbers, rng.choice(professions), domain)
                for _ in range(rng.randint(3, 8))
            )
            found.append(
                Unit(
                    pattern.format(place=where),
                    numbers.next_her_id(),
                    numbers.next_resh_id(),
                    staff,
                )
            )
        units[key] = tuple(found)
    practice_count = max(8, min(2000, pathways // 300))
    practices = tuple(_practice(rng, numbers, "legesenter") for _ in range(practice_count))
    municipal = tuple(
        _practice(rng, numbers, "kommune") for _ in range(max(4, practice_count // 4))
    )
    prefix = "".join(word[0] for word in trust_name.split()).upper()
    return Cast(trust, prefix, domain, units, practices, municipal)


def _practice(rng: random.Random, numbers: Numbers, kind: str) -> Practice:
    place = rng.choice(PLACES)
    if kind == "kommune":
        service = rng.choice(MUNICIPAL_SERVICES)
        name = f"{place} kommune, {service}"
        professions: tuple[str, ...] = ("psykiatrisk sykepleier", "jordmor", "lege")
        domain = f"{ascii_slug(place)}.kommune.example"
    else:
        stem = f"{rng.choice(FAMILY_STEMS)}{rng.choice(('vik', 'li', 'haug', 'dal'))}"
        name = f"{stem} {kind} {rng.choice(('AS', 'DA'))}"
        professions = ("lege, spesialist i allmennmedisin",)
        domain = f"{ascii_slug(stem)}-{kind}.example"
    organisation = Organisation(name, numbers.next_her_id(), numbers.next_org_number(rng))
    staff = tuple(
        professional(rng, numbers, rng.choice(professions), domain)
        for _ in range(rng.randint(2, 6))
    )
    return Practice(organisation, phone(rng), staff)
