"""X12: structural errors from the TR3 check (SNIP levels 1 and 2), one rule per class of error.

These rules have no ``check``: a structure engine (:mod:`scrubber.structure`, native or pyx12)
finds the errors as :class:`~scrubber.structure.issues.StructureIssue` records in pyx12's
vocabulary of levels and codes, and :func:`finding_for` turns each into a finding of the rule
whose ``codes`` name it. They are in the catalogue so that configuration, ``scrubber rules`` and
every report treat them like any other rule.
"""

from __future__ import annotations

import re

from scrubber.findings import Found
from scrubber.rules.base import StructureRule
from scrubber.rules.tr3.elements import (
    ElementLength,
    ElementNotAllowed,
    InvalidCharacter,
    InvalidCodeValue,
    InvalidDateTime,
    MissingElement,
    PatternMismatch,
    StructureCheckIncomplete,
)
from scrubber.rules.tr3.segments import (
    GroupEnvelope,
    HierarchyCount,
    InterchangeEnvelope,
    MissingSegment,
    SegmentNotUsed,
    SegmentOutOfPlace,
    SegmentSyntax,
    TooManyOccurrences,
    TransactionEnvelope,
    UnrecognizedSegment,
)
from scrubber.structure.issues import StructureIssue

RULES: list[StructureRule] = [
    InterchangeEnvelope(),
    GroupEnvelope(),
    TransactionEnvelope(),
    UnrecognizedSegment(),
    SegmentOutOfPlace(),
    MissingSegment(),
    TooManyOccurrences(),
    SegmentNotUsed(),
    SegmentSyntax(),
    HierarchyCount(),
    MissingElement(),
    ElementLength(),
    InvalidCharacter(),
    InvalidCodeValue(),
    InvalidDateTime(),
    ElementNotAllowed(),
    PatternMismatch(),
    StructureCheckIncomplete(),
]

# (level, code) -> rule; (level, "*") is the rule for a level's other codes.
_BY_CODE: dict[tuple[str, str], StructureRule] = {pair: rule for rule in RULES for pair in rule.codes}
_FALLBACK = StructureCheckIncomplete()

# structure level -> the acknowledgment segment that carries its code
ACK_SEGMENT = {"isa": "TA1", "gs": "999 AK905", "st": "999 IK502", "seg": "999 IK304", "ele": "999 IK403"}


def rule_for(level: str, code: str) -> StructureRule:
    """The rule that reports structure error ``code`` at ``level``."""
    return _BY_CODE.get((level, code)) or _BY_CODE.get((level, "*")) or _FALLBACK


def finding_for(issue: StructureIssue) -> Found:
    """A structure issue as a finding of its X12 rule, located at its segment and element."""
    rule = rule_for(issue.level, issue.code)
    ack = ACK_SEGMENT.get(issue.level)
    reference = f"{rule.reference}, checked by {issue.checked_by}" if issue.checked_by else rule.reference
    if ack:
        reference = f"{reference}; {ack} code {issue.code}"
    message = re.sub(r"(\w)\(", r"\1 (", issue.message.strip().rstrip("."))  # pyx12: "character(1O0)"
    return rule.finding(message, segment=issue.segment, element=issue.element_ref, loop=issue.loop, reference=reference)
