"""What the walker reads out of a file: claims, and the problems met while reading them.

Plain records (msgspec Structs, built in C at half the cost of slotted dataclasses): a claim is
built once per CLM and read by every rule, so they stay cheap to create. Each value keeps the
segment it came from, so findings can point at it. Patient names and member ids are deliberately
not kept: no rule needs them, and what is not held cannot leak into a log or report. Nothing here
knows the 837P grammar or the rules: the walker fills every field, the rules only read them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

import msgspec

from scrubber.x12.segment import Segment


class IssueKind(StrEnum):
    """What reading or walking found wrong; each ENV rule names the kinds it reports."""

    COUNT = "count"  # SE01, GE01, IEA01 count differs from the file
    CONTROL = "control"  # trailer control number does not repeat its header's
    TRAILER = "trailer"  # missing trailer, trailer without header, file cut off
    UNSUPPORTED = "unsupported"  # not an 837P 005010X222A1 transaction
    UNEXPECTED = "unexpected"  # segment out of place, or not a segment at all
    CHARACTERS = "characters"  # bytes outside the X12 character sets, byte order mark
    TRAILING = "trailing"  # data after the last IEA, empty segments
    MALFORMED = "malformed"  # a value that cannot be read (date, LX01, empty CLM01 ...)
    OVERSIZED = "oversized"  # a segment too long to hold
    HIERARCHY = "hierarchy"  # HL numbering and parents
    INTERCHANGE_HEADER = "interchange_header"  # the ISA breaks its fixed layout (SNIP 1)


@dataclass(frozen=True, slots=True)
class ParseIssue:
    """One problem met while reading or walking, at a segment (or a byte position when none).

    A plain record: the ENV rules (:mod:`scrubber.rules.reading`) give it a severity, a fix and
    a reference when they turn it into a finding.
    """

    kind: IssueKind
    message: str
    segment: Segment | None = None
    element: str = ""  # X12 reference, e.g. HL02, DTP03, HI02-2
    loop: str = ""
    line: int = 0  # where there is no segment to point at
    offset: int = 0


@dataclass(frozen=True, slots=True)
class Control:
    """Envelope control numbers and ids a claim travelled in."""

    isa13: str
    gs06: str
    st02: str
    sender_id: str = ""  # ISA06, trimmed
    receiver_id: str = ""  # ISA08, trimmed
    version: str = ""  # GS08, e.g. 005010X222A1


class Diagnosis(msgspec.Struct):
    """One HI code. ``code`` is shown with its decimal point (M62.81); ``raw`` as sent (M6281)."""

    code: str
    raw: str
    qualifier: str  # ABK/ABF (ICD-10-CM) or BK/BF (ICD-9-CM)
    position: int  # 1-based order across all HI segments of the claim (pointer target)
    segment: Segment
    element: int  # HI element position (1..12)
    is_icd10: bool  # sent with an ICD-10-CM qualifier

    @property
    def element_ref(self) -> str:
        return _HI_REFS[self.element] if self.element < len(_HI_REFS) else f"HI{self.element:02d}-2"


_HI_REFS = [f"HI{n:02d}-2" for n in range(13)]  # element_ref of HI01..HI12, made once


class ServiceLine(msgspec.Struct):
    """A 2400 loop: LX, SV1 and its dates."""

    number: int  # LX01 (falls back to order)
    segment: Segment  # the SV1
    lx_segment: Segment | None
    qualifier: str  # SV101-1: HC (HCPCS/CPT), WK, ...
    procedure: str  # SV101-2
    modifiers: list[str]  # SV101-3..6
    charge_raw: str  # SV102 as sent
    charge: Decimal | None  # None when SV102 is not a number
    unit_basis: str  # SV103: UN or MJ
    units_raw: str  # SV104
    units: Decimal | None
    place_of_service: str  # SV105
    pointers_raw: list[str]  # SV107 components as sent
    pointers: list[int]  # SV107 components that are whole numbers
    service_date: dt.date | None = None  # DTP*472 (start of a range)
    service_date_end: dt.date | None = None
    date_segment: Segment | None = None
    rendering: Provider | None = None  # 2420A


class Provider(msgspec.Struct):
    """A provider loop's NM1: entity code, id qualifier and id; ``npi`` when the id is one."""

    entity: str
    id_qualifier: str
    identifier: str
    npi: str  # NM109 when NM108 says it is an NPI, else ''
    segment: Segment
    loop: str


