"""Annotated text report, in the manner of rustc and ruff diagnostics.

    ICD004 error: R53.1 and M62.81 are excluded together
      --> claims.837 segment 27 (claim PCN123, loop 2300, HI02-2)
        |
     27 | HI*ABK:R531*ABF:M6281
        |                 ^^^^^
        = note: ICD-10-CM FY2026 tabular, R53.1 Excludes1
        = help: Remove the code the Excludes1 note rules out

The gutter shows the segment number (what is shown is a segment; many 837 files are a single
line, so a line number would say little). Structure findings (X12..., from pyx12) come out the
same way. Colour (plain ANSI) is used on a terminal only.
"""

from __future__ import annotations

from typing import TextIO

from scrubber.findings import Finding, Severity
from scrubber.report.events import ClaimResult, FileEnd

_COLORS = {
    Severity.ERROR: "\x1b[1;31m",
    Severity.WARNING: "\x1b[1;33m",
    Severity.INFO: "\x1b[1;36m",
    "accepted": "\x1b[1;32m",
    "rejected": "\x1b[1;31m",
    "dim": "\x1b[2m",
    "bold": "\x1b[1m",
}
_RESET = "\x1b[0m"
MAX_SHOWN_SEGMENT = 160


class TextWriter:
    def __init__(self, out: TextIO, *, color: bool = False) -> None:
        self._out = out
        self._color = color
        self._name = ""

    def _paint(self, text: str, style: str) -> str:
        return f"{_COLORS[style]}{text}{_RESET}" if self._color else text

    def begin(self, file_count: int) -> None:
        """Nothing to announce: each file prints its own block."""

    def start_file(self, name: str) -> None:
        self._name = name
        self._out.write(self._paint(f"== {name}", "bold") + "\n")

    def claim(self, result: ClaimResult) -> None:
        claim = result.report
        facts = [
            f"ST {claim.control.st02}",
            f"payer {claim.payer_id or '?'}",
            f"DOS {claim.service_date or '?'}",
        ]
        if claim.code_set:
            facts.append(claim.code_set)
        self._out.write(
            f"claim {claim.claim_id or '(no id)'}: {self._paint(claim.status, claim.status)} ({', '.join(facts)})\n"
        )
        for finding in claim.findings:
            self._finding(finding, claim.claim_id)

    def file_finding(self, finding: Finding) -> None:
        self._finding(finding, None)

    def _finding(self, finding: Finding, claim_id: str | None) -> None:
        out = self._out
        head = f"{finding.rule} {finding.severity.value}"
        out.write(f"{self._paint(head, finding.severity)}: {finding.message}\n")
        loc = finding.location
        pad = " "  # "=" lines line up with the gutter's "|"
        if loc is None:
            out.write(f"  --> {self._name}\n")
        else:
            where = [f"claim {claim_id}"] if claim_id is not None else []
            where += [part for part in (f"loop {loc.loop}" if loc.loop else "", loc.element) if part]
            position = f"segment {loc.segment}" if loc.segment else f"line {loc.line}, byte {loc.offset}"
            context = f" ({', '.join(where)})" if where else ""
            out.write(f"  --> {self._name} {position}{context}\n")
            if finding.segment_text is not None:
                pad = " " * len(str(loc.segment or loc.line))
                self._excerpt(finding.segment_text, loc.segment or loc.line, loc.column, loc.length, finding.severity)
        if finding.reference:
            out.write(f" {pad} = note: {finding.reference}\n")
        if finding.fix:
            out.write(f" {pad} = help: {finding.fix}\n")

    def _excerpt(self, text: str, number: int, column: int, length: int, severity: Severity) -> None:
        gutter = str(number)
        pad = " " * len(gutter)
        shown = text if len(text) <= MAX_SHOWN_SEGMENT else text[:MAX_SHOWN_SEGMENT] + "..."
        column = min(column, len(shown))
        length = max(1, min(length, len(shown) + 1 - column))
        carets = " " * column + "^" * length
        self._out.write(f" {pad} |\n {gutter} | {shown}\n {pad} | {self._paint(carets, severity)}\n")

    def finish_file(self, end: FileEnd) -> None:
        header = end.report
        summary = header.summary
        self._out.write(
            f"{self._name}: {self._paint(header.status, header.status)}: {summary.claims} claims, "
            f"{summary.accepted} accepted, {summary.rejected} rejected\n"
        )
        if summary.findings_by_rule:
            counts = ", ".join(f"{rule} {n}" for rule, n in summary.findings_by_rule.items())
            self._out.write(f"findings: {counts}\n")
        self._out.write("\n")

    def unreadable(self, name: str, reason: str) -> None:
        self._out.write(f"{self._paint('error', Severity.ERROR)}: {name}: {reason}\n")

    def close(self) -> None:
        """Nothing buffered."""
