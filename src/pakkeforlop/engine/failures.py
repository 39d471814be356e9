"""Where in the kit's own code an unexpected error happened, said without the data.

An error's text can quote what it failed on (``KeyError('14038510070')``), so a finding about
the kit's own failure names only the error's type and the place in the kit's code: the file
below the package and the line, as a bug report needs them.
"""

from __future__ import annotations

import traceback
from pathlib import Path

__all__ = ["code_location"]

_PACKAGE = Path(__file__).resolve().parent


def code_location(error: BaseException) -> str:
    """``rules/referral.py:272`` for the innermost frame of the kit's code the error went
    through, or ``outside pakkeforlop`` when it never did (a library called directly)."""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        try:
            relative = Path(frame.filename).resolve().relative_to(_PACKAGE)
        except (ValueError, OSError):
            continue
        return f"{relative.as_posix()}:{frame.lineno}"
    return "outside pakkeforlop"
