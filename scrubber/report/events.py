"""The one stream every sink reads: files starting and ending, judged claims, file findings.

:class:`ClaimResult` is one judged claim as a sink sees it. In one process it holds the report as
plain data (:func:`~scrubber.report.model.claim_data`) and the parsed claim; from a worker process
of ``--jobs`` it holds the report's JSON text and, when a sink shows segments, the claim's segments.
The model and the JSON text are made only when a sink asks for them, so the JSON writer never
builds a model and the parent of ``--jobs`` never re-parses what it only copies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from scrubber.findings import Finding
from scrubber.model import Claim
from scrubber.report.model import ClaimReport, FileReport, claim_json, claim_report
from scrubber.x12.segment import Segment


class ClaimResult:
    """A judged claim: its report (plain data, model or JSON text), status, rule codes, parsed claim if at hand."""

    __slots__ = ("_data", "_json", "_report", "_segments", "claim", "rules", "status")

    def __init__(
        self,
        *,
        status: str,
        rules: list[str],
        report: ClaimReport | None = None,
        json: str | None = None,
        data: dict[str, Any] | None = None,
        claim: Claim | None = None,
        segments: list[Segment] | None = None,
    ) -> None:
        if report is None and json is None and data is None:
            raise ValueError("a claim result needs its report, its plain data or its JSON text")
        self.status = status
        self.rules = rules
        self.claim = claim
        self._report = report
        self._json = json
        self._data = data
        self._segments = segments

    @classmethod
    def of(cls, report: ClaimReport, claim: Claim | None = None) -> ClaimResult:
        return cls(status=report.status, rules=[f.rule for f in report.findings], report=report, claim=claim)

    @property
    def report(self) -> ClaimReport:
        if self._report is None:
            if self._data is not None:
                self._report = claim_report(self._data)
            else:
                assert self._json is not None
                self._report = ClaimReport.model_validate_json(self._json)
        return self._report

    @property
    def json(self) -> str:
        if self._json is None:
            self._json = claim_json(self._data) if self._data is not None else self.report.model_dump_json()
        return self._json

    @property
    def segments(self) -> list[Segment]:
        """The claim's segments with its HL context, in file order ([] when not at hand)."""
        if self._segments is None:
            claim = self.claim
            self._segments = sorted(claim.context_segments + claim.segments, key=lambda s: s.index) if claim else []
        return self._segments

    def portable(self, *, with_segments: bool) -> ClaimResult:
        """The form that crosses to another process: JSON text, and the segments if a sink shows them."""
        return ClaimResult(
            status=self.status, rules=self.rules, json=self.json, segments=self.segments if with_segments else None
        )


@dataclass(frozen=True, slots=True)
class FileEnd:
    """A file's totals (the report without its claims) and what its TR3 check found, for the 999."""

    report: FileReport
    structure: Any = None  # the structure engine's result (with ``write_999``), or None when it did not run


class Sink(Protocol):
    """What every report writer and acknowledgment writer implements."""

    def begin(self, file_count: int) -> None: ...

    def start_file(self, name: str) -> None: ...

    def claim(self, result: ClaimResult) -> None: ...

    def file_finding(self, finding: Finding) -> None: ...

    def finish_file(self, end: FileEnd) -> None: ...

    def unreadable(self, name: str, reason: str) -> None: ...

    def close(self) -> None: ...


class BaseSink:
    """A sink that ignores every event; subclasses handle the ones they need."""

    def begin(self, file_count: int) -> None:
        pass

    def start_file(self, name: str) -> None:
        pass

    def claim(self, result: ClaimResult) -> None:
        pass

    def file_finding(self, finding: Finding) -> None:
        pass

    def finish_file(self, end: FileEnd) -> None:
        pass

    def unreadable(self, name: str, reason: str) -> None:
        pass

    def close(self) -> None:
        pass


class Sinks:
    """Several sinks fed as one."""

    def __init__(self, sinks: list[Sink]) -> None:
        self.sinks = sinks

    def begin(self, file_count: int) -> None:
        for sink in self.sinks:
            sink.begin(file_count)

    def start_file(self, name: str) -> None:
        for sink in self.sinks:
            sink.start_file(name)

    def claim(self, result: ClaimResult) -> None:
        for sink in self.sinks:
            sink.claim(result)

    def file_finding(self, finding: Finding) -> None:
        for sink in self.sinks:
            sink.file_finding(finding)

    def finish_file(self, end: FileEnd) -> None:
        for sink in self.sinks:
            sink.finish_file(end)

    def unreadable(self, name: str, reason: str) -> None:
        for sink in self.sinks:
            sink.unreadable(name, reason)

    def close(self) -> None:
        for sink in self.sinks:
            sink.close()
