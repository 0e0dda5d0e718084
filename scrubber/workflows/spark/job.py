"""What every executor needs to judge claims as the driver would, and the pipeline it builds from it.

A :class:`Job` is made on the driver and shipped (pickled) with each stage: the validated
configuration (read once on the driver, so a bad scrubber.toml fails before any task runs and
executors need no copy of it), the structure check, the day claims are judged as of (the driver's
today: every executor agrees on future dates even across midnight) and the piece sizes.

:func:`executor_pipeline` builds the :class:`~scrubber.pipeline.Pipeline` once per executor Python
process (PySpark reuses its Python workers between tasks) and installs it where the ``--jobs``
worker code looks for it, so the merger's re-checks run in the same process with the same data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
import sys
from dataclasses import dataclass, field
from pathlib import Path

from scrubber.config import Settings, coverage_database, load_settings, ncci_database
from scrubber.pipeline import Pipeline, StructureMode
from scrubber.workflows import parallel
from scrubber.workflows.parallel.worker import install
from scrubber.workflows.setup import build_pipeline


@dataclass(frozen=True)
class Job:
    """The options of one Spark scrub, as every stage sees them."""

    settings: Settings
    structure: StructureMode
    as_of: dt.date
    parallelism: int  # executors' cores: how finely large files are cut
    piece_size: int = parallel.PIECE_SIZE
    min_piece_size: int = parallel.MIN_PIECE_SIZE
    log_level: str = "warning"
    key: str = field(default="", compare=False)  # what the executor's cached pipeline was built for

    @classmethod
    def make(
        cls,
        *,
        config: Path | None,
        structure: StructureMode,
        as_of: dt.date | None,
        parallelism: int,
        piece_size: int | None = None,
        min_piece_size: int | None = None,
        log_level: str = "warning",
    ) -> Job:
        """Read and check the configuration here, on the driver (a ``SetupError`` says what is wrong)."""
        settings = _pinned(load_settings(config.resolve() if config is not None else None))
        as_of = as_of or dt.date.today()
        largest = piece_size or parallel.PIECE_SIZE
        smallest = min(min_piece_size or parallel.MIN_PIECE_SIZE, largest)
        key = hashlib.sha256(pickle.dumps((settings, structure, as_of))).hexdigest()
        return cls(settings, structure, as_of, max(1, parallelism), largest, smallest, log_level, key)


def _pinned(settings: Settings) -> Settings:
    """Name the NCCI and coverage databases the driver found, so an executor without them fails
    loudly instead of judging claims without those edits (a shared path is needed on a cluster)."""
    ncci, explicit = ncci_database(settings)
    config = settings.config
    if not explicit and ncci.is_file():
        config = config.model_copy(update={"ncci": config.ncci.model_copy(update={"database": ncci.resolve()})})
    coverage, explicit = coverage_database(settings)
    if not explicit and coverage.is_file():
        policies = config.policies.model_copy(update={"coverage_database": coverage.resolve()})
        config = config.model_copy(update={"policies": policies})
    if config is settings.config:
        return settings
    return Settings(config=config, source=settings.source, options=settings.options)


_built: tuple[str, Pipeline] | None = None  # this Python worker's pipeline and the job key it serves


def executor_pipeline(job: Job) -> Pipeline:
    """This process's pipeline for ``job``: built on first use, rebuilt only for another job's options."""
    global _built
    if _built is not None and _built[0] == job.key:
        return _built[1]
    _quiet_logs(job.log_level)
    pipeline = build_pipeline(structure=job.structure, as_of=job.as_of, settings=job.settings)
    install(pipeline)
    _built = (job.key, pipeline)
    return pipeline


def _quiet_logs(level: str) -> None:
    """structlog events to stderr (stdout belongs to nobody on an executor) at the driver's level."""
    from scrubber.logs import configure_logging

    configure_logging(level, stream=sys.stderr, json=True)
