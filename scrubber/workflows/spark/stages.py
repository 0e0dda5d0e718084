"""What runs on the executors: one function per stage, each Arrow batches in and Arrow batches out.

1. :func:`plan_files` (``mapInArrow`` over the input files): each file is read once for its
   sha256 and cut into pieces by the same planner as ``--jobs``
   (:func:`scrubber.workflows.parallel.file_tasks`); one row per piece, the task pickled.
2. :func:`check_pieces` (over the pieces, spread round-robin): each piece is checked by the
   ``--jobs`` worker code (:func:`~scrubber.workflows.parallel.worker.check_piece`, from a guessed
   start state); one row per claim (made here, in parallel) and one ``state`` row: the piece's
   end state, its file findings and each claim's status and rule codes, pickled.
3. :func:`merge_files` (over the state rows only, partitioned by file, sorted by piece): the
   ``--jobs`` :class:`~scrubber.workflows.parallel.merger.Merger` takes each file's pieces in
   order, checks again a piece whose guessed start state was wrong or that needs facts only the
   whole file settles (in this process, with this executor's pipeline), and feeds a
   :class:`~.records.RecordSink`: the file's row, a row per piece (where its claims start, which
   claim rows count) and claim rows for the pieces it checked again.

Claim rows never move to the merging stage: for a 1 GB file only its state rows (kilobytes per
megabyte piece) meet on one executor, so the file's claims are judged and turned into rows on
every executor. :func:`check_contents` does all three for a DataFrame of contents (whole files).

No input stops a stage: a file that is not X12 or cannot be opened is an ``unreadable`` file row,
and a file the checker breaks on (a bug) a ``failed`` one whose error names the exception type and
where it was raised, never its message (it could quote claim data).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import traceback
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import structlog

from scrubber.report.events import ClaimResult
from scrubber.workflows.parallel import file_tasks
from scrubber.workflows.parallel.merger import Merger
from scrubber.workflows.parallel.tasks import PieceResult, PieceTask
from scrubber.workflows.parallel.worker import check_piece
from scrubber.workflows.spark.job import Job, executor_pipeline
from scrubber.workflows.spark.records import FileInfo, RecordSink, Tallied, claim_row
from scrubber.workflows.spark.schema import tasks_schema

log = structlog.get_logger("scrubber.spark")


def describe_failure(error: BaseException) -> str:
    """``internal error: KeyError at scrubber/rules/x.py:12``: the type and place, no message (PHI)."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if "scrubber" in f.filename.replace(os.sep, "/")] or frames
    where = ""
    if ours:
        frame = ours[-1]
        path = frame.filename.replace(os.sep, "/")
        short = path[path.rfind("scrubber/") :] if "scrubber/" in path else os.path.basename(path)
        where = f" at {short}:{frame.lineno}"
    return f"internal error: {type(error).__name__}{where}"


def _rows(batches: Iterable[Any], *columns: str) -> Iterator[tuple[Any, ...]]:
    for batch in batches:
        values = batch.to_pydict()
        yield from zip(*(values[c] for c in columns), strict=True)


# -- 1. plan --------------------------------------------------------------------------------------


def plan_files(job: Job, batches: Iterable[Any]) -> Iterator[Any]:
    """Input rows (file_index, file, path) -> one row per piece (file_index, piece, pieces, task)."""
    import pyarrow as pa

    _ = executor_pipeline(job)  # logging set up; the pipeline is reused by the next stages
    schema = tasks_schema()
    for batch in batches:
        out: dict[str, list[Any]] = {name: [] for name in schema.names}
        for file_index, name, path in _rows([batch], "file_index", "file", "path"):
            size = _size(path)
            for task in _plan(job, path, name):
                out["file_index"].append(file_index)
                out["piece"].append(task.number)
                out["pieces"].append(task.pieces)
                out["task"].append(pickle.dumps((task, size), protocol=pickle.HIGHEST_PROTOCOL))
        yield pa.RecordBatch.from_pydict(out, schema=schema)


def _plan(job: Job, path: str, name: str) -> list[PieceTask]:
    try:
        return file_tasks(
            path,
            name,
            job.parallelism,
            cut=job.structure != "pyx12",  # pyx12 reads whole files
            piece_size=job.piece_size,
            min_piece_size=job.min_piece_size,
        )
    except Exception as error:  # a planner bug costs this file its pieces, not the job
        log.warning("spark.plan_failed", file=name, error=describe_failure(error))
        return [PieceTask(path, name, 0, 0, None, None, None)]


def _size(path: str) -> int | None:
    try:
        return os.stat(path).st_size
    except OSError:
        return None


# -- 2. check -------------------------------------------------------------------------------------


