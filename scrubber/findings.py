"""Findings: what a rule says about a claim or a file, with where it points.

:class:`Finding` and :class:`Location` are the report's building blocks (JSON contract
``scrubber.report/1``), so they are pydantic models with stable field names: what a library caller
reads in a :class:`~scrubber.report.model.ClaimReport`. Rules make :class:`Found` and :class:`Place`
instead: plain records with the same fields, a tenth of the cost of a validated model each,
which the report turns into JSON directly or into the models when a caller asks for them.
:class:`ClaimStatus` is the 277CA code a rejecting finding becomes; each rule declares its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import msgspec
from pydantic import BaseModel, ConfigDict

from scrubber.x12.segment import Segment


class Severity(StrEnum):
    """An error rejects the claim; a warning or info is reported and the claim goes on."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class ClaimStatus:
    """A 277CA STC01: category (code source 507), status code (508) and the entity it concerns.

    Categories: A2 accepted into adjudication; A3 returned as unprocessable (the data cannot be
    read: structure, envelopes); A7 rejected for invalid information (the data reads but is wrong).
    """

    category: str
    code: str
    entity: str = ""


_ELEMENT_REF = re.compile(r"^(?P<seg>[A-Z][A-Z0-9]{1,2})(?P<pos>\d{2})(?:-(?P<comp>\d+))?$")


@lru_cache(maxsize=1024)
def _element_position(element: str) -> tuple[int, int | None] | None:
    """(element, component) of a reference such as ``HI02-2``; None when it is not one.

    Memoized: rules name the same few dozen references in every finding they make.
    """
    match = _ELEMENT_REF.match(element)
    if match is None:
        return None
    comp = match.group("comp")
    return int(match.group("pos")), int(comp) if comp else None


class Location(BaseModel):
    """Where a finding points: file position, position from ST, physical line, loop and element."""

    model_config = ConfigDict(frozen=True)

    segment: int
    st_segment: int
    line: int
    offset: int
    loop: str = ""
    element: str = ""  # e.g. HI02-2, SV107-1, CLM02
    column: int = 0  # 0-based start of the element inside the segment text
    length: int = 0


class Finding(BaseModel):
    """One problem: which rule, how bad, what, where, why (reference) and how to fix it."""

    rule: str
    name: str
    severity: Severity
    message: str
    codes: list[str] = []
    location: Location | None = None
    segment_text: str | None = None
    reference: str = ""
    fix: str = ""


class Place(msgspec.Struct, gc=False):
    """Where a :class:`Found` points: the fields of :class:`Location`, in its order, as a plain record."""

    segment: int
    st_segment: int
    line: int
    offset: int
    loop: str = ""
    element: str = ""
    column: int = 0
    length: int = 0

    @classmethod
    def of(cls, segment: Segment, element: str = "", loop: str = "", text: str | None = None) -> Place:
        """Locate ``element`` (an X12 reference such as ``HI02-2``) inside ``segment`` (``text``: its text)."""
        ref = _element_position(element) if element else None
        if ref is not None:
            column, end = segment.span(*ref)
            length = end - column
        else:
            column, length = 0, len(segment.text if text is None else text)
        return cls(segment.index, segment.st_index, segment.line, segment.offset, loop, element, column, length)

    def model(self) -> Location:
        return Location.model_validate(self, from_attributes=True)


class Found(msgspec.Struct, gc=False):
    """What a rule found: the fields of :class:`Finding`, in its order, as a plain record made on the
    hot path (a msgspec Struct: built in C, half the cost of a slotted dataclass). msgspec writes it
    as the JSON object pydantic writes for the model.

    ``severity`` may be changed by the engine (configuration); everything else is set once.
    """

    rule: str
    name: str
    severity: Severity
    message: str
    codes: list[str]
    location: Place | None
    segment_text: str | None
    reference: str
    fix: str

    def model(self) -> Finding:
        """The validated model a report or a library caller holds."""
        return Finding.model_validate(self, from_attributes=True)

    @classmethod
    def of(cls, finding: Finding) -> Found:
        """The plain record of a model (a caller that built its own findings)."""
        where = finding.location
        place = None if where is None else Place(**where.model_dump())
        return cls(
            finding.rule,
            finding.name,
            finding.severity,
            finding.message,
            list(finding.codes),
            place,
            finding.segment_text,
            finding.reference,
            finding.fix,
        )
