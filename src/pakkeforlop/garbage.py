"""The garbage-collection devices of :mod:`pakkeforlop.engine.tuning`, for the callers that
import them from here."""

from __future__ import annotations

from pakkeforlop.engine.tuning import automatic_collection_off

__all__ = ["automatic_collection_off"]
