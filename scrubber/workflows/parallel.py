"""`scrubber check --jobs N`: files, and pieces of large files, checked in worker processes.

Each file is planned (:mod:`scrubber.workflows.pieces`: one pass for its sha256 and its piece
boundaries), its pieces go to a pool of forked workers, and the results come back in file order
to the one report writer, so the report is the same as a one-process run: same claims, findings
and positions (a worker's reader resumes with the segment number, line and offset of its piece).

A piece starts from a guessed walker state (the context the plan found). Each worker returns the
state it ended in; when it differs from what the next piece assumed, that piece is checked again
from the true state. A wrong guess costs time, never a different report.

Memory stays bounded: at most ``2 * jobs`` pieces are in flight, each about a megabyte of input.
With the structure check on (pyx12 reads whole files) or acknowledgments/split requested, the
check runs in one process as before: the hook for splitting those too is :func:`_whole_file_only`.
"""

from __future__ import annotations

import dataclasses
import itertools
import multiprocessing
import os
import sys
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import structlog

from scrubber.exitcodes import EXIT_ACCEPTED, EXIT_REJECTED, EXIT_UNREADABLE
from scrubber.findings import Finding
from scrubber.model import Claim
from scrubber.report.model import ClaimReport, FileReport, Summary, file_status
from scrubber.report.writers import ReportWriter
from scrubber.workflows.check import STDIN_NAME, Scrubber, UnreadableInput, log_checked
from scrubber.workflows.pieces import Boundary, plan
from scrubber.x12.reader import Cursor, NotX12Error, SegmentReader
from scrubber.x12.walker import Walker, WalkerState

log = structlog.get_logger("scrubber.parallel")

PIECE_SIZE = 1 << 20  # at most: a piece's results sit in memory until their turn to be written
MIN_PIECE_SIZE = 64 << 10  # at least: below this, process start-up and priming cost more than they save

_scrubber: Scrubber | None = None  # the worker's, inherited through fork: rules and data load once


@dataclass(frozen=True)
class Resume:
    """The true state at a piece boundary: where the reader stands and what the walker holds."""

    cursor: Cursor
    state: WalkerState


@dataclass(frozen=True, slots=True)
class SerializedClaim:
    """A claim report as JSON text, with what the totals need: cheaper to send than the model."""

    text: str
    status: str
    rules: list[str]


@dataclass
class PieceTask:
    path: str
    name: str
    number: int
    start: int
    end: int | None  # None: to the end of the file
    boundary: Boundary | None  # None for the first piece
    next_kind: str | None  # the next piece's boundary kind; None for the last piece
    sha256: str = ""  # of the whole file, from the plan
    pieces: int = 1  # how many pieces the file has
    serialize: bool = False  # send claims as JSON text (the writer takes that)
    resume: Resume | None = None  # set when the guessed start state proved wrong


@dataclass
class PieceResult:
    items: list[ClaimReport | SerializedClaim | Finding]
    start_key: tuple[Any, ...] | None
    end_key: tuple[Any, ...] | None
    end: Resume | None
    bytes_read: int = 0
    error: str | None = None  # NotX12Error message of a first piece


@dataclass
class _FileRun:
    """The parent's account of one file while its pieces come back."""

    name: str
    sha256: str = ""
    pieces: int = 1
    summary: Summary = field(default_factory=Summary)
    file_findings: list[Finding] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    bytes_read: int = 0


def can_run_pieces(scrubber: Scrubber, wants_outputs: bool) -> bool:
    """Pieces need a plain scan: the structure check and the 999/277CA/split see whole files."""
    return not _whole_file_only(scrubber, wants_outputs) and "fork" in multiprocessing.get_all_start_methods()


def _whole_file_only(scrubber: Scrubber, wants_outputs: bool) -> bool:
    """Hook: the structure stage (pyx12) and the outputs read a file whole, so they are not split.

    To split them too, the structure stage would have to validate a piece with its ISA/GS/ST
    context the way :func:`_prime` does for the walker.
    """
    return bool(getattr(scrubber, "structure", False)) or wants_outputs


def check_files(scrubber: Scrubber, sources: list[str], writer: ReportWriter, jobs: int) -> int:
    """Check ``sources`` with ``jobs`` worker processes; report in file order; the worst exit code."""
    global _scrubber
    _scrubber = scrubber
    _warm_up(scrubber, sources)
    merger = _Merger(writer)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        window: deque[tuple[PieceTask, Future[PieceResult]]] = deque()
        serialize = hasattr(writer, "claim_json")
        for task in _tasks(sources, jobs, serialize):
            if isinstance(task, str):  # standard input: checked here, in its turn
                while window:
                    merger.take(*window.popleft())
                merger.finish_file()
                merger.worst = max(merger.worst, _check_stdin(scrubber, writer))
                continue
            window.append((task, pool.submit(_check_piece, task)))
            while len(window) > 2 * jobs:
                merger.take(*window.popleft())
        while window:
            merger.take(*window.popleft())
        merger.finish_file()
    return merger.worst


