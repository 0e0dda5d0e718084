"""`scrubber check --jobs N`: files, and pieces of large files, checked in worker processes.

Each file is planned (:mod:`scrubber.workflows.pieces`: one pass for its sha256 and its piece
boundaries), its pieces go to a pool of forked workers, and the results come back in file order
to the one report writer, so the report is the same as a one-process run: same claims, findings
and positions (a worker's reader resumes with the segment number, line and offset of its piece).

A piece starts from a guessed walker state (the context the plan found). Each worker returns the
state it ended in; when it differs from what the next piece assumed, that piece is checked again
from the true state. A wrong guess costs time, never a different report.

The TR3 structure check (pyx12) runs in the workers too. A file of one piece is validated whole,
as in a one-process run. In a file of several pieces, each worker validates its piece as an
interchange of its own (:func:`scrubber.structure.pyx12_adapter.validate_piece`: the real ISA and
GS that enclose it, the piece, a made-up GE/IEA), with pyx12's envelope bookkeeping set to what
the plan found there; the errors keep their file positions and are attached to the piece's
claims. What no claim holds comes back to the parent, which turns it into file findings after
the last piece, as a one-process run does. With the structure check on, the plan cuts only
between transactions (pyx12 cannot validate part of one).

The piece passes are checked as well: the envelope segments pyx12 read must be the ones the plan
saw, the previous piece must have ended cleanly after an SE, errors must fall inside the piece.
From the first piece where that fails (or the walker's guess failed, or the errors pass pyx12's
per-file cap) to the end of the file, the parent validates the whole file in one pyx12 pass and
re-checks those pieces with its findings; after a piece in which pyx12 gave up, later pieces get
no structure findings, as in a one-process run. Either way the report is that of one process.

Memory stays bounded: at most ``2 * jobs`` pieces are in flight, each about a megabyte of input.
With acknowledgments or the split requested (they read whole files), the check runs in one
process: see :func:`_whole_file_only`.
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
from scrubber.rules.engine import RuleEngine
from scrubber.structure.envelope import PieceEnvelope
from scrubber.structure.pyx12_adapter import (
    MAX_ERRORS,
    PieceCheck,
    StructureResult,
    validate,
    validate_piece,
    warm_up,
)
from scrubber.structure.stage import StructureFindings, leftover_findings
from scrubber.transaction.walker import Walker, WalkerState
from scrubber.workflows.check import STDIN_NAME, Scrubber, UnreadableInput, log_checked
from scrubber.workflows.pieces import Boundary, plan
from scrubber.x12.reader import Cursor, NotX12Error, SegmentReader
from scrubber.x12.segment import Segment

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
    structure: bool = False  # run the TR3 check (pyx12) on the piece
    envelope: PieceEnvelope | None = None  # pyx12's envelope state at the start, from the plan


@dataclass
class PieceStructure:
    """A piece's structure findings that no claim of it held, and how far its pyx12 pass counts."""

    unattached: list[tuple[int | None, Finding]]  # (segment index, finding), in file order
    errors: int  # structure errors found in the piece
    check: PieceCheck | None = None  # None: the whole file was validated, or the parent gave the findings


@dataclass
class PieceResult:
    items: list[ClaimReport | SerializedClaim | Finding]
    start_key: tuple[Any, ...] | None
    end_key: tuple[Any, ...] | None
    end: Resume | None
    bytes_read: int = 0
    error: str | None = None  # NotX12Error message of a first piece
    structure: PieceStructure | None = None  # with the structure check on


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
    structure: bool = False  # the TR3 check is on
    unattached: list[tuple[int | None, Finding]] = field(default_factory=list)  # structure findings no claim held
    structure_errors: int = 0  # found by trusted piece passes so far (pyx12's per-file cap applies)
    structure_stopped: bool = False  # pyx12 gave up in an earlier piece: no structure findings after it
    whole: StructureResult | None = None  # the whole file validated in the parent, once piece passes fell short


def can_run_pieces(scrubber: Scrubber, wants_outputs: bool) -> bool:
    """Pieces need no whole-file output: the 999/277CA/split see whole files."""
    return not _whole_file_only(scrubber, wants_outputs) and "fork" in multiprocessing.get_all_start_methods()


def _whole_file_only(scrubber: Scrubber, wants_outputs: bool) -> bool:
    """Hook: the outputs (999, 277CA, split) are written from whole-file passes, so they are not split.

    The structure check is split: each piece is validated with the ISA/GS that enclose it (see
    the module docstring), so ``scrubber.structure`` does not force one process any more.
    """
    return wants_outputs