def check_pieces(job: Job, batches: Iterable[Any]) -> Iterator[Any]:
    """Piece task rows -> a claim row per claim and one state row per piece."""
    executor_pipeline(job)
    sink = RecordSink()
    for file_index, number, payload in _rows(batches, "file_index", "piece", "task"):
        task, size = pickle.loads(payload)
        info = FileInfo(file_index, task.name, task.sha256 or None, size, task.pieces)
        failure = None
        try:
            result: PieceResult | None = check_piece(task)
            result.items = _tallied(result.items, sink, info, number)
        except Exception as error:  # the merger marks the file failed: none of its claim rows count
            result, failure = None, describe_failure(error)
            log.warning("spark.piece_failed", file=task.name, piece=number, error=failure)
        state = pickle.dumps((task, size, result, failure), protocol=pickle.HIGHEST_PROTOCOL)
        sink.add({"kind": "state", "file_index": file_index, "file": task.name, "piece": number, "state": state})
        yield from sink.batches()
    yield from sink.batches(final=True)


def _tallied(items: list[Any], sink: RecordSink, info: FileInfo, piece: int) -> list[Any]:
    """Each claim to a row; what the merger keeps of it: its status and rule codes."""
    kept: list[Any] = []
    seq = 0
    for item in items:
        if isinstance(item, ClaimResult):
            sink.add(claim_row(info, piece, seq, item.json, from_merge=False))
            kept.append(Tallied(item.status, item.rules))
            seq += 1
        else:
            kept.append(item)  # a file finding: the merger sums them up
    return kept


# -- 3. merge -------------------------------------------------------------------------------------


@dataclass
class _Piece:
    file_index: int
    task: PieceTask
    size: int | None
    result: PieceResult | None
    failure: str | None


def _pieces(batches: Iterable[Any]) -> Iterator[_Piece]:
    for file_index, payload in _rows(batches, "file_index", "state"):
        task, size, result, failure = pickle.loads(payload)
        yield _Piece(file_index, task, size, result, failure)


def _done(result: PieceResult) -> Future[PieceResult]:
    future: Future[PieceResult] = Future()
    future.set_result(result)
    return future


class _PieceFailed(Exception):
    """The checking stage broke on a piece of this file; its description travels in ``args[0]``."""


def merge_files(job: Job, batches: Iterable[Any]) -> Iterator[Any]:
    """State rows sorted by (file, piece) -> file rows, piece rows, claim rows of re-checked pieces."""
    pipeline = executor_pipeline(job)
    sink = RecordSink()
    merger: Merger | None = None
    info: FileInfo | None = None
    broken = False
    for piece in _pieces(batches):
        task = piece.task
        if info is None or piece.file_index != info.index:
            if merger is not None and info is not None and not broken:
                _finish(merger, sink, info)
            info = FileInfo(piece.file_index, task.name, task.sha256 or None, piece.size, task.pieces)
            sink.expect(info)
            merger, broken = Merger(sink, pipeline.engine, quiet=True), False
        if broken:
            continue
        try:
            if piece.failure is not None or piece.result is None:
                raise _PieceFailed(piece.failure or "internal error: piece lost")
            sink.begin_piece(task.number)
            merger.take(task, _done(piece.result))
            sink.end_piece()
        except Exception as error:
            broken = True
            _fail(sink, info, error)
        yield from sink.batches()
    if merger is not None and info is not None and not broken:
        _finish(merger, sink, info)
    yield from sink.batches(final=True)


def _finish(merger: Merger, sink: RecordSink, info: FileInfo) -> None:
    try:
        merger.finish_file()
    except Exception as error:
        _fail(sink, info, error)


def _fail(sink: RecordSink, info: FileInfo, error: Exception) -> None:
    described = error.args[0] if isinstance(error, _PieceFailed) else describe_failure(error)
    log.warning("spark.file_failed", file=info.name, error=described)
    sink.failed(info, described)


# -- 1-3 for contents -----------------------------------------------------------------------------


def check_contents(job: Job, batches: Iterable[Any]) -> Iterator[Any]:
    """Rows (path, content) of whole files (e.g. Spark's ``binaryFile`` source) -> record rows."""
    pipeline = executor_pipeline(job)
    sink = RecordSink()
    for name, content in _rows(batches, "path", "content"):
        data = bytes(content) if content is not None else None
        info = FileInfo(None, name, hashlib.sha256(data).hexdigest() if data is not None else None, _len(data))
        sink.expect(info)
        try:
            if data is None:
                sink.unreadable(name, "no content")
            else:
                sink.begin_piece(0)
                pipeline.check(data, sink, name)
                sink.end_piece()
        except Exception as error:
            _fail(sink, info, error)
        yield from sink.batches()
    yield from sink.batches(final=True)


def _len(data: bytes | None) -> int | None:
    return len(data) if data is not None else None
