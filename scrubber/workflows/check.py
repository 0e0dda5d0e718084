"""The check pipeline: bytes -> claims -> rules -> claim reports, one file at a time, streaming.

:class:`Scrubber` holds what is loaded once per process (rules, reference data) and checks any
number of files. :meth:`Scrubber.scan` streams claim reports so a writer can emit them as they
come (constant memory on any file size); :meth:`Scrubber.scrub` collects them into a
:class:`FileReport` for library callers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import structlog

from scrubber.findings import Finding
from scrubber.model import Claim
from scrubber.report.model import ClaimReport, FileReport, Summary, file_status
from scrubber.rules.engine import RuleEngine
from scrubber.structure.stage import StructureFindings, open_checked
from scrubber.transaction.walker import Walker
from scrubber.x12.reader import NotX12Error, SegmentReader

log = structlog.get_logger("scrubber.check")

Source = str | os.PathLike[str] | bytes | BinaryIO

STDIN_NAME = "-"


class UnreadableInput(Exception):
    """The input is not X12 at all, or cannot be opened. The message names the file and why."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


class _HashingStream:
    """Reads through to the wrapped stream and hashes every byte, so the report carries sha256."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._hash = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._hash.update(data)
        return data

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


class FileScan:
    """One pass over one file. Iterate for claim reports and file findings; totals follow the pass."""

    def __init__(
        self, scrubber: Scrubber, stream: BinaryIO, name: str, structure: StructureFindings | None = None
    ) -> None:
        self.name = name
        self.structure = structure  # TR3 findings from pyx12, handed to claims as they pass
        self.summary = Summary()
        self.file_findings: list[Finding] = []
        self.sha256 = ""
        self._scrubber = scrubber
        self._stream = _HashingStream(stream)

    @property
    def status(self) -> str:
        return file_status(self.file_findings, self.summary)

    def __iter__(self) -> Iterator[ClaimReport | Finding]:
        started = time.perf_counter()
        walker = Walker()
        reader = SegmentReader(self._stream, walker.on_issue)  # type: ignore[arg-type]
        engine = self._scrubber.engine
        try:
            for item in walker.walk(reader):
                if isinstance(item, Claim):
                    if self.structure is not None:
                        self.structure.attach(item)
                    report = self._scrubber.judge(item)
                    self.summary.add(report)
                    yield report
                else:
                    adjusted = engine.adjust(item)
                    if adjusted is not None:
                        self.file_findings.append(adjusted)
                        self.summary.count([adjusted])
                        yield adjusted
        except NotX12Error as error:
            raise UnreadableInput(self.name, str(error)) from None
        for finding in self.structure.leftovers(self.file_findings) if self.structure is not None else ():
            if engine.adjust(finding) is not None:
                self.file_findings.append(finding)
                self.summary.count([finding])
                yield finding
        self.sha256 = self._stream.hexdigest()
        log_checked(self.name, self.summary, self.file_findings, reader.bytes_read, started)

    def header(self) -> FileReport:
        """The report without its claims: what a streaming writer prints after the claims."""
        return FileReport(
            file=self.name,
            sha256=self.sha256,
            status=self.status,
            summary=self.summary,
            file_findings=self.file_findings,
        )


def log_checked(
    name: str, summary: Summary, file_findings: list[Finding], bytes_read: int, started: float, **extra: object
) -> None:
    """The one log event per checked file: name, counts, size and time, never claim content."""
    log.info(
        "file.checked",
        file=name,
        claims=summary.claims,
        accepted=summary.accepted,
        rejected=summary.rejected,
        file_findings=len(file_findings),
        bytes=bytes_read,
        **extra,
        seconds=round(time.perf_counter() - started, 3),
    )


class Scrubber:
    """Checks 837P files against the rule catalogue. Build once, reuse for many files."""

    def __init__(
        self,
        engine: RuleEngine | None = None,
        *,
        as_of: dt.date | None = None,
        structure: bool = False,
    ) -> None:
        """``engine`` defaults to every rule with the bundled reference data (see workflows.setup)."""
        if engine is None:
            from scrubber.workflows.setup import default_engine

            engine = default_engine(as_of)
        self.engine = engine
        self.structure = structure  # run the TR3 check (pyx12) on every file

    def judge(self, claim: Claim) -> ClaimReport:
        """Run the rules on one parsed claim."""
        findings = [f for f in (self.engine.adjust(f, claim.payer_id) for f in claim.parse_findings) if f]
        findings.extend(self.engine.check(claim))
        return ClaimReport.build(claim, findings, self._code_set_label(claim))

    def _code_set_label(self, claim: Claim) -> str | None:
        code_sets = self.engine.context.icd10
        if code_sets is None:
            return None
        return code_sets.label_for(claim, as_of=self.engine.context.as_of)

    def scan(self, stream: BinaryIO, name: str, structure: StructureFindings | None = None) -> FileScan:
        return FileScan(self, stream, name, structure)

    def scrub(self, source: Source, name: str | None = None) -> FileReport:
        """Check a whole file (path, bytes or binary stream) and return its report."""
        with open_checked(source, structure=self.structure) as checked:
            scan = self.scan(checked.stream, name or checked.name, checked.structure)
            claims: list[ClaimReport] = [item for item in scan if isinstance(item, ClaimReport)]
        report = scan.header()
        report.claims = claims
        return report


class open_source:
    """Open a path, '-' (standard input), bytes or a binary stream for reading; name it."""

    def __init__(self, source: Source) -> None:
        self._source = source
        self._opened: BinaryIO | None = None

    def __enter__(self) -> tuple[BinaryIO, str]:
        import sys

        source = self._source
        if isinstance(source, bytes | bytearray):
            return io.BytesIO(source), "<bytes>"
        if hasattr(source, "read"):
            return source, getattr(source, "name", "<stream>")  # type: ignore[return-value]
        name = os.fspath(source)  # type: ignore[arg-type]
        if name == STDIN_NAME:
            return sys.stdin.buffer, STDIN_NAME
        path = Path(name)
        try:
            if path.is_dir():
                raise UnreadableInput(name, "is a directory, not a file")
            self._opened = path.open("rb")
        except FileNotFoundError:
            raise UnreadableInput(name, "no such file") from None
        except PermissionError:
            raise UnreadableInput(name, "permission denied") from None
        except OSError as error:
            raise UnreadableInput(name, error.strerror or str(error)) from None
        return self._opened, name

    def __exit__(self, *exc: object) -> None:
        if self._opened is not None:
            self._opened.close()


def scrub(
    source: Source, *, engine: RuleEngine | None = None, structure: bool = False, name: str | None = None
) -> FileReport:
    """Check one 837P file (default rules and reference data unless ``engine`` is given)."""
    return Scrubber(engine, structure=structure).scrub(source, name)