def check_files(scrubber: Scrubber, sources: list[str], writer: ReportWriter, jobs: int) -> int:
    """Check ``sources`` with ``jobs`` worker processes; report in file order; the worst exit code."""
    global _scrubber
    _scrubber = scrubber
    structure = bool(getattr(scrubber, "structure", False))
    _warm_up(scrubber, sources)
    if structure:
        warm_up()  # pyx12's maps load once, here, and are shared by every worker
    merger = _Merger(writer, scrubber.engine)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        window: deque[tuple[PieceTask, Future[PieceResult]]] = deque()
        serialize = hasattr(writer, "claim_json")
        for task in _tasks(sources, jobs, serialize, structure):
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

    def __init__(self, writer: ReportWriter, engine: RuleEngine | None = None) -> None:
        self.writer = writer
        self.engine = engine
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
            self._run = _FileRun(task.name, sha256=task.sha256, pieces=task.pieces, structure=task.structure)
            self.writer.start_file(task.name)
        run = self._run
        if run is None or self._unreadable:
            return
        previous = self._previous
        if previous is not None and previous.end is not None and result.start_key != previous.end_key:
            log.info("piece.rechecked", file=task.name, piece=task.number)
            task.resume = previous.end
            result = _check_piece(task, _structure_for(run, task, result, previous, rechecked=True))
        elif task.structure:
            given = _structure_for(run, task, result, previous)
            if given is not None:
                result = _check_piece(task, given)
        if result.structure is not None:
            run.unattached.extend(result.structure.unattached)
            check = result.structure.check
            if check is not None:  # a trusted piece pass
                run.structure_errors += result.structure.errors
                run.structure_stopped = run.structure_stopped or check.stopped
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
        if run.structure:
            self._structure_leftovers(run)
        status = file_status(run.file_findings, run.summary)
        header = FileReport(
            file=run.name, sha256=run.sha256, status=status, summary=run.summary, file_findings=run.file_findings
        )
        self.writer.finish_file(header)
        log_checked(run.name, run.summary, run.file_findings, run.bytes_read, run.started, pieces=run.pieces)
        self.worst = max(self.worst, EXIT_REJECTED if status == "rejected" else EXIT_ACCEPTED)

    def _structure_leftovers(self, run: _FileRun) -> None:
        """The structure findings no claim held become file findings, after the claims, in file
        order: what :class:`~scrubber.workflows.check.FileScan` does at the end of a file."""
        unplaced = [item for item in run.unattached if item[0] is None]
        placed = sorted((item for item in run.unattached if item[0] is not None), key=lambda item: item[0] or 0)
        engine = self.engine
        for finding in leftover_findings(unplaced + placed, run.file_findings):
            if engine is None or engine.adjust(finding) is not None:
                run.file_findings.append(finding)
                run.summary.count([finding])
                self.writer.file_finding(finding)


def _structure_for(
    run: _FileRun, task: PieceTask, result: PieceResult, previous: PieceResult | None, *, rechecked: bool = False
) -> StructureFindings | None:
    """The structure findings to re-check a piece with in the parent; None: the worker's stand.

    A piece pass stands when it is trusted (:func:`_trusted`). From the first one that is not,
    the whole file is validated here once and each later piece gets that pass's findings on its
    own segments; after a piece where pyx12 gave up, pieces get none.
    """
    if not task.structure or task.pieces == 1:
        return None
    if run.structure_stopped:
        found = result.structure
        keep = found is not None and not found.errors and not rechecked  # nothing to take back
        return None if keep else StructureFindings(StructureResult())
    if run.whole is None and (rechecked or not _trusted(task, result, previous, run)):
        reason = "the plan guessed wrong" if rechecked else _distrust(task, result, previous, run)
        log.info("structure.whole_file", file=task.name, piece=task.number, reason=reason)
        run.whole = validate(task.path)
        if run.whole.truncated:
            log.warning("structure.truncated", kept=len(run.whole.errors))
    if run.whole is None:
        return None
    start, end = task.start, task.end
    errors = [
        error
        for error in run.whole.errors
        if (error.segment is None and task.number == 0)
        or (error.segment is not None and error.segment.offset >= start and (end is None or error.segment.offset < end))
    ]
    return StructureFindings(StructureResult(errors=errors))


def _trusted(task: PieceTask, result: PieceResult, previous: PieceResult | None, run: _FileRun) -> bool:
    return not _distrust(task, result, previous, run)


def _distrust(task: PieceTask, result: PieceResult, previous: PieceResult | None, run: _FileRun) -> str:
    """Why a piece's pyx12 pass cannot stand for that part of a whole-file pass ('' when it can)."""
    found = result.structure
    check = found.check if found is not None else None
    if found is None or check is None:
        return "no piece pass"
    if not check.ok:
        return check.reason
    if run.structure_errors + found.errors > MAX_ERRORS:
        return "more errors than pyx12's per-file cap"
    if task.number > 0:
        before = previous.structure.check if previous is not None and previous.structure is not None else None
        if before is None or not before.end_clean:
            return "the previous piece did not end cleanly after an SE"
        if check.lx_sensitive and before.lx_end:
            return "an LX before the first CLM depends on the previous piece's LX count"
    return ""


