"""Split an 837P into accepted and rejected claims, each a valid 837P of its own.

Every claim is copied whole (CLM through its last line) under copies of its envelopes, transaction
header and HL chain. The HL chain is renumbered per transaction (HL01 from 1, HL02 pointing at the
new parent), and the writer recounts SE01, GE01 and IEA01; control numbers stay those of the input
so each output traces back to it. :class:`SplitWriter` is a sink of the check's event stream.
"""

from __future__ import annotations

from typing import TextIO

from scrubber.model import Claim
from scrubber.report.events import BaseSink, ClaimResult, FileEnd
from scrubber.x12.segment import Segment
from scrubber.x12.writer import X12Writer


class Split837Writer:
    """Writes the claims it is given into one 837P, rebuilding envelopes and HL numbers."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._writer: X12Writer | None = None
        self._isa = self._gs = self._st = -1  # source positions of the open envelopes
        self._hl: dict[int, str] = {}  # source HL position -> new HL01, in the open transaction
        self.claims = 0

    def add(self, claim: Claim) -> None:
        head = claim.head
        assert head is not None
        writer = self._writer
        if writer is None:
            writer = self._writer = X12Writer(self._out, head.isa.delimiters)
        if head.isa.index != self._isa:
            writer.open_interchange(head.isa.elements)
            self._isa, self._gs, self._st = head.isa.index, -1, -1
        if head.gs.index != self._gs:
            writer.open_group(head.gs.elements)
            self._gs, self._st = head.gs.index, -1
        if head.st.index != self._st:
            writer.open_transaction(head.st.elements)
            self._st, self._hl = head.st.index, {}
            for segment in head.header:
                writer.write_raw(segment.text)
        parent = ""
        hierarchy = claim.hierarchy
        for level in (hierarchy.billing, hierarchy.subscriber, hierarchy.patient):
            if level:
                parent = self._hierarchy(writer, level, parent)
        for segment in claim.segments:
            writer.write_raw(segment.text)
        self.claims += 1

    def _hierarchy(self, writer: X12Writer, level: list[Segment], parent: str) -> str:
        """Write an HL level the first time a claim under it is written; return its new HL01."""
        hl = level[0]
        known = self._hl.get(hl.index)
        if known is not None:
            return known
        number = str(len(self._hl) + 1)
        self._hl[hl.index] = number
        elements = list(hl.elements) + [""] * (5 - len(hl.elements))
        elements[1], elements[2] = number, parent
        writer.write(elements)
        for segment in level[1:]:
            writer.write_raw(segment.text)
        return number

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close_interchange()


class SplitWriter(BaseSink):
    """The accepted and the rejected claims of one file into their own 837Ps (either may be None)."""

    def __init__(self, accepted: TextIO | None, rejected: TextIO | None) -> None:
        self.accepted = Split837Writer(accepted) if accepted is not None else None
        self.rejected = Split837Writer(rejected) if rejected is not None else None

    def claim(self, result: ClaimResult) -> None:
        claim = result.claim
        if claim is None or claim.head is None:  # outside a whole ISA/GS envelope: cannot be copied
            return
        target = self.accepted if result.status == "accepted" else self.rejected
        if target is not None:
            target.add(claim)

    def finish_file(self, end: FileEnd) -> None:
        for target in (self.accepted, self.rejected):
            if target is not None:
                target.close()
