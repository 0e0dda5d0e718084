"""An 837 file as claim blocks: each claim with its envelopes, transaction header and HL chain.

The split writer and the 277CA writer need whole segments to copy (the claim model keeps only
what rules read), so they take a second pass over the file through this iterator. One block is
held at a time; the HL lists are shared by the claims under the same provider or subscriber.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from scrubber.transaction import grammar as g
from scrubber.x12.reader import SegmentReader
from scrubber.x12.segment import Segment

BILLING, SUBSCRIBER, PATIENT = "20", "22", "23"


@dataclass(slots=True)
class TransactionHead:
    """The envelopes a transaction travels in and its header (BHT, 1000A submitter, 1000B receiver)."""

    isa: Segment
    gs: Segment
    st: Segment
    header: list[Segment] = field(default_factory=list)

    def first(self, segment_id: str, qualifier: str = "") -> Segment | None:
        """The first header segment with this id (and element 01), e.g. ('NM1', '41')."""
        for segment in self.header:
            if segment.id == segment_id and (not qualifier or segment.get(1) == qualifier):
                return segment
        return None


@dataclass(slots=True)
class ClaimBlock:
    """One claim: CLM through its last segment, under its billing, subscriber and patient HLs."""

    head: TransactionHead
    billing: list[Segment]
    subscriber: list[Segment]
    patient: list[Segment]
    segments: list[Segment]

    @property
    def clm(self) -> Segment:
        return self.segments[0]

    @property
    def index(self) -> int:
        """The CLM segment's position in the file: the key the check's verdicts use."""
        return self.segments[0].index


def find(segments: list[Segment], segment_id: str, qualifier: str = "") -> Segment | None:
    """The first segment with this id (and element 01) in a block list."""
    for segment in segments:
        if segment.id == segment_id and (not qualifier or segment.get(1) == qualifier):
            return segment
    return None


def claim_blocks(stream: BinaryIO) -> Iterator[ClaimBlock]:
    """Every claim of the 837P transactions in ``stream``, in file order."""
    isa: Segment | None = None
    gs: Segment | None = None
    head: TransactionHead | None = None
    billing: list[Segment] = []
    subscriber: list[Segment] = []
    patient: list[Segment] = []
    claim: list[Segment] | None = None
    target: list[Segment] = []

    def flush() -> Iterator[ClaimBlock]:
        nonlocal claim
        if claim is not None and head is not None:
            yield ClaimBlock(head, billing, subscriber, patient, claim)
        claim = None

    for segment in SegmentReader(stream):
        sid = segment.id
        if sid in ("ISA", "GS", "GE", "IEA", "ST", "SE"):
            yield from flush()
            if sid == "ISA":
                isa = segment
            elif sid == "GS":
                gs = segment
            elif sid == "ST" and isa is not None and gs is not None and segment.get(1) == "837":
                head = TransactionHead(isa, gs, segment)
                target = head.header
            else:
                head = None
            continue
        if head is None:
            continue
        if sid == "HL":
            yield from flush()
            level = g.HL_LEVELS.get(segment.get(3))
            if level == "2000A":
                billing, subscriber, patient = [segment], [], []
                target = billing
            elif level == "2000B":
                subscriber, patient = [segment], []
                target = subscriber
            elif level == "2000C":
                patient = [segment]
                target = patient
            else:
                target.append(segment)
        elif sid == "CLM":
            yield from flush()
            claim = [segment]
            target = claim
        else:
            target.append(segment)
    yield from flush()
