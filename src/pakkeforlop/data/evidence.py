"""Vocabularies for how well a domain fact is established."""

from __future__ import annotations

from enum import StrEnum


class CodeStatus(StrEnum):
    """How a code list, or one code in it, is established.

    * ``confirmed``: stated by the authority (Helsedirektoratet, a published standard).
    * ``snapshot``: taken from a dated, non-authoritative copy of the list (the NHN
      display-file tables); believed right, not verified against FinnKode.
    * ``provisional``: known from the coding guide to exist but absent from the snapshot, or
      otherwise not yet verified. Never the basis of an error.
    """

    CONFIRMED = "confirmed"
    SNAPSHOT = "snapshot"
    PROVISIONAL = "provisional"


class Evidence(StrEnum):
    """How a rule, time limit or mapping is established (the evidence tags of the domain reference).

    * ``confirmed``: a Helsedirektoratet page, law or published standard says so.
    * ``secondary``: a health trust, vendor or provider says so, consistent with the authority.
    * ``unconfirmed``: inferred, or only partly documented. Never the basis of an error.
    """

    CONFIRMED = "confirmed"
    SECONDARY = "secondary"
    UNCONFIRMED = "unconfirmed"


class SourceType(StrEnum):
    """What kind of source a rule rests on: the severity policy caps the severity by it.

    Primary normative sources can back an error; every other kind caps a rule at warning.

    * ``authority``: Helsedirektoratet or the ministry (pathway texts, letters to GPs, coding
      guides, the code lists and programme pages they publish).
    * ``law``: an act or a regulation (helsepersonelloven, pasient- og brukerrettighetsloven).
    * ``standard``: a published message or data standard (KITH/ehelse messages and XSDs, Volven
      code systems, the national identifier schemes, RFCs, W3C recommendations).
    * ``specification``: this specification's own contract (its schemas and export format).
    * ``health-trust``: a regional health authority, health trust or hospital (seed 003, seed
      004, a hospital's procedure).
    * ``municipality``: a municipality's page (seed 002).
    * ``vendor``: an EHR vendor's documentation.
    * ``secondary``: another secondary source (resource sites, a presentation, a dated copy).
    * ``inferred``: no source states it; the kit's reading, always unconfirmed.
    """

    AUTHORITY = "authority"
    LAW = "law"
    STANDARD = "standard"
    SPECIFICATION = "specification"
    HEALTH_TRUST = "health-trust"
    MUNICIPALITY = "municipality"
    VENDOR = "vendor"
    SECONDARY = "secondary"
    INFERRED = "inferred"

    @property
    def primary(self) -> bool:
        """Whether the source is a primary normative source, which alone can back an error."""
        return self in PRIMARY_SOURCES


PRIMARY_SOURCES = frozenset(
    {SourceType.AUTHORITY, SourceType.LAW, SourceType.STANDARD, SourceType.SPECIFICATION}
)
