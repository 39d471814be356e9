"""Reading input: bytes from files into parsed values and located problems, never a traceback.

``problems`` (what can be wrong, the limits), ``files`` (bounded reads, NDJSON lines),
``json_parse`` (the exact, hardened parser) with ``json_diagnose`` (why a text was refused)
and ``json_locate`` (pointer to line and column), ``fast_json`` (a guarded fast parse that
only ever accepts what the exact parser accepts without a problem) and ``events`` (NDJSON
event lines decoded into typed records, under the same guarantee).
"""

from __future__ import annotations

from pakkeforlop.read.files import (
    Sink,
    fast_text,
    iter_ndjson_file,
    parse_document,
    read_bounded,
    read_json_file,
    read_whole,
)
from pakkeforlop.read.json_locate import JsonText
from pakkeforlop.read.json_parse import parse_json
from pakkeforlop.read.problems import (
    DEFAULT_LIMITS,
    RECOVERABLE,
    InputProblem,
    InputProblemCode,
    Limits,
    ReadResult,
)

__all__ = [
    "DEFAULT_LIMITS",
    "RECOVERABLE",
    "InputProblem",
    "InputProblemCode",
    "JsonText",
    "Limits",
    "ReadResult",
    "Sink",
    "fast_text",
    "iter_ndjson_file",
    "parse_document",
    "parse_json",
    "read_bounded",
    "read_json_file",
    "read_whole",
]
