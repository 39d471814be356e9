"""The KITH XML standards the kit recognises: namespaces, versions and readable XPath prefixes.

Sources: the official XSDs and example messages of the standards archive (Sarepta), published
in the public mirror https://github.com/oslokommune/sarepta-standarder (``skjema/`` and
``eksempel/``): MsgHead 1.2, AppRec 1.0 and 1.1, Dialogmelding 1.0 and 1.1, Henvisning 1.0,
1.1 and 2.0 (with poKomponent 2.0), Epikrise 1.0, 1.1 and 1.2, felleskomponent1 and kith.xsd.
The Henvisning 2.0 XSD's change log names the namespaces of its two drafts. Background:
domain reference §9.1 to §9.6.
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
HENVISNING_2_0_DRAFT_2017: Final = "http://ehelse.no/xmlstds/henvisning/2017-01-31"
HENVISNING_2_0_DRAFT_2014: Final = "http://www.kith.no/xmlstds/henvisning/2014-04-30"
PO_KOMPONENT_2_0: Final = "http://ehelse.no/xmlstds/po/poKomponent/2017-11-30"
HENVISNING_1_0: Final = "http://www.kith.no/xmlstds/henvisning/2005-07-08"
HENVISNING_1_1: Final = "http://www.kith.no/xmlstds/henvisning/2012-02-15"
EPIKRISE_1_0: Final = "http://www.kith.no/xmlstds/epikrise"
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
    PO_KOMPONENT_2_0: "po",
    HENVISNING_1_0: "hen10",
    HENVISNING_1_1: "hen11",
    EPIKRISE_1_0: "epi10",
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
    #: A business document that travels inside a MsgHead (KITH-022 when found without one).
    enveloped: bool = False
    successor: str | None = None  # the version the kit reads instead (unsupported versions)

    @property
    def label(self) -> str:
        """``Henvisning 2.0``."""
        return f"{self.name} {self.version}"


MSGHEAD_1_2: Final = Standard(
    "msghead-1.2", "MsgHead", "1.2", MSGHEAD, "MsgHead", "v1.2 2006-05-24"
)
APPREC_10: Final = Standard("apprec-1.0", "AppRec", "1.0", APPREC_1_0, "AppRec", "1.0 2004-11-21")
APPREC_11: Final = Standard("apprec-1.1", "AppRec", "1.1", APPREC_1_1, "AppRec", "v1.1 2012-02-15")

APPREC_NAMESPACES: Final = frozenset({APPREC_1_0, APPREC_1_1})

#: Envelopes: the standards that are the root of a message (after unwrapping EI_fellesformat).
ROOT_STANDARDS: Final[Mapping[str, Standard]] = {
    standard.namespace: standard for standard in (MSGHEAD_1_2, APPREC_10, APPREC_11)
}

DIALOGMELDING_10: Final = Standard(
    "dialog-1.0",
    "Dialogmelding",
    "1.0",
    DIALOG_1_0,
    "Dialogmelding",
    enveloped=True,
)
DIALOGMELDING_11: Final = Standard(
    "dialog-1.1",
    "Dialogmelding",
    "1.1",
    DIALOG_1_1,
    "Dialogmelding",
    enveloped=True,
)
HENVISNING_20: Final = Standard(
    "henvisning-2.0",
    "Henvisning",
    "2.0",
    HENVISNING_2_0,
    "Henvisning",
    enveloped=True,
)
#: Epikrise 1.2 fixes its own MIGversion (Message/MIGversion, as the XSD's header gives it).
EPIKRISE_12: Final = Standard(
    "epikrise-1.2",
    "Epikrise",
    "1.2",
    EPIKRISE_1_2,
    "Message",
    "v1.2 2012-02-15",
    enveloped=True,
)
BASE64_CONTAINER: Final = Standard("base64", "Base64Container", "1.0", BASE64, "Base64Container")
#: Known standards the kit does not read (their content is reported as not mapped).
HENVISNING_10: Final = Standard(
    "henvisning-1.0",
    "Henvisning",
    "1.0",
    HENVISNING_1_0,
    "Message",
    supported=False,
    successor="Henvisning 2.0",
)
HENVISNING_11: Final = Standard(
    "henvisning-1.1",
    "Henvisning",
    "1.1",
    HENVISNING_1_1,
    "Message",
    supported=False,
    successor="Henvisning 2.0",
)
HENVISNING_20_DRAFT_2014: Final = Standard(
    "henvisning-2.0-2014",
    "Henvisning",
    "2.0 (draft of 2014-04-30)",
    HENVISNING_2_0_DRAFT_2014,
    "Henvisning",
    supported=False,
    successor="Henvisning 2.0",
)
HENVISNING_20_DRAFT_2017: Final = Standard(
    "henvisning-2.0-2017",
    "Henvisning",
    "2.0 (draft of 2017-01-31)",
    HENVISNING_2_0_DRAFT_2017,
    "Henvisning",
    supported=False,
    successor="Henvisning 2.0",
)
EPIKRISE_10: Final = Standard(
    "epikrise-1.0",
    "Epikrise",
    "1.0",
    EPIKRISE_1_0,
    "Message",
    supported=False,
    successor="Epikrise 1.2",
)
EPIKRISE_11: Final = Standard(
    "epikrise-1.1",
    "Epikrise",
    "1.1",
    EPIKRISE_1_1,
    "Message",
    supported=False,
    successor="Epikrise 1.2",
)

#: Standards of a business document: inside ``MsgHead/Document/RefDoc/Content``, or, except
#: for the Base64Container, on their own as the root of a file (a *bare* document).
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
        HENVISNING_20_DRAFT_2014,
        HENVISNING_20_DRAFT_2017,
        EPIKRISE_10,
        EPIKRISE_11,
    )
}


HENVISNINGER: Final = frozenset(
    {
        HENVISNING_2_0,
        HENVISNING_1_0,
        HENVISNING_1_1,
        HENVISNING_2_0_DRAFT_2014,
        HENVISNING_2_0_DRAFT_2017,
    }
)
EPIKRISER: Final = frozenset({EPIKRISE_1_2, EPIKRISE_1_1, EPIKRISE_1_0})

#: Which content a MsgHead message type (kodeverk 8279) announces: the type's prefix or exact
#: value, and the content namespaces that agree with it (domain reference §9.2, §9.5, §9.6).
#: Types not named here (NPR reports, AppRec inside MsgHead, …) are not compared.
TYPE_CONTENT: Final[tuple[tuple[str, frozenset[str]], ...]] = (
    ("HENVISNING", HENVISNINGER),
    ("EPIKRISE", EPIKRISER),
    ("TVERRFAGLIG_EPIKRISE", EPIKRISER),
    ("FODSELS_EPIKRISE", EPIKRISER),
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
