"""The reader's issues (SNIP 1 syntax: characters, terminators, the ISA) as parse issues."""

from __future__ import annotations

from scrubber.model import IssueKind, ParseIssue
from scrubber.x12.reader import ReaderIssue

_KINDS: dict[str, IssueKind] = {
    "bom": IssueKind.CHARACTERS,
    "non_ascii": IssueKind.CHARACTERS,
    "control": IssueKind.CHARACTERS,
    "white_space": IssueKind.TRAILING,
    "empty_segment": IssueKind.TRAILING,
    "trailing_data": IssueKind.TRAILING,
    "oversized_segment": IssueKind.OVERSIZED,
    "unterminated": IssueKind.TRAILER,
    "bad_isa": IssueKind.TRAILER,
    "isa_layout": IssueKind.INTERCHANGE_HEADER,
}
# Kinds that concern the segment they stand at, so they belong to the claim that holds it.
_CLAIM_LEVEL = frozenset({"non_ascii", "control", "oversized_segment", "empty_segment"})


def from_reader(issue: ReaderIssue) -> ParseIssue:
    return ParseIssue(
        _KINDS[issue.kind], issue.message, issue.segment, issue.element, line=issue.line, offset=issue.offset
    )


def claim_level(issue: ReaderIssue) -> bool:
    """True when the issue goes to the open claim rather than to the file."""
    return issue.kind in _CLAIM_LEVEL
