"""The KITH XML standards the kit recognises: namespaces, versions and readable XPath prefixes.

Sources: domain reference §9.1 to §9.6; the MsgHead 1.2, AppRec 1.1 and Dialogmelding 1.0/1.1
XSDs (``shared/samples/ks-no_fiks-nhn-client``). The Henvisning 2.0 and Epikrise 1.2 XSDs are
not public: their namespaces and root elements come from NHN's display files (domain §9.5 and §9.6).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

MSGHEAD: Final = "http://www.kith.no/xmlstds/msghead/2006-05-24"
APPREC_1_0: Final = "http://www.kith.no/xmlstds/apprec/2004-11-21"
APPREC_1_1: Final = "http://www.kith.no/xmlstds/apprec/2012-02-15"
DIALOG_1_0: Final = "http://www.kith.no/xmlstds/dialog/2006-10-11"
DIALOG_1_1: Final = "http://www.kith.no/xmlstds/dialog/2013-01-23"
HENVISNING_2_0: Final = "http://ehelse.no/xmlstds/henvisning/2017-11-30"
HENVISNING_1_0: Final = "http://www.kith.no/xmlstds/henvisning/2005-07-08"
HENVISNING_1_1: Final = "http://www.kith.no/xmlstds/henvisning/2012-02-15"
EPIKRISE_1_1: Final = "http://www.kith.no/xmlstds/epikrise/2006-09-23"
EPIKRISE_1_2: Final = "http://www.kith.no/xmlstds/epikrise/2012-02-15"
BASE64: Final = "http://www.kith.no/xmlstds/base64container"
FELLES1: Final = "http://www.kith.no/xmlstds/felleskomponent1"
KITH_BASE: Final = "http://www.kith.no/xmlstds"
XMLDSIG: Final = "http://www.w3.org/2000/09/xmldsig#"
EI_FELLESFORMAT: Final = "http://www.nav.no/xml/eiff/2/"
XINCLUDE: Final = frozenset({"http://www.w3.org/2001/XInclude", "http://www.w3.org/2003/XInclude"})

#: The prefixes findings use in XPaths (documented in spec/kith-mapping.md). An XPath such as
#: ``/mh:MsgHead/mh:MsgInfo/mh:Patient/mh:Ident[1]/mh:Id`` is exact with these bindings.
PREFIXES: Final[Mapping[str, str]] = {
    MSGHEAD: "mh",
    APPREC_1_0: "ar10",
    APPREC_1_1: "ar",
    DIALOG_1_0: "dia10",
    DIALOG_1_1: "dia",
    HENVISNING_2_0: "hen",
    HENVISNING_1_0: "hen10",
    HENVISNING_1_1: "hen11",
    EPIKRISE_1_1: "epi11",
    EPIKRISE_1_2: "epi",
    BASE64: "b64",
    FELLES1: "fk1",
    KITH_BASE: "kith",
    XMLDSIG: "ds",
    EI_FELLESFORMAT: "eiff",
    "http://www.w3.org/2001/XInclude": "xi",
    "http://www.w3.org/2003/XInclude": "xi03",
}


@dataclass(frozen=True, slots=True)
class Standard:
    """One KITH message standard the kit knows."""

    key: str  # stable short name used in messages and the mapping documentation
    name: str
    version: str
    namespace: str
    root: str  # local name of the root (or content) element
    mig_version: str | None = None  # the MIGversion value the standard fixes, if it has one
    supported: bool = True  # whether the kit reads this standard's content

    @property
    def label(self) -> str:
        """``Henvisning 2.0``."""
        return f"{self.name} {self.version}"


MSGHEAD_1_2: Final = Standard(
    "msghead-1.2", "MsgHead", "1.2", MSGHEAD, "MsgHead", "v1.2 2006-05-24"
)
APPREC_10: Final = Standard("apprec-1.0", "AppRec", "1.0", APPREC_1_0, "AppRec", "1.0 2004-11-21")
APPREC_11: Final = Standard("apprec-1.1", "AppRec", "1.1", APPREC_1_1, "AppRec", "v1.1 2012-02-15")

#: Standards that can be the root of a message file (after unwrapping EI_fellesformat).
ROOT_STANDARDS: Final[Mapping[str, Standard]] = {
    standard.namespace: standard for standard in (MSGHEAD_1_2, APPREC_10, APPREC_11)
}

DIALOGMELDING_10: Final = Standard(
    "dialog-1.0", "Dialogmelding", "1.0", DIALOG_1_0, "Dialogmelding"
)
DIALOGMELDING_11: Final = Standard(
    "dialog-1.1", "Dialogmelding", "1.1", DIALOG_1_1, "Dialogmelding"
)
HENVISNING_20: Final = Standard("henvisning-2.0", "Henvisning", "2.0", HENVISNING_2_0, "Henvisning")
EPIKRISE_12: Final = Standard("epikrise-1.2", "Epikrise", "1.2", EPIKRISE_1_2, "Message")
BASE64_CONTAINER: Final = Standard("base64", "Base64Container", "1.0", BASE64, "Base64Container")
#: Known standards the kit does not read (their content is reported as not checked).
HENVISNING_10: Final = Standard(
    "henvisning-1.0", "Henvisning", "1.0", HENVISNING_1_0, "Message", supported=False
)
HENVISNING_11: Final = Standard(
    "henvisning-1.1", "Henvisning", "1.1", HENVISNING_1_1, "Message", supported=False
)
EPIKRISE_11: Final = Standard(
    "epikrise-1.1", "Epikrise", "1.1", EPIKRISE_1_1, "Message", supported=False
)

#: Standards of a business document inside ``MsgHead/Document/RefDoc/Content``.
CONTENT_STANDARDS: Final[Mapping[str, Standard]] = {
    standard.namespace: standard
    for standard in (
        DIALOGMELDING_10,
        DIALOGMELDING_11,
        HENVISNING_20,
        EPIKRISE_12,
        BASE64_CONTAINER,
        HENVISNING_10,
        HENVISNING_11,
        EPIKRISE_11,
    )
}

#: Which content a MsgHead message type (kodeverk 8279) announces: the type's prefix or exact
#: value, and the content namespaces that agree with it (domain reference §9.2, §9.5, §9.6).
#: Types not named here (NPR reports, AppRec inside MsgHead, …) are not compared.
TYPE_CONTENT: Final[tuple[tuple[str, frozenset[str]], ...]] = (
    ("HENVISNING", frozenset({HENVISNING_2_0, HENVISNING_1_0, HENVISNING_1_1})),
    ("EPIKRISE", frozenset({EPIKRISE_1_2, EPIKRISE_1_1})),
    ("TVERRFAGLIG_EPIKRISE", frozenset({EPIKRISE_1_2, EPIKRISE_1_1})),
    ("FODSELS_EPIKRISE", frozenset({EPIKRISE_1_2, EPIKRISE_1_1})),
    ("DIALOG_", frozenset({DIALOG_1_0, DIALOG_1_1})),
)


def expected_content(message_type: str) -> frozenset[str] | None:
    """The content namespaces that agree with a message type, or ``None`` if not compared."""
    for prefix, namespaces in TYPE_CONTENT:
        if message_type == prefix or (prefix.endswith("_") and message_type.startswith(prefix)):
            return namespaces
        if prefix == "HENVISNING" and message_type.startswith("HENVISNING_"):
            return namespaces
    return None
