"""What every instance draws from (the export's cast, counters and time frame), and the
folder each document goes to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pakkeforlop.synthetic.cast import Cast, Numbers


@dataclass(frozen=True, slots=True)
class Context:
    """What every instance draws from: the export's cast, counters and time frame."""

    cast: Cast
    numbers: Numbers
    end: date
    files_per_folder: int
    folder_digits: int


def shard(number: int, ctx: Context) -> str:
    """The folder of the ``number``-th document (1-based) of a kind."""
    return f"{(number - 1) // ctx.files_per_folder:0{ctx.folder_digits}d}"
