"""Running both TR3 engines on bytes, for the native check's tests."""

from __future__ import annotations

import io
from pathlib import Path

from scrubber.rules.tr3 import rule_for
from scrubber.structure.issues import StructureIssue
from scrubber.structure.native.validator import NativeValidator
from scrubber.structure.pyx12_adapter import StructureResult, validate
from scrubber.x12.reader import SegmentReader
from scrubber.x12.segment import Segment


def segments_of(data: bytes) -> list[Segment]:
    return list(SegmentReader(io.BytesIO(data)))


def native(data: bytes) -> list[StructureIssue]:
    """The native check as the pipeline runs it: on the reader's batches."""
    return NativeValidator().check_batches(SegmentReader(io.BytesIO(data)).batches())


def pyx12(data: bytes, tmp_path: Path, name: str = "claims.837") -> StructureResult:
    path = tmp_path / name
    path.write_bytes(data)
    return validate(path)


def key(issue: StructureIssue) -> tuple[int, str, str]:
    """What the differential tests compare: segment position, X12 rule, element reference."""
    return (issue.segment.index if issue.segment else 0, rule_for(issue.level, issue.code).code, issue.element_ref)


def full(issue: StructureIssue) -> tuple[object, ...]:
    """Everything an issue says (for whole-versus-pieces comparisons)."""
    return (issue.level, issue.code, issue.message, issue.segment.index if issue.segment else 0, issue.element,
            issue.component, issue.data_element, issue.loop)
