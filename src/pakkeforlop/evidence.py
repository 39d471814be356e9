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
