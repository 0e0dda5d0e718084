"""Why a claim was rejected, in 277CA status codes: for the claim and for each service line.

Each rule declares the status its rejections become (:attr:`scrubber.rules.base.Rule.status`,
refined by :meth:`~scrubber.rules.base.Rule.status_for`); this module places every rejecting
finding on the claim or on the service line whose segments it points at.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from scrubber.findings import ClaimStatus, Severity
from scrubber.model import Claim
from scrubber.report.model import ClaimReport
from scrubber.rules.base import MISSING_OR_INVALID
from scrubber.rules.registry import RuleRegistry

ACCEPTED = ClaimStatus("A2", "20")  # accepted for processing
RECEIVED = ClaimStatus("A1", "19")  # entity acknowledges receipt


@dataclass(slots=True)
class Rejection:
    """Status codes for the claim and for the lines (by LX segment position)."""

    claim: list[ClaimStatus] = field(default_factory=list)
    lines: dict[int, list[ClaimStatus]] = field(default_factory=dict)


def rejection_of(report: ClaimReport, claim: Claim, registry: RuleRegistry) -> Rejection:
    """The statuses of a rejected claim's errors, each on the claim or on its line."""
    starts = [line.lx_segment.index for line in claim.lines if line.lx_segment is not None]
    rejection = Rejection()
    for finding in report.findings:
        if finding.severity is not Severity.ERROR:
            continue
        rule = registry.get(finding.rule)
        status = rule.status_for(finding) if rule is not None else MISSING_OR_INVALID
        position = finding.location.segment if finding.location else 0
        slot = bisect_right(starts, position) - 1 if position else -1
        target = rejection.lines.setdefault(starts[slot], []) if slot >= 0 else rejection.claim
        if status not in target:
            target.append(status)
    if not rejection.claim:  # every claim-level STC needs a reason; line reasons imply this one
        first_line = next(iter(rejection.lines.values()), [])
        rejection.claim.extend(first_line[:1] or [MISSING_OR_INVALID])
    return rejection
