"""Synthetic exports: realistic pathway data of any size, optionally with known defects.

``pakkeforlop generate`` (:mod:`pakkeforlop.cli.generate`) is the command; :func:`generate` does
the work. Everything is fictional: Test-Norge person numbers, organisation numbers in the
test Enhetsregister range, invented names and texts.
"""

from pakkeforlop.synthetic.defects import DEFECTS, Defect
from pakkeforlop.synthetic.generator import (
    DEFAULT_END,
    DEFAULT_START,
    GenerationSummary,
    GeneratorConfig,
    GeneratorError,
    estimate,
    generate,
)

__all__ = [
    "DEFAULT_END",
    "DEFAULT_START",
    "DEFECTS",
    "Defect",
    "GenerationSummary",
    "GeneratorConfig",
    "GeneratorError",
    "estimate",
    "generate",
]
