"""`scrubber check --jobs N`: files, and pieces of large files, checked in worker processes.

Each file is planned (:mod:`.planner`: one pass for its sha256 and its piece boundaries), its
pieces go to a pool of forked workers (:mod:`.worker`), and the results come back in file order
to the sinks (:mod:`.merger`), so the report is the same as a one-process run: same claims,
findings and positions (a worker's reader resumes with the segment number, line and offset of its
piece). Memory stays bounded: at most ``2 * jobs`` pieces are in flight, each about a megabyte of
input. With ``--structure pyx12`` a file is not cut (pyx12 reads whole files); files still go to
the workers in parallel. The 999, 277CA and split are written in one process: their writers need
the parsed claims, which stay in the workers (see :func:`parallel_possible`).
"""

from __future__ import annotations

import io
import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from scrubber.errors import UnreadableInput
from scrubber.pipeline import STDIN_NAME, Pipeline, Progress, Scan
from scrubber.report.events import ClaimResult, Sink
from scrubber.workflows.parallel.merger import Merger
from scrubber.workflows.parallel.planner import plan
from scrubber.workflows.parallel.tasks import PieceResult, PieceTask
from scrubber.workflows.parallel.worker import check_piece, install

PIECE_SIZE = 1 << 20  # at most: a piece's results sit in memory until their turn to be written
MIN_PIECE_SIZE = 64 << 10  # at least: below this, process start-up and priming cost more than they save


def parallel_possible(wants_outputs: bool) -> bool:
    """Workers need fork (reference data is shared, not reloaded) and no per-file outputs."""
    return not wants_outputs and "fork" in multiprocessing.get_all_start_methods()


def check_files(
    pipeline: Pipeline,
    sources: list[str],
    sink: Sink,
    jobs: int,
    *,
    segments: bool = False,
    progress: Progress | None = None,
) -> int:
    """Check ``sources`` with ``jobs`` worker processes; report in file order; the worst exit code.

    ``segments``: workers ship each claim's segments, for sinks that show them (HTML).
    """
    install(pipeline)
    _warm_up(pipeline, sources)
    merger = Merger(sink, pipeline.engine, progress)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        window: deque[tuple[PieceTask, Future[PieceResult]]] = deque()
        for task in _tasks(sources, jobs, segments, cut=pipeline.structure != "pyx12"):
            if task is None:  # standard input: checked here, in its turn
                while window:
                    merger.take(*window.popleft())
                merger.finish_file()
                totals = pipeline.check(STDIN_NAME, sink, progress=progress)
                merger.note(totals)
                continue
            window.append((task, pool.submit(check_piece, task)))
            while len(window) > 2 * jobs:
                merger.take(*window.popleft())
        while window:
            merger.take(*window.popleft())
        merger.finish_file()
    return merger.worst


def _warm_up(pipeline: Pipeline, sources: list[str], claims: int = 20) -> None:
    """Judge a few claims before the workers fork: reference data that loads on first use (an
    ICD-10-CM year, pyx12's maps) then loads once here and is shared by every worker."""
    if pipeline.structure == "pyx12":
        from scrubber.structure.pyx12_adapter import warm_up

        warm_up()
    pipeline.segment_check()  # the native check compiles its grammar on first use
    for source in sources:
        if source == STDIN_NAME:
            continue
        try:
            with open(source, "rb") as handle:
                head = handle.read(256 << 10)
            scan = Scan(pipeline, io.BytesIO(head), source, quiet=True)  # rules only: no structure check
            judged = (item for item in scan if isinstance(item, ClaimResult))
            for _ in itertools.islice(judged, claims):
                pass
            return
        except (OSError, UnreadableInput):
            continue


def _tasks(sources: list[str], jobs: int, segments: bool, *, cut: bool) -> Iterator[PieceTask | None]:
    """Plan each file as its turn comes (so planning overlaps checking) and yield its pieces."""
    for source in sources:
        if source == STDIN_NAME:
            yield None
            continue
        yield from file_tasks(source, source, jobs, segments=segments, cut=cut)


def file_tasks(
    path: str,
    name: str,
    jobs: int,
    *,
    segments: bool = False,
    cut: bool = True,
    piece_size: int | None = None,
    min_piece_size: int | None = None,
) -> list[PieceTask]:
    """The piece tasks of one file, in file order (one whole-file task when it is not cut).

    A piece is about ``size / (4 * jobs)`` bytes, kept between ``min_piece_size`` and
    ``piece_size`` (default: this module's limits, read at call time so tests can shrink them).
    A file that cannot be opened is one task whose worker reports why, as a one-process run would.
    Spark's planning stage calls this on executors, with the cluster's parallelism as ``jobs``.
    """
    largest = PIECE_SIZE if piece_size is None else piece_size
    smallest = MIN_PIECE_SIZE if min_piece_size is None else min_piece_size
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            layout = plan(handle, jobs if cut else 1, piece_size=min(largest, max(smallest, size // (4 * jobs))))
    except OSError:
        layout = None  # the worker reports it, as a one-process run would
    ranges = layout.ranges() if layout else [(0, None)]
    boundaries = [None, *layout.boundaries] if layout else [None]
    kinds = [b.kind for b in layout.boundaries] + [None] if layout else [None]
    sha256 = layout.sha256 if layout else ""
    return [
        PieceTask(path, name, number, start, end, boundary, kinds[number], sha256, len(ranges), segments)
        for number, ((start, end), boundary) in enumerate(zip(ranges, boundaries, strict=True))
    ]