def _tasks(sources: list[str], jobs: int, serialize: bool, structure: bool = False) -> Iterator[PieceTask | str]:
    """Plan each file as its turn comes (so planning overlaps checking) and yield its pieces."""
    for source in sources:
        if source == STDIN_NAME:
            yield source
            continue
        try:
            with open(source, "rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                piece_size = min(PIECE_SIZE, max(MIN_PIECE_SIZE, size // (4 * jobs)))
                layout = plan(handle, jobs, piece_size=piece_size, structure=structure)
        except OSError:
            layout = None  # the worker reports it, as a one-process run would
        ranges = layout.ranges() if layout else [(0, None)]
        boundaries = [None, *layout.boundaries] if layout else [None]
        kinds = [b.kind for b in layout.boundaries] + [None] if layout else [None]
        sha256 = layout.sha256 if layout else ""
        envelopes = layout.envelopes if layout and layout.envelopes else [None] * len(ranges)
        for number, ((start, end), boundary) in enumerate(zip(ranges, boundaries, strict=True)):
            yield PieceTask(
                source,
                source,
                number,
                start,
                end,
                boundary,
                kinds[number],
                sha256,
                len(ranges),
                serialize,
                structure=structure,
                envelope=envelopes[number],
            )


# -- the worker side -------------------------------------------------------------------------------


def _check_piece(task: PieceTask, given: StructureFindings | None = None) -> PieceResult:
    """Read, walk and judge one piece (in a worker, or in the parent for a re-check).

    With the structure check on, pyx12 validates the piece first (or ``given`` holds the findings
    the parent found for it) and its findings go to the claims that hold their segments.
    """
    scrubber = _scrubber
    assert scrubber is not None
    try:
        handle = open(task.path, "rb")  # noqa: SIM115 - closed below, after the lazy reader is done
    except OSError as error:
        if task.number == 0:
            return PieceResult([], None, None, None, error=_open_error(task.path, error))
        raise
    with handle:
        found, check = given, None
        if task.structure and found is None:
            validated = _validate(task, handle)
            found, check = StructureFindings(validated), validated.piece
        walker = Walker()
        resume = _resume_point(task, walker, handle)
        start_key = boundary_key(task.boundary.kind, resume[1], walker.snapshot()) if task.boundary else None
        handle.seek(task.start)
        stream = _Window(handle, task.start, task.end)
        reader = SegmentReader(stream, walker.on_issue, resume=resume)  # type: ignore[arg-type]
        final = task.end is None
        try:
            items = list(_judged(scrubber, walker.walk(reader, final=final), task.serialize, found))
        except NotX12Error as error:
            return PieceResult([], None, None, None, error=str(error))
    structure = PieceStructure(found.unattached(), len(found), check) if found is not None else None
    if final:
        return PieceResult(items, start_key, None, None, stream.read_so_far, structure=structure)
    cursor = dataclasses.replace(reader.cursor)
    state = walker.snapshot()
    end_key = boundary_key(task.next_kind or "st", cursor, state)
    return PieceResult(items, start_key, end_key, Resume(cursor, state), stream.read_so_far, structure=structure)


def _validate(task: PieceTask, handle: BinaryIO) -> StructureResult:
    """pyx12 on the piece: the whole file when it is one piece, else the piece in its envelopes."""
    if task.pieces == 1 or task.envelope is None:
        return validate(task.path)
    import io

    boundary = task.boundary
    prefix: list[Segment] = []
    first_isa = None
    resume = None
    if boundary is not None:
        for span in boundary.context[:2]:  # the ISA and GS that enclose the piece
            handle.seek(span.start.offset)
            data = handle.read(span.end - span.start.offset)
            cursor = span.start.cursor(span.st_index)
            prefix += itertools.islice(SegmentReader(io.BytesIO(data), resume=(boundary.delimiters, cursor)), 1)
        handle.seek(0)
        first_isa = next(iter(SegmentReader(io.BytesIO(handle.read(4096)))), None)
        resume = (boundary.delimiters, boundary.at.start.cursor(boundary.at.st_index))
    handle.seek(task.start)
    segments = iter(SegmentReader(_Window(handle, task.start, task.end), resume=resume))  # type: ignore[arg-type]
    final = task.end is None
    return validate_piece(segments, prefix=prefix, envelope=task.envelope, final=final, first_isa=first_isa)


def _judged(
    scrubber: Scrubber,
    walked: Iterator[Claim | Finding],
    serialize: bool,
    structure: StructureFindings | None = None,
) -> Iterator[ClaimReport | SerializedClaim | Finding]:
    """What :class:`~scrubber.workflows.check.FileScan` does with each walked item."""
    engine = scrubber.engine
    for item in walked:
        if isinstance(item, Claim):
            if structure is not None:
                structure.attach(item)
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
