"""A file's structure issues, waiting for the claims that hold their segments.

The TR3 check finds issues by segment position. While the walker streams claims, :meth:`for_claim`
hands each claim the issues that fall inside its segments (CLM through its last line) or its HL
context (billing provider, subscriber, patient), so a structural error rejects exactly the claims
it touches; what no claim holds (envelopes, the 1000A/B header) is left for the file
(:meth:`unattached`). Memory grows with the number of issues, not with the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain

from scrubber.model import Claim
from scrubber.structure.issues import StructureIssue


class StructureIndex:
    """Structure issues by segment position; fed as the check finds them, drained per claim."""

    def __init__(self, issues: Iterable[StructureIssue] = ()) -> None:
        self._by_segment: dict[int, list[StructureIssue]] = {}
        self._unplaced: list[StructureIssue] = []
        self._attached: set[int] = set()
        self.add(issues)

    def add(self, issues: Iterable[StructureIssue]) -> None:
        for issue in issues:
            if issue.segment is None:
                self._unplaced.append(issue)
            else:
                self._by_segment.setdefault(issue.segment.index, []).append(issue)

    def seed(self, issues: Iterable[StructureIssue]) -> None:
        """Issues an earlier piece of the file reported on segments this piece holds as context
        (an HL*20 block above its claims): its claims get them, the file does not again."""
        for issue in issues:
            if issue.segment is not None:
                self._by_segment.setdefault(issue.segment.index, []).append(issue)
                self._attached.add(issue.segment.index)

    def placed(self) -> dict[int, list[StructureIssue]]:
        """Every issue with a segment, by segment position."""
        return self._by_segment

    def __len__(self) -> int:
        return len(self._unplaced) + sum(len(found) for found in self._by_segment.values())

    def for_claim(self, claim: Claim) -> list[StructureIssue]:
        """The issues inside the claim's HL context and its own segments, in that order."""
        by_segment = self._by_segment
        if not by_segment:
            return []
        found: list[StructureIssue] = []
        for segment in chain(
            claim.hierarchy.billing, claim.hierarchy.subscriber, claim.hierarchy.patient, claim.segments
        ):
            issues = by_segment.get(segment.index)
            if issues:
                found.extend(issues)
                self._attached.add(segment.index)
        return found

    def unattached(self) -> list[tuple[int | None, StructureIssue]]:
        """(segment index, issue) of the issues no claim held so far, in file order (unplaced first)."""
        placed = [
            (index, issue)
            for index in sorted(self._by_segment)
            if index not in self._attached
            for issue in self._by_segment[index]
        ]
        return [(None, issue) for issue in self._unplaced] + placed