class Person(msgspec.Struct):
    """Demographics the rules need (age and sex edits), never the name or member id."""

    birth_date: dt.date | None
    sex: str  # DMG03: F, M, U or ''
    dmg_segment: Segment | None
    loop: str  # 2010BA or 2010CA


class Hierarchy(msgspec.Struct):
    """The HL levels above a claim, as segment lists: billing provider, subscriber, patient."""

    billing: list[Segment]
    subscriber: list[Segment]
    patient: list[Segment]

    def segments(self) -> list[Segment]:
        return self.billing + self.subscriber + self.patient


class TransactionHead(msgspec.Struct):
    """The envelopes a transaction travels in and its header (BHT, 1000A submitter, 1000B receiver).

    Shared by every claim of the transaction; the split and the 277CA copy it.
    """

    isa: Segment
    gs: Segment
    st: Segment
    header: list[Segment] = msgspec.field(default_factory=list)

    def first(self, segment_id: str, qualifier: str = "") -> Segment | None:
        """The first header segment with this id (and element 01), e.g. ('NM1', '41')."""
        return first_segment(self.header, segment_id, qualifier)


def first_segment(segments: list[Segment], segment_id: str, qualifier: str = "") -> Segment | None:
    """The first segment with this id (and element 01) in a list."""
    for segment in segments:
        if segment.elements[0] == segment_id and (not qualifier or segment.get(1) == qualifier):
            return segment
    return None


class Claim(msgspec.Struct):
    """A 2300 loop with its context: billing provider, subscriber, patient, payer, lines."""

    claim_id: str
    control: Control
    clm_segment: Segment
    total_charge_raw: str
    total_charge: Decimal | None
    place_of_service: str  # CLM05-1
    facility_qualifier: str  # CLM05-2
    frequency: str  # CLM05-3
    billing_provider: Provider | None
    payer_id: str  # 2010BB NM109
    subscriber: Person | None
    patient: Person | None  # 2010CA when the patient is not the subscriber
    relationship: str  # SBR02 (18 = self) or PAT01
    hierarchy: Hierarchy
    head: TransactionHead | None = None  # None when the transaction's ISA or GS is missing
    diagnoses: list[Diagnosis] = msgspec.field(default_factory=list)
    lines: list[ServiceLine] = msgspec.field(default_factory=list)
    dates: dict[str, tuple[dt.date | None, dt.date | None, Segment]] = msgspec.field(default_factory=dict)  # DTP01 ->
    claim_service_date: dt.date | None = None  # a claim-level DTP*472
    rendering_provider: Provider | None = None  # 2310B
    segments: list[Segment] = msgspec.field(default_factory=list)  # CLM through the last segment of the claim
    issues: list[ParseIssue] = msgspec.field(default_factory=list)  # what the walker found inside the claim

    @property
    def context_segments(self) -> list[Segment]:
        """The HL chain segments above the claim (billing provider, subscriber, patient)."""
        return self.hierarchy.segments()

    @property
    def person(self) -> Person | None:
        """The patient whose age and sex the codes must fit."""
        return self.patient if self.patient is not None else self.subscriber

    @property
    def service_date(self) -> dt.date | None:
        """Earliest date of service on the claim: line DTP*472, else a claim-level DTP*472."""
        dates = [line.service_date for line in self.lines if line.service_date is not None]
        return min(dates) if dates else self.claim_service_date
