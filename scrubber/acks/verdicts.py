"""What the check decided about each claim, kept compactly for the outputs written after the scan.

The split and the 277CA read the file again (they copy whole segments), so they need each claim's
verdict keyed by its CLM position. Accepted claims cost one integer; rejected ones keep their
status codes, per claim and per service line. Totals per transaction feed the 277CA's counts.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import Decimal

from scrubber.acks.status_codes import DEFAULT_STATUS, ClaimStatus, status_for
from scrubber.findings import Severity
from scrubber.report.model import ClaimReport


@dataclass(slots=True)
class Rejection:
    """Why a claim was rejected: status codes for the claim and for the lines (by LX position)."""

    claim: list[ClaimStatus] = field(default_factory=list)
    lines: dict[int, list[ClaimStatus]] = field(default_factory=dict)  # LX segment position -> codes


@dataclass(slots=True)
class Totals:
    accepted: int = 0
    rejected: int = 0
    accepted_amount: Decimal = Decimal(0)
    rejected_amount: Decimal = Decimal(0)


TransactionKey = tuple[str, str, str]  # ISA13, GS06, ST02


@dataclass(slots=True)
class Verdicts:
    """Verdicts of one file's claims, fed claim reports as the scan produces them."""

    _accepted: array = field(default_factory=lambda: array("q"))
    rejected: dict[int, Rejection] = field(default_factory=dict)
    totals: dict[TransactionKey, Totals] = field(default_factory=dict)

    def add(self, report: ClaimReport) -> None:
        claim = report.claim
        if claim is None:
            return
        key = (claim.control.isa13, claim.control.gs06, claim.control.st02)
        totals = self.totals.setdefault(key, Totals())
        amount = claim.total_charge or Decimal(0)
        if report.status == "accepted":
            self._accepted.append(claim.clm_segment.index)
            totals.accepted += 1
            totals.accepted_amount += amount
            return
        totals.rejected += 1
        totals.rejected_amount += amount
        starts = [line.lx_segment.index for line in claim.lines if line.lx_segment is not None]
        rejection = Rejection()
        for finding in report.findings:
            if finding.severity is not Severity.ERROR:
                continue
            status = status_for(finding)
            position = finding.location.segment if finding.location else 0
            slot = bisect_right(starts, position) - 1 if position else -1
            target = rejection.lines.setdefault(starts[slot], []) if slot >= 0 else rejection.claim
            if status not in target:
                target.append(status)
        if not rejection.claim:  # every claim-level STC needs a reason; line reasons imply this one
            first_line = next(iter(rejection.lines.values()), [])
            rejection.claim.extend(first_line[:1] or [DEFAULT_STATUS])
        self.rejected[claim.clm_segment.index] = rejection

    def accepted(self, clm_index: int) -> bool | None:
        """True, False, or None when the check never judged this claim (unsupported transaction)."""
        if clm_index in self.rejected:
            return False
        found = self._find(clm_index)
        return True if found else None

    def _find(self, clm_index: int) -> bool:
        accepted = self._accepted
        position = bisect_right(accepted, clm_index) - 1
        return position >= 0 and accepted[position] == clm_index
