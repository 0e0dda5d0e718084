"""What a pool process runs: one :class:`~scrubber.pipeline.Pipeline` per structure mode, built once.

The initializer builds the rule engine (configuration, policy packs, NCCI and coverage tables) and
reads every installed ICD-10-CM year before the first request, so a check never waits for
reference data and ``/readyz`` means it. A task names a spooled input file and the file its answer
goes to; the outcome that travels back is small (counts and a status), never claim content.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

from scrubber.errors import OutputError, ScrubberError
from scrubber.logs import configure_logging
from scrubber.pipeline import STRUCTURE_MODES, Pipeline, StructureMode, Totals
from scrubber.report.events import Sink
from scrubber.report.writers import writer_for
from scrubber.rules.engine import RuleEngine
from scrubber.structure.native import NativeValidator
from scrubber.workflows.outputs import FileOutputs, OutputOptions
from scrubber.workflows.setup import build_engine

log = structlog.get_logger("scrubber.service.worker")

ACKS = ("999", "277ca")
FORMATS = ("json", "text", "html")

_engine: RuleEngine | None = None
_pipelines: dict[str, Pipeline] = {}
_barrier: Any = None  # multiprocessing Barrier of the pool's processes (readiness)
READY_TIMEOUT = 300.0


@dataclass(frozen=True)
class CheckTask:
    """One check: the spooled body, where the answer goes, and the request's options."""

    source: str
    output: str
    name: str
    structure: StructureMode = "native"
    as_of: dt.date | None = None
    format: str = "json"
    ack: str | None = None


@dataclass
class CheckOutcome:
    """What the event loop hears back: a verdict and counts (for the response headers and metrics)."""

    status: str  # accepted, rejected, unreadable (not X12), failed (no answer could be made)
    error_code: str = ""
    error: str = ""
    claims: int = 0
    accepted: int = 0
    rejected: int = 0
    findings_by_rule: dict[str, int] = field(default_factory=dict)
    bytes_read: int = 0
    seconds: float = 0.0
    pid: int = 0


def initialize(config: str | None, log_level: str, barrier: Any = None) -> None:
    """Pool initializer: logging, the engine and every code-set year, once per process."""
    global _engine, _barrier
    _barrier = barrier
    configure_logging(log_level, json=True)
    started = time.perf_counter()
    engine = build_engine(Path(config) if config else None)
    code_sets = engine.context.icd10
    if code_sets is not None:
        for year in code_sets.years:
            code_sets.for_year(year).exists("A00")  # read the year now, not on a first claim
    _engine = engine
    _pipelines.clear()
    for mode in STRUCTURE_MODES:
        _pipelines[mode] = Pipeline(engine, mode, native=NativeValidator if mode == "native" else None)
    log.info("worker.ready", pid=os.getpid(), seconds=round(time.perf_counter() - started, 3))


def ping() -> int:
    """Answered once every process of the pool has run its initializer.

    The pool sends one ping per process; each waits at the barrier, so a process that answered
    cannot take a second ping, and all answer together once all are ready.
    """
    if _barrier is not None:
        _barrier.wait(READY_TIMEOUT)
    return os.getpid()


def check(task: CheckTask) -> CheckOutcome:
    """Check one spooled file into ``task.output`` (a report or an acknowledgment)."""
    started = time.perf_counter()
    pipeline = _pipelines[task.structure]
    engine = pipeline.engine
    engine.context.as_of = task.as_of or dt.date.today()
    try:
        totals = _run(pipeline, task)
    except ScrubberError as error:
        code = "no_acknowledgment" if isinstance(error, OutputError) else "unreadable"
        return CheckOutcome("failed", error_code=code, error=str(error), pid=os.getpid())
    except Exception as error:  # a bug: logged without its message, which may quote the claim
        frames = [f"{Path(f.filename).name}:{f.lineno}:{f.name}" for f in traceback.extract_tb(error.__traceback__)]
        log.error("worker.check_failed", error_type=type(error).__name__, where=frames[-6:], file=task.name)
        return CheckOutcome("failed", error_code="internal", error="the check failed inside scrubber", pid=os.getpid())
    summary = totals.summary
    return CheckOutcome(
        totals.status,
        error_code="not_x12" if totals.error else "",
        error=f"{totals.name}: {totals.error}" if totals.error else "",
        claims=summary.claims,
        accepted=summary.accepted,
        rejected=summary.rejected,
        findings_by_rule=dict(summary.findings_by_rule),
        bytes_read=totals.bytes_read,
        seconds=time.perf_counter() - started,
        pid=os.getpid(),
    )


def _run(pipeline: Pipeline, task: CheckTask) -> Totals:
    if task.ack is not None:
        option = Path(task.output)
        options = OutputOptions(ack999=option) if task.ack == "999" else OutputOptions(ack277=option)
        outputs = FileOutputs(options, pipeline.engine.registry, multi=False, ordinal=0)
        try:
            return pipeline.check(task.source, outputs, task.name)
        finally:
            outputs.discard()  # what an error left behind; a finished file has nothing left
    fd = os.open(task.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, "w", encoding="utf-8") as out:
        writer: Sink = writer_for(task.format, out)
        writer.begin(1)
        totals = pipeline.check(task.source, writer, task.name)
        writer.close()
    return totals
