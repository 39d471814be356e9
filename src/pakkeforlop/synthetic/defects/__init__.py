"""Known defects to inject into a synthetic export, each one named change with known findings.

Every defect changes one thing of one instance (a check digit, a date, a code, a member …)
and says which rules the engine must report for it, and where: the file, the NDJSON line (for
events) and the JSON Pointer. A defect is chosen so that it triggers nothing else: events
that a defect makes unreadable or schema-invalid are treatment activities (U, S, F codes)
whose loss no other rule notices; changes that necessarily break two rules (an epicrisis of
the wrong pathway type also has an end code of another pathway) record both.

Information findings (time-limit overruns, a late epicrisis by a day) may change as a side
effect; they are not defects and are not listed.
"""

from __future__ import annotations

import random
from typing import Final

from pakkeforlop.synthetic.defects.added_events import ADDED_EVENT_DEFECTS
from pakkeforlop.synthetic.defects.base import Defect
from pakkeforlop.synthetic.defects.changed_events import ACTIVITY_DEFECTS, START_DEFECTS
from pakkeforlop.synthetic.defects.epicrisis import EPICRISIS_DEFECTS
from pakkeforlop.synthetic.defects.referral import MANIFEST_DEFECT, REFERRAL_DEFECTS, wrong_digest
from pakkeforlop.synthetic.documents import Context
from pakkeforlop.synthetic.model import Plan, TruthEntry

__all__ = ["DEFECTS", "Defect", "DefectPicker", "wrong_digest"]

#: Every defect kind, in a fixed order.
DEFECTS: Final[tuple[Defect, ...]] = (
    *REFERRAL_DEFECTS,
    MANIFEST_DEFECT,
    *EPICRISIS_DEFECTS,
    *ACTIVITY_DEFECTS,
    *ADDED_EVENT_DEFECTS,
    *START_DEFECTS,
)


class DefectPicker:
    """Chooses a defect for an instance: the least used that applies, ties broken at random."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used = dict.fromkeys((defect.name for defect in DEFECTS), 0)

    def inject(self, plan: Plan, ctx: Context) -> list[TruthEntry]:
        """Inject one defect into ``plan``; its truth entries (the writer completes some)."""
        applicable = [defect for defect in DEFECTS if defect.applies(plan, ctx)]
        if not applicable:
            return []
        fewest = min(self.used[defect.name] for defect in applicable)
        defect = self.rng.choice([d for d in applicable if self.used[d.name] == fewest])
        self.used[defect.name] += 1
        entries = defect.inject(plan, ctx, self.rng)
        plan.truth.extend(entry for entry in entries if entry not in plan.truth)
        return plan.truth
