"""What a TR3 structure check reports, whichever engine ran it (native or pyx12).

Both engines speak pyx12's vocabulary of levels and codes, because those are the 999's codes
(IK304, IK403, IK502, AK905) and the X12 rules map them one to one; see
:data:`scrubber.rules.tr3.RULE_FOR_ERROR`.
"""

from __future__ import annotations

from dataclasses import dataclass

from scrubber.x12.segment import Segment


@dataclass(frozen=True, slots=True)
class StructureIssue:
    """One structure error, placed at the segment (and element) it concerns.

    ``level`` is pyx12's: isa, gs, st (envelopes), seg, ele, or ``engine`` when pyx12 itself could
    not go on. ``code`` is pyx12's code (a 999 IK304/IK403/IK502/AK905 code, a TA1 code, or one
    of its own: HL1, HL2, LX, SEG1). ``segment`` is None when the error has no segment to point at.
    """

    level: str
    code: str
    message: str
    segment: Segment | None
    element: int = 0
    component: int = 0
    data_element: str = ""  # X12 data element number, e.g. 1270
    loop: str = ""  # TR3 loop id (2300, 2400 ...) where the engine placed the segment
    checked_by: str = ""  # the engine, when a finding should name it (e.g. "pyx12 4.0")

    @property
    def element_ref(self) -> str:
        """e.g. CLM05-1, or '' for a segment-level error."""
        if self.segment is None or not self.element:
            return ""
        ref = f"{self.segment.id}{self.element:02d}"
        return f"{ref}-{self.component}" if self.component else ref
