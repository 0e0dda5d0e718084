"""The claim model the walker builds and the rules read.

Plain slotted dataclasses: a claim is built once per CLM and read by every rule, so they stay
cheap to create. Each value keeps the segment it came from, so findings can point at it.
Patient names and member ids are deliberately not kept: no rule needs them, and what is not
held cannot leak into a log or report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from scrubber.findings import Finding
from scrubber.x12.segment import Segment


@dataclass(frozen=True, slots=True)
class Control:
    """Envelope control numbers and ids a claim travelled in."""

    isa13: str
    gs06: str
    st02: str
    sender_id: str = ""  # ISA06, trimmed
    receiver_id: str = ""  # ISA08, trimmed
    version: str = ""  # GS08, e.g. 005010X222A1


@dataclass(slots=True)
class Diagnosis:
    """One HI code. ``code`` is shown with its decimal point (M62.81); ``raw`` as sent (M6281)."""

    code: str
    raw: str
    qualifier: str  # ABK/ABF (ICD-10-CM) or BK/BF (ICD-9-CM)
    position: int  # 1-based order across all HI segments of the claim (pointer target)
    segment: Segment
    element: int  # HI element position (1..12)

    @property
    def element_ref(self) -> str:
        return f"HI{self.element:02d}-2"

    @property
    def is_icd10(self) -> bool:
        return self.qualifier in ("ABK", "ABF")


@dataclass(slots=True)
class ServiceLine:
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
    rendering_npi: str = ""  # 2420A NM109
    rendering_segment: Segment | None = None


@dataclass(slots=True)
class Provider:
    """A provider loop's NM1: entity code, id qualifier and id (NPI when NM108 is XX)."""

    entity: str
    id_qualifier: str
    identifier: str
    segment: Segment

    @property
    def npi(self) -> str:
        return self.identifier if self.id_qualifier == "XX" else ""


@dataclass(slots=True)
class Person:
    """Demographics the rules need (age and sex edits), never the name or member id."""

    birth_date: dt.date | None
    sex: str  # DMG03: F, M, U or ''
    dmg_segment: Segment | None
    loop: str  # 2010BA or 2010CA


@dataclass(slots=True)
class Claim:
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
    diagnoses: list[Diagnosis] = field(default_factory=list)
    lines: list[ServiceLine] = field(default_factory=list)
    dates: dict[str, tuple[dt.date | None, dt.date | None, Segment]] = field(default_factory=dict)
    rendering_provider: Provider | None = None  # 2310B
    segments: list[Segment] = field(default_factory=list)  # CLM through the last segment of the claim
    context_segments: list[Segment] = field(default_factory=list)  # HL chain segments above the claim
    parse_findings: list[Finding] = field(default_factory=list)  # what the walker found inside the claim
    # Facts the rules derive from the claim (its code set, its ICD-10 codes), worked out by the
    # first rule that needs them and read by the others: see scrubber.rules.icd10_support.
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def person(self) -> Person | None:
        """The patient whose age and sex the codes must fit."""
        return self.patient if self.patient is not None else self.subscriber

    @property
    def service_date(self) -> dt.date | None:
        """Earliest date of service on the claim: line DTP*472, else a claim-level DTP*472."""
        dates = [line.service_date for line in self.lines if line.service_date is not None]
        if dates:
            return min(dates)
        claim_level = self.dates.get("472")
        return claim_level[0] if claim_level else None
