"""What runs on the executors: one function per stage, each Arrow batches in and Arrow batches out.

1. :func:`plan_files` (``mapInArrow`` over the input files): each file is read once for its
   sha256 and cut into pieces by the same planner as ``--jobs``
   (:func:`scrubber.workflows.parallel.file_tasks`); one row per piece, the task pickled.
2. :func:`check_pieces` (over the pieces, spread round-robin): each piece is checked by the
   ``--jobs`` worker code (:func:`~scrubber.workflows.parallel.worker.check_piece`, a guessed
   start state); one row with the piece's end state, then one row per event (a judged claim's
   JSON, a file finding).
3. :func:`merge_files` (over the pieces, partitioned by file and sorted by piece and event): the
   ``--jobs`` :class:`~scrubber.workflows.parallel.merger.Merger` takes each file's pieces in
   order, checks again a piece whose guessed start state was wrong or that needs facts only the
   whole file settles (in this process, with this executor's pipeline), and feeds a
   :class:`~.records.RecordSink`: one row per claim and per file.

:func:`check_contents` is stage 1-3 in one for a DataFrame of file contents (whole files).

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

from scrubber.workflows.parallel import file_tasks
from scrubber.workflows.parallel.merger import Merger
from scrubber.workflows.parallel.tasks import PieceResult, PieceTask
from scrubber.workflows.parallel.worker import check_piece
from scrubber.workflows.spark.job import Job, executor_pipeline
from scrubber.workflows.spark.records import FileInfo, RecordSink
from scrubber.workflows.spark.schema import pieces_schema, tasks_schema

log = structlog.get_logger("scrubber.spark")

EVENT_ROWS = 2048  # rows per Arrow batch out of the checking stage (a claim is a few kilobytes)


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
            for task in _plan(job, path, name):
                out["file_index"].append(file_index)
                out["piece"].append(task.number)
                out["pieces"].append(task.pieces)
                out["task"].append(pickle.dumps((task, _size(path)), protocol=pickle.HIGHEST_PROTOCOL))
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
    """Piece rows -> (file_index, piece, seq, payload): seq -1 the piece's state, 0.. its events."""
    executor_pipeline(job)
    out = _Rows(pieces_schema(), EVENT_ROWS)
    for file_index, number, payload in _rows(batches, "file_index", "piece", "task"):
        task, size = pickle.loads(payload)
        failure = None
        try:
            result: PieceResult | None = check_piece(task)
        except Exception as error:
            result, failure = None, describe_failure(error)
            log.warning("spark.piece_failed", file=task.name, piece=number, error=failure)
        items = result.items if result is not None else []
        if result is not None:
            result.items = []
        out.add(file_index, number, -1, pickle.dumps((task, size, result, failure), protocol=pickle.HIGHEST_PROTOCOL))
        for seq, item in enumerate(items):
            out.add(file_index, number, seq, pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL))
        yield from out.full()
    yield from out.full(final=True)


class _Rows:
    """Columns of the pieces schema filled row by row, handed out as batches of ``size`` rows."""

    def __init__(self, schema: Any, size: int) -> None:
        self._schema = schema
        self._size = size
        self._columns: list[list[Any]] = [[] for _ in schema.names]

    def add(self, *values: Any) -> None:
        for column, value in zip(self._columns, values, strict=True):
            column.append(value)

    def full(self, *, final: bool = False) -> list[Any]:
        count = len(self._columns[0])
        if count == 0 or (count < self._size and not final):
            return []
        import pyarrow as pa

        batch = pa.RecordBatch.from_arrays(
            [pa.array(c, t) for c, t in zip(self._columns, self._schema.types, strict=True)], schema=self._schema
        )
        self._columns = [[] for _ in self._schema.names]
        return [batch]


# -- 3. merge -------------------------------------------------------------------------------------


@dataclass
class _Piece:
    file_index: int
    task: PieceTask
    size: int | None
    result: PieceResult | None
    failure: str | None


def _pieces(batches: Iterable[Any]) -> Iterator[_Piece]:
    """Whole pieces again, from rows sorted by (file, piece, seq)."""
    current: _Piece | None = None
    for file_index, _number, seq, payload in _rows(batches, "file_index", "piece", "seq", "payload"):
        if seq < 0:
            if current is not None:
                yield current
            task, size, result, failure = pickle.loads(payload)
            current = _Piece(file_index, task, size, result, failure)
        elif current is not None and current.result is not None:
            current.result.items.append(pickle.loads(payload))
    if current is not None:
        yield current


def _done(result: PieceResult) -> Future[PieceResult]:
    future: Future[PieceResult] = Future()
    future.set_result(result)
    return future


class _PieceFailed(Exception):
    """The checking stage broke on a piece of this file; its description travels in ``args[0]``."""


def merge_files(job: Job, batches: Iterable[Any]) -> Iterator[Any]:
    """Sorted piece rows -> record rows (:func:`.schema.records_schema`), file by file."""
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
            merger.take(task, _done(piece.result))
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
                pipeline.check(data, sink, name)
        except Exception as error:
            _fail(sink, info, error)
        yield from sink.batches()
    yield from sink.batches(final=True)


def _len(data: bytes | None) -> int | None:
    return len(data) if data is not None else None
