"""Values that the documents share: coded values with their list's text, roles, OIDs of the
diagnosis code systems, medication items."""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from pakkeforlop.data.codes import code_system
from pakkeforlop.synthetic import texts

ICPC2: Final = "2.16.578.1.12.4.1.1.7170"
ICD10: Final = "2.16.578.1.12.4.1.1.7110"


def text_of(kodeverk: str, code: str) -> str:
    """The code list's text for a code (so that CODE-006 finds the display texts right)."""
    listed = code_system(kodeverk).get(code)
    if listed is None:
        msg = f"kodeverk {kodeverk} has no code {code}"
        raise KeyError(msg)
    return listed.text


def coded(kodeverk: str, code: str) -> dict[str, str]:
    """A coded value with the code list's OID and display text."""
    return {"system": code_system(kodeverk).oid, "code": code, "display": text_of(kodeverk, code)}


def role(code: str) -> tuple[str, str]:
    """A kodeverk 8254 role with its text."""
    return code, text_of("8254", code)


def medication_item(drug: texts.Drug, started: date) -> dict[str, Any]:
    """An item of a medication list: the drug, its use and the day it was started."""
    return {
        "name": drug.name,
        "atcCode": drug.atc,
        "dosage": drug.dosage,
        "use": coded("9101", drug.use),
        "psychotropic": drug.psychotropic,
        "started": started.isoformat(),
    }
