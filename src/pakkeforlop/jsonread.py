"""The names of :mod:`pakkeforlop.read` under their former module, for the callers that use it.

Import from :mod:`pakkeforlop.read` in new code.
"""

from __future__ import annotations

from pakkeforlop.read import (
    DEFAULT_LIMITS,
    RECOVERABLE,
    InputProblem,
    InputProblemCode,
    JsonText,
    Limits,
    ReadResult,
    Sink,
    iter_ndjson_file,
    parse_json,
    read_json_file,
)
from pakkeforlop.read.files import _read_bounded

__all__ = [
    "DEFAULT_LIMITS",
    "RECOVERABLE",
    "InputProblem",
    "InputProblemCode",
    "JsonText",
    "Limits",
    "ReadResult",
    "Sink",
    "_read_bounded",
    "iter_ndjson_file",
    "parse_json",
    "read_json_file",
]
