"""Build one pathway instance: its patient, referral, measurement points and epicrisis.

The documents follow the bundled valid examples (``examples/valid``) and satisfy every rule
that can give an error or a warning, so that a clean export has none; information findings
(synthetic identifiers, time-limit overruns, the 10-working-day assessment) do occur, as in
real data. Dates follow the era rules: up to the end of the era PATHWAY-016 covers (2023) the
start (A) is dated on the referral's receipt; later starts are dated on the completed
assessment, as Helsedirektoratet's current coding guide describes (PATHWAY-017, whose
effective date is unconfirmed, so that no rule judges those starts).

:func:`build_plan` (``instance``) assembles an instance from the documents of ``referral``,
``events``, ``feedback`` and ``epicrisis``; ``context``, ``dates`` and ``values`` hold what
they share.
"""

from pakkeforlop.synthetic.documents.context import Context, shard
from pakkeforlop.synthetic.documents.dates import (
    RECEIPT_RULE_UNTIL,
    add_working_days,
    weekday_on_or_after,
    weekday_on_or_before,
)
from pakkeforlop.synthetic.documents.events import make_event
from pakkeforlop.synthetic.documents.instance import build_plan
from pakkeforlop.synthetic.documents.values import coded, role, text_of

__all__ = [
    "RECEIPT_RULE_UNTIL",
    "Context",
    "add_working_days",
    "build_plan",
    "coded",
    "make_event",
    "role",
    "shard",
    "text_of",
    "weekday_on_or_after",
    "weekday_on_or_before",
]
