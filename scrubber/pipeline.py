"""The one loop: bytes -> segments -> TR3 structure check -> claims -> rules -> events for the sinks.

Every front end drives this module: ``scrubber check`` (one process or ``--jobs`` pieces), the
drop-folder sweep, the library (:mod:`scrubber.workflows.api`), the HTTP service and Spark
executors. :class:`Pipeline` holds what is loaded once per process (the rule engine with its
reference data, the structure check); :meth:`Pipeline.scan` reads one byte stream and yields
:class:`~scrubber.report.events.ClaimResult` and file-level :class:`~scrubber.findings.Finding`
events as they come, in constant memory; :meth:`Pipeline.check` feeds one file's events to sinks.

The structure check runs in the same pass as the walker when it is the native one: each segment
goes to the validator before the walker sees it, so a claim carries its structure findings when
the walker hands it over. pyx12 (``structure="pyx12"``) reads the file in a pass of its own first.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO, Literal, Protocol

import structlog

from scrubber.errors import UnreadableInput
from scrubber.findings import Finding
from scrubber.model import Claim
from scrubber.report.events import ClaimResult, FileEnd, Sink
from scrubber.report.model import FileReport, Summary, claim_data, file_status
from scrubber.rules.engine import RuleEngine
from scrubber.structure.index import StructureIndex
from scrubber.structure.issues import StructureIssue
from scrubber.transaction.walker import Walker
from scrubber.x12.reader import Cursor, NotX12Error, SegmentReader
from scrubber.x12.segment import Delimiters, Segment

log = structlog.get_logger("scrubber.pipeline")

StructureMode = Literal["native", "pyx12", "off"]
STRUCTURE_MODES: tuple[StructureMode, ...] = ("native", "pyx12", "off")
DEFAULT_STRUCTURE: StructureMode = "native"
Source = str | os.PathLike[str] | bytes | BinaryIO
STDIN_NAME = "-"


PROGRESS_EVERY = 256  # claims between progress reports
Progress = Callable[[int, int], None]  # (bytes, claims) read and judged since the last call


class SegmentCheck(Protocol):
    """A structure check that runs in the walker's pass (the native validator).

    ``feed_batch`` returns the issues known once a run of segments is read (all of those about
    them and the segments before them); ``finish`` those known at the end of the data (``next_kind``: the kind
    of piece that follows, for a piece of a file); ``ack`` is what a 999 is written from.
    """

    ack: Any

    def feed_batch(self, segments: Sequence[Segment]) -> Sequence[StructureIssue]: ...

    def finish(self, next_kind: str | None = None) -> list[StructureIssue]: ...


@dataclass(slots=True)
class Totals:
    """What a scan counted; complete once its events are consumed."""

    name: str = ""
    error: str = ""  # why the input is not X12 ('' when it was read)
    summary: Summary = field(default_factory=Summary)
    file_findings: list[Finding] = field(default_factory=list)
    sha256: str = ""
    bytes_read: int = 0

    @property
    def status(self) -> str:
        """accepted, rejected, or unreadable (not X12)."""
        return "unreadable" if self.error else file_status(self.file_findings, self.summary)


class Scan:
    """One pass over one byte stream. Iterate for events; :meth:`end` holds the totals after it."""

    def __init__(
        self,
        pipeline: Pipeline,
        stream: BinaryIO,
        name: str,
        *,
        structure: StructureIndex | None = None,
        structure_result: Any = None,
        check: SegmentCheck | None = None,
        walker: Walker | None = None,
        start: tuple[Delimiters, Cursor] | None = None,
        final: bool = True,
        next_kind: str | None = None,
        piece: bool = False,
        quiet: bool = False,
    ) -> None:
        """``walker``, ``start``, ``final`` and ``piece`` are for a piece of a file (``--jobs``): a
        walker set up for where it starts, the reader's delimiters and position there, whether the
        piece runs to the end of the file (else ``next_kind`` says how the next piece starts); a
        piece leaves the file's totals to whoever merges it.
        ``quiet``: no ``file.checked`` log event (the merger of ``--jobs`` logs the file)."""
        self.name = name
        self.totals = Totals(name)
        self.structure = structure
        self.structure_result = structure_result
        self._pipeline = pipeline
        self._stream = _HashingStream(stream, name)
        self._check = check
        self._start = start
        self._final = final
        self._next_kind = next_kind
        self._piece = piece
        self._quiet = quiet or piece
        self.walker = walker or Walker()
        self.reader: SegmentReader | None = None

    def __iter__(self) -> Iterator[ClaimResult | Finding]:
        started = time.perf_counter()
        walker, final = self.walker, self._final
        reader = self.reader = SegmentReader(self._stream, walker.on_issue, resume=self._start)  # type: ignore[arg-type]
        engine = self._pipeline.engine
        segments: Iterable[Segment] = reader
        if self._check is not None:
            if self.structure is None:
                self.structure = StructureIndex()
            checked = _checked(reader.batches(), self._check, self.structure, None if final else self._next_kind)
            segments = chain.from_iterable(checked)
        structure = self.structure
        totals = self.totals
        try:
            for item in walker.walk(segments, final=final):
                if isinstance(item, Claim):
                    result = self._pipeline.judge(item, structure)
                    totals.summary.tally(result.status, result.rules)
                    yield result
                else:
                    for finding in engine.file_findings([item]):
                        totals.file_findings.append(finding)
                        totals.summary.count([finding])
                        yield finding
        except NotX12Error as error:
            raise UnreadableInput(self.name, str(error)) from None
        if structure is not None and not self._piece:
            for finding in engine.structure_leftovers(structure.unattached(), totals.file_findings):
                totals.file_findings.append(finding)
                totals.summary.count([finding])
                yield finding
        if self._check is not None and self.structure_result is None:
            self.structure_result = self._check.ack
        totals.sha256 = self._stream.hexdigest()
        totals.bytes_read = reader.bytes_read
        if not self._quiet:
            log_checked(self.name, totals, started)

    @property
    def bytes_read(self) -> int:
        return self._stream.read_so_far

    def header(self) -> FileReport:
        """The report without its claims: what a streaming writer prints after the claims."""
        totals = self.totals
        return FileReport(
            file=self.name,
            sha256=totals.sha256,
            status=totals.status,
            summary=totals.summary,
            file_findings=totals.file_findings,
        )

    def end(self) -> FileEnd:
        return FileEnd(self.header(), self.structure_result)


def _checked(
    batches: Iterable[list[Segment]], check: SegmentCheck, index: StructureIndex, next_kind: str | None
) -> Iterator[list[Segment]]:
    """Hand each of the reader's batches to the structure check, then on to the walker.

    A whole batch at a time rather than interleaved segment by segment: each stage then runs
    with its own code and data warm, which measured about a fifth cheaper for the check. The
    caller flattens the batches with ``chain.from_iterable``, in C rather than a generator step
    per segment.
    """
    feed, add = check.feed_batch, index.add
    for batch in batches:
        found = feed(batch)
        if found:
            add(found)
        yield batch
        del batch  # not held while the reader splits the next one
    add(check.finish(next_kind))


class Pipeline:
    """Reads, walks, checks and judges 837P files. Build once per process, reuse for many files."""

    def __init__(
        self,
        engine: RuleEngine,
        structure: StructureMode = "off",
        *,
        native: Callable[[], SegmentCheck] | None = None,
    ) -> None:
        if structure not in STRUCTURE_MODES:
            raise ValueError(f"structure must be one of {', '.join(STRUCTURE_MODES)}, not {structure!r}")
        if structure == "native" and native is None:
            raise ValueError("the native structure check is not available in this build")
        self.engine = engine
        self.structure: StructureMode = structure
        self._native = native

    def judge(self, claim: Claim, structure: StructureIndex | None = None) -> ClaimResult:
        """Run the rules on one parsed claim (with the structure issues that fall inside it)."""
        issues = structure.for_claim(claim) if structure is not None else ()
        findings = self.engine.judge(claim, issues)
        data = claim_data(claim, findings, self._code_set_label(claim))
        return ClaimResult(status=data["status"], rules=[f.rule for f in findings], data=data, claim=claim)

    def _code_set_label(self, claim: Claim) -> str | None:
        context = self.engine.context
        code_sets = context.icd10
        if code_sets is None:
            return None
        return code_sets.label_for(claim.service_date, as_of=context.as_of)

    def segment_check(self) -> SegmentCheck | None:
        """A fresh in-pass structure check for one file (or piece), or None."""
        if self.structure == "native" and self._native is not None:
            return self._native()
        return None

    @contextlib.contextmanager
    def open(self, source: Source, name: str | None = None, *, quiet: bool = False) -> Iterator[Scan]:
        """Open ``source`` (a path, '-' for standard input, bytes or a binary stream) for one scan.

        A path that is not a regular file (a FIFO, ``/dev/stdin``, a process substitution) and
        standard input are read once, or spooled to an owner-only temporary file when pyx12 must
        read them in a pass of their own. Raises :class:`UnreadableInput` when it cannot be opened.
        """
        with _opened(source, name, spool=self.structure == "pyx12") as (stream, label, path):
            index, result = None, None
            if self.structure == "pyx12":
                from scrubber.structure import pyx12_adapter

                result = pyx12_adapter.validate(path)
                index = StructureIndex(result.errors)
                if result.truncated:
                    log.warning("structure.truncated", kept=len(result.errors))
            check = self.segment_check()
            yield Scan(self, stream, label, structure=index, structure_result=result, check=check, quiet=quiet)

    def check(self, source: Source, sink: Sink, name: str | None = None, *, progress: Progress | None = None) -> Totals:
        """Check one file into ``sink`` (start_file .. finish_file) and return its totals.

        An input that is not X12 reaches the sink as ``unreadable`` (and the totals say why);
        nothing is raised for it. A read error after the file started raises
        :class:`UnreadableInput` (the sinks hold part of a report). ``progress`` hears the bytes
        read and claims judged every few hundred claims.
        """
        with contextlib.ExitStack() as stack:
            try:
                scan = stack.enter_context(self.open(source, name))
                items = iter(scan)
                first = next(items, None)  # an input that is not X12 fails here, before any output
            except UnreadableInput as error:
                sink.unreadable(error.name, error.reason)
                return Totals(error.name, error.reason)
            sink.start_file(scan.name)
            claims = reported = 0
            for item in _chain(first, items):
                if isinstance(item, ClaimResult):
                    sink.claim(item)
                    claims += 1
                    if progress is not None and claims % PROGRESS_EVERY == 0:
                        progress(scan.bytes_read - reported, PROGRESS_EVERY)
                        reported = scan.bytes_read
                else:
                    sink.file_finding(item)
            sink.finish_file(scan.end())
            if progress is not None:
                progress(scan.bytes_read - reported, claims % PROGRESS_EVERY)
            return scan.totals

    def report(self, source: Source, name: str | None = None) -> FileReport:
        """Check a whole file and return its report (raises :class:`UnreadableInput` for non-X12)."""
        with self.open(source, name) as scan:
            claims = [item.report for item in scan if isinstance(item, ClaimResult)]
        report = scan.header()
        report.claims = claims
        return report


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    if first is not None:
        yield first
    yield from rest


def log_checked(name: str, totals: Totals, started: float, **extra: object) -> None:
    """The one log event per checked file: name, counts, size and time, never claim content."""
    summary = totals.summary
    log.info(
        "file.checked",
        file=name,
        claims=summary.claims,
        accepted=summary.accepted,
        rejected=summary.rejected,
        file_findings=len(totals.file_findings),
        bytes=totals.bytes_read,
        **extra,
        seconds=round(time.perf_counter() - started, 3),
    )


class _HashingStream:
    """Reads through to the wrapped stream and hashes every byte, so the report carries sha256.

    A read error in the middle of the input is the input's failure (:class:`UnreadableInput`).
    """

    def __init__(self, stream: BinaryIO, name: str) -> None:
        self._stream = stream
        self._name = name
        self._hash = hashlib.sha256()
        self.read_so_far = 0

    def read(self, size: int = -1) -> bytes:
        try:
            data = self._stream.read(size)
        except OSError as error:
            raise UnreadableInput(self._name, f"read error: {error.strerror or error}") from None
        self._hash.update(data)
        self.read_so_far += len(data)
        return data

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


@contextlib.contextmanager
def _opened(source: Source, name: str | None, *, spool: bool) -> Iterator[tuple[BinaryIO, str, str]]:
    """(stream, name, path on disk or '') for a source; spooled to disk when ``spool`` and it is not a file."""
    with contextlib.ExitStack() as stack:
        path = ""
        if isinstance(source, bytes | bytearray):
            stream: BinaryIO = io.BytesIO(source)
            label = name or "<bytes>"
        elif hasattr(source, "read"):
            stream, label = source, name or getattr(source, "name", "<stream>")  # type: ignore[assignment]
        elif os.fspath(source) == STDIN_NAME:
            stream, label = sys.stdin.buffer, name or STDIN_NAME
        else:
            text = os.fspath(source)  # type: ignore[arg-type]
            label = name or text
            stream, regular = stack.enter_context(_open_path(text, label))
            path = text if regular else ""
        if spool and not path:
            stream, path = stack.enter_context(_spooled(stream))
        yield stream, label, path


@contextlib.contextmanager
def _open_path(path: str, label: str) -> Iterator[tuple[BinaryIO, bool]]:
    try:
        if Path(path).is_dir():
            raise UnreadableInput(label, "is a directory, not a file")
        handle = open(path, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        raise UnreadableInput(label, "no such file") from None
    except PermissionError:
        raise UnreadableInput(label, "permission denied") from None
    except OSError as error:
        raise UnreadableInput(label, error.strerror or str(error)) from None
    with handle:
        yield handle, stat.S_ISREG(os.fstat(handle.fileno()).st_mode)  # type: ignore[misc]


@contextlib.contextmanager
def _spooled(stream: BinaryIO) -> Iterator[tuple[BinaryIO, str]]:
    """Copy a stream once to an owner-only temporary file (removed on exit); read it from the start."""
    with tempfile.NamedTemporaryFile(prefix="scrubber-", suffix=".x12") as spool:
        while chunk := stream.read(1 << 20):
            spool.write(chunk)
        spool.flush()
        spool.seek(0)
        yield spool, spool.name  # type: ignore[misc]