def _warm_up(scrubber: Scrubber, sources: list[str], claims: int = 20) -> None:
    """Judge a few claims before the workers fork: reference data that loads on first use (an
    ICD-10-CM year) then loads once here and is shared by every worker, not loaded in each."""
    import io

    for source in sources:
        if source == STDIN_NAME:
            continue
        try:
            with open(source, "rb") as handle:
                head = handle.read(256 << 10)
            walker = Walker()
            walked = walker.walk(SegmentReader(io.BytesIO(head), walker.on_issue))
            for claim in itertools.islice((i for i in walked if isinstance(i, Claim)), claims):
                scrubber.judge(claim)
            return
        except (OSError, NotX12Error):
            continue


class _Merger:
    """The parent's side: piece results in file order into the writer, totals per file."""

    def __init__(self, writer: ReportWriter) -> None:
        self.writer = writer
        self.worst = EXIT_ACCEPTED
        self._run: _FileRun | None = None
        self._previous: PieceResult | None = None
        self._unreadable = False

    def take(self, task: PieceTask, future: Future[PieceResult]) -> None:
        """Write out one piece; re-check it first if it started from a wrong guess."""
        result = future.result()
        if task.number == 0:
            self.finish_file()
            if result.error is not None:
                print(f"scrubber: error: {task.name}: {result.error}", file=sys.stderr)
                self.writer.unreadable(task.name, result.error)
                self.worst = max(self.worst, EXIT_UNREADABLE)
                self._unreadable = True
                return
            self._unreadable = False
            self._run = _FileRun(task.name, sha256=task.sha256, pieces=task.pieces)
            self.writer.start_file(task.name)
        run = self._run
        if run is None or self._unreadable:
            return
        previous = self._previous
        if previous is not None and previous.end is not None and result.start_key != previous.end_key:
            log.info("piece.rechecked", file=task.name, piece=task.number)
            task.resume = previous.end
            result = _check_piece(task)
        for item in result.items:
            if isinstance(item, SerializedClaim):
                run.summary.tally(item.status, item.rules)
                self.writer.claim_json(item.text)  # type: ignore[attr-defined]
            elif isinstance(item, ClaimReport):
                run.summary.add(item)
                self.writer.claim(item)
            else:
                run.file_findings.append(item)
                run.summary.count([item])
                self.writer.file_finding(item)
        run.bytes_read += result.bytes_read
        self._previous = result

    def finish_file(self) -> None:
        run, self._run, self._previous = self._run, None, None
        if run is None:
            return
        status = file_status(run.file_findings, run.summary)
        header = FileReport(
            file=run.name, sha256=run.sha256, status=status, summary=run.summary, file_findings=run.file_findings
        )
        self.writer.finish_file(header)
        log_checked(run.name, run.summary, run.file_findings, run.bytes_read, run.started, pieces=run.pieces)
        self.worst = max(self.worst, EXIT_REJECTED if status == "rejected" else EXIT_ACCEPTED)


