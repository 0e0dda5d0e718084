"""The worker side of ``--jobs``: read, walk, check and judge one piece of a file.

A piece starts from a guessed state (the context the plan found: the ISA, GS and, inside a
transaction, the ST and HL*20 block, walked silently, with the counts the plan saw). Each worker
returns the state it ended in; the merger re-runs a piece whose guess proved wrong.
"""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from typing import Any, BinaryIO

from scrubber.errors import UnreadableInput
from scrubber.pipeline import Pipeline, Scan
from scrubber.report.events import ClaimResult
from scrubber.structure.index import StructureIndex
from scrubber.transaction.walker import Walker, WalkerState
from scrubber.workflows.parallel.planner import Boundary
from scrubber.workflows.parallel.tasks import PieceResult, PieceState, PieceTask
from scrubber.x12.reader import Cursor, SegmentReader
from scrubber.x12.segment import Segment

_pipeline: Pipeline | None = None  # the worker's, inherited through fork: rules and data load once


def install(pipeline: Pipeline) -> None:
    """Set the pipeline the workers use (before they fork)."""
    global _pipeline
    _pipeline = pipeline


def check_piece(task: PieceTask) -> PieceResult:
    """One piece (or a whole file) in a worker, or in the parent for a re-check."""
    pipeline = _pipeline
    assert pipeline is not None
    if task.whole:
        return _check_whole(pipeline, task)
    try:
        handle = open(task.path, "rb")  # noqa: SIM115 - closed below, after the lazy reader is done
    except OSError as error:
        if task.number == 0:
            return PieceResult([], error=_open_error(task.path, error))
        raise
    with handle:
        walker = Walker()
        check = pipeline.segment_check()
        delimiters, cursor, context = _resume_point(task, walker, check, handle)
        index = None
        if check is not None:
            index = StructureIndex()
            index.seed(task.context_issues or ())
        start_key = _key(task.boundary.kind, cursor, walker, check) if task.boundary else None
        handle.seek(task.start)
        window = _Window(handle, task.start, task.end)
        final = task.end is None
        start = (delimiters, cursor) if task.boundary else None
        scan = Scan(
            pipeline,
            window,  # type: ignore[arg-type]
            task.name,
            structure=index,
            check=check,
            walker=walker,
            start=start,
            final=final,
            next_kind=task.next_kind,
            piece=True,
        )
        try:
            items = [_portable(item, task.segments) for item in scan]
        except UnreadableInput as error:
            return PieceResult([], error=error.reason)
    unattached = scan.structure.unattached() if scan.structure is not None else None
    result = PieceResult(items, start_key, bytes_read=window.read_so_far, unattached=unattached)
    if check is not None and index is not None:
        result.check, result.found, result.context = check.summary(), index.placed(), context
    if not final:
        assert scan.reader is not None
        cursor = dataclasses.replace(scan.reader.cursor)
        next_kind = task.next_kind or "st"
        result.end_key = _key(next_kind, cursor, walker, check)
        result.end = PieceState(cursor, walker.snapshot(), check.snapshot() if check is not None else None)
    return result


def _key(kind: str, cursor: Cursor, walker: Walker, check: Any) -> tuple[Any, ...]:
    """What the piece boundary's first segment observes, walker and structure check alike."""
    found = boundary_key(kind, cursor, walker.snapshot())
    return (found, check.state_key(kind)) if check is not None else found


def _check_whole(pipeline: Pipeline, task: PieceTask) -> PieceResult:
    """A file of one piece: exactly the one-process check (structure leftovers included)."""
    try:
        with pipeline.open(task.path, task.name, quiet=True) as scan:
            items = [_portable(item, task.segments) for item in scan]
    except UnreadableInput as error:
        return PieceResult([], error=error.reason)
    return PieceResult(items, bytes_read=scan.bytes_read)


def _portable(item: Any, segments: bool) -> Any:
    return item.portable(with_segments=segments) if isinstance(item, ClaimResult) else item


def _resume_point(
    task: PieceTask, walker: Walker, check: Any, handle: BinaryIO
) -> tuple[Any, Cursor, list[int]]:
    """Delimiters and cursor to resume reading at, with the walker and the check primed or
    restored; and the positions of the HL context segments above the piece's first claims.

    A re-check starts from the true state at the boundary (the previous piece's end), and with
    ``task.facts`` from the exact envelope facts a whole-file pass holds there.
    """
    boundary = task.boundary
    if boundary is None:
        return None, Cursor(), []
    if task.resume is not None:
        walker.restore(task.resume.walker)
        if check is not None:
            check.restore(task.resume.check)
            check.enter_piece(boundary.kind, facts=task.facts)
        body = task.resume.walker.body
        context = [s.index for s in body.billing] if body is not None and boundary.kind == "hl" else []
        return boundary.delimiters, dataclasses.replace(task.resume.cursor), context
    segments = _context(handle, boundary)
    walker.prime(segments)
    if check is not None:
        check.prime(segments, kind=boundary.kind, hl_count=boundary.last_hl if boundary.kind == "hl" else None)
    _set_counts(walker, boundary)
    context = [s.index for s in segments if s.st_index > 1] if boundary.kind == "hl" else []
    return boundary.delimiters, boundary.at.start.cursor(boundary.at.st_index), context


def _context(handle: BinaryIO, boundary: Boundary) -> list[Segment]:
    """The segments a piece is primed with: its ISA, GS (and the ST and HL*20 block for an HL cut)."""
    segments: list[Segment] = []
    for span in boundary.context:
        handle.seek(span.start.offset)
        data = handle.read(span.end - span.start.offset)
        cursor = span.start.cursor(span.st_index)
        segments.extend(SegmentReader(io.BytesIO(data), resume=(boundary.delimiters, cursor)))
    return segments


def _set_counts(walker: Walker, boundary: Boundary) -> None:
    """Guess the walker state at a boundary: the counts the plan saw before it."""
    envelope = walker.envelope  # live objects: the counts are set on the walker's own state
    if envelope.interchange is not None:
        envelope.interchange.groups = boundary.groups
    if envelope.group is not None:
        envelope.group.transactions = boundary.transactions
    if envelope.tx is not None and boundary.kind == "hl":
        envelope.tx.last_hl = boundary.last_hl


def boundary_key(kind: str, cursor: Cursor, state: WalkerState) -> tuple[Any, ...]:
    """What the segment at a boundary can observe: equal keys mean the same report from there on.

    Before an ST the transaction must be closed; before an HL*22 the HL sets the loop, the
    subscriber, patient, payer and relationship afresh, so only what it reads is compared.
    """
    interchange, group, tx = state.envelope.interchange, state.envelope.group, state.envelope.tx
    envelope = (
        dataclasses.astuple(cursor),
        dataclasses.astuple(interchange) if interchange else None,
        dataclasses.astuple(group) if group else None,
    )
    body = state.body
    if kind == "st" or tx is None or body is None:
        return (*envelope, tx is None)
    return (
        *envelope,
        tx.segment,
        tx.st02,
        tx.supported,
        tx.control,
        tx.last_hl,
        tx.hl_ids.get("20"),
        body.billing_provider,  # a Struct: compared field by field, its segment included
        tuple(body.billing),
        body.claim is None and body.line is None,
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