def _tasks(sources: list[str], jobs: int, serialize: bool) -> Iterator[PieceTask | str]:
    """Plan each file as its turn comes (so planning overlaps checking) and yield its pieces."""
    for source in sources:
        if source == STDIN_NAME:
            yield source
            continue
        try:
            with open(source, "rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                layout = plan(handle, jobs, piece_size=min(PIECE_SIZE, max(MIN_PIECE_SIZE, size // (4 * jobs))))
        except OSError:
            layout = None  # the worker reports it, as a one-process run would
        ranges = layout.ranges() if layout else [(0, None)]
        boundaries = [None, *layout.boundaries] if layout else [None]
        kinds = [b.kind for b in layout.boundaries] + [None] if layout else [None]
        sha256 = layout.sha256 if layout else ""
        for number, ((start, end), boundary) in enumerate(zip(ranges, boundaries, strict=True)):
            yield PieceTask(source, source, number, start, end, boundary, kinds[number], sha256, len(ranges), serialize)


# -- the worker side -------------------------------------------------------------------------------


def _check_piece(task: PieceTask) -> PieceResult:
    """Read, walk and judge one piece (in a worker, or in the parent for a re-check)."""
    scrubber = _scrubber
    assert scrubber is not None
    try:
        handle = open(task.path, "rb")  # noqa: SIM115 - closed below, after the lazy reader is done
    except OSError as error:
        if task.number == 0:
            return PieceResult([], None, None, None, error=_open_error(task.path, error))
        raise
    with handle:
        walker = Walker()
        resume = _resume_point(task, walker, handle)
        start_key = boundary_key(task.boundary.kind, resume[1], walker.snapshot()) if task.boundary else None
        handle.seek(task.start)
        stream = _Window(handle, task.start, task.end)
        reader = SegmentReader(stream, walker.on_issue, resume=resume)  # type: ignore[arg-type]
        final = task.end is None
        try:
            items = list(_judged(scrubber, walker.walk(reader, final=final), task.serialize))
        except NotX12Error as error:
            return PieceResult([], None, None, None, error=str(error))
    if final:
        return PieceResult(items, start_key, None, None, stream.read_so_far)
    cursor = dataclasses.replace(reader.cursor)
    state = walker.snapshot()
    end_key = boundary_key(task.next_kind or "st", cursor, state)
    return PieceResult(items, start_key, end_key, Resume(cursor, state), stream.read_so_far)


def _judged(
    scrubber: Scrubber, walked: Iterator[Claim | Finding], serialize: bool
) -> Iterator[ClaimReport | SerializedClaim | Finding]:
    """What :class:`~scrubber.workflows.check.FileScan` does with each walked item."""
    engine = scrubber.engine
    for item in walked:
        if isinstance(item, Claim):
            report = scrubber.judge(item)
            if serialize:
                yield SerializedClaim(report.model_dump_json(), report.status, [f.rule for f in report.findings])
                continue
            report._claim = None  # the parsed claim stays in the worker: no writer needs it
            yield report
        else:
            adjusted = engine.adjust(item)
            if adjusted is not None:
                yield adjusted


def _resume_point(task: PieceTask, walker: Walker, handle: BinaryIO) -> Any:
    """Delimiters and cursor to resume reading at, with the walker primed (None: from the start)."""
    boundary = task.boundary
    if boundary is None:
        return None
    if task.resume is not None:
        walker.restore(task.resume.state)
        return boundary.delimiters, dataclasses.replace(task.resume.cursor)
    _prime(walker, handle, boundary)
    return boundary.delimiters, boundary.at.start.cursor(boundary.at.st_index)


def _prime(walker: Walker, handle: BinaryIO, boundary: Boundary) -> None:
    """Guess the walker state at a boundary: walk its ISA, GS (ST, HL*20 block), fix the counts."""
    import io

    for span in boundary.context:
        handle.seek(span.start.offset)
        data = handle.read(span.end - span.start.offset)
        cursor = span.start.cursor(span.st_index)
        walker.prime(SegmentReader(io.BytesIO(data), resume=(boundary.delimiters, cursor)))
    state = walker.snapshot()  # live objects: the counts are set on the walker's own state
    if state.interchange is not None:
        state.interchange.groups = boundary.groups
    if state.group is not None:
        state.group.transactions = boundary.transactions
    if state.tx is not None and boundary.kind == "hl":
        state.tx.last_hl = boundary.last_hl


def boundary_key(kind: str, cursor: Cursor, state: WalkerState) -> tuple[Any, ...]:
    """What the segment at a boundary can observe: equal keys mean the same report from there on.

    Before an ST the transaction must be closed; before an HL*22 the HL sets the loop, the
    subscriber, patient, payer and relationship afresh, so only what it reads is compared.
    """
    envelope = (
        dataclasses.astuple(cursor),
        dataclasses.astuple(state.interchange) if state.interchange else None,
        dataclasses.astuple(state.group) if state.group else None,
    )
    tx = state.tx
    if kind == "st" or tx is None:
        return (*envelope, tx is None)
    return (
        *envelope,
        dataclasses.astuple(tx.segment),
        tx.st02,
        tx.supported,
        tx.control,
        tx.last_hl,
        tx.hl_ids.get("20"),
        dataclasses.astuple(tx.billing_provider) if tx.billing_provider else None,
        tuple(dataclasses.astuple(s) for s in tx.billing_segments),
        tx.claim is None and tx.line is None,
    )


class _Window:
    """A read-only view of bytes [start, end) of a file: a piece's share."""

    def __init__(self, handle: BinaryIO, start: int, end: int | None) -> None:
        self._handle = handle
        self._left = None if end is None else end - start
        self.read_so_far = 0

    def read(self, size: int = -1) -> bytes:
        if self._left is not None:
            size = self._left if size < 0 else min(size, self._left)
        data = self._handle.read(size)
        if self._left is not None:
            self._left -= len(data)
        self.read_so_far += len(data)
        return data


def _open_error(path: str, error: OSError) -> str:
    if Path(path).is_dir():
        return "is a directory, not a file"
    if isinstance(error, FileNotFoundError):
        return "no such file"
    if isinstance(error, PermissionError):
        return "permission denied"
    return error.strerror or str(error)


def _check_stdin(scrubber: Scrubber, writer: ReportWriter) -> int:
    from scrubber.workflows.run import check_file

    return check_file(scrubber, STDIN_NAME, writer)


__all__ = ["UnreadableInput", "boundary_key", "can_run_pieces", "check_files"]
