"""`scrubber check` as a function: files in, one report out (plus acknowledgments), exit code back."""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from scrubber.errors import OutputError
from scrubber.exitcodes import EXIT_ACCEPTED, EXIT_UNREADABLE, exit_code
from scrubber.fsutil import atomic_writer
from scrubber.pipeline import DEFAULT_STRUCTURE, Pipeline, Progress, StructureMode
from scrubber.report.events import Sink, Sinks
from scrubber.report.writers import SHOWS_SEGMENTS, writer_for
from scrubber.workflows.outputs import FileOutputs, OutputOptions
from scrubber.workflows.parallel import check_files, parallel_possible
from scrubber.workflows.setup import build_pipeline


@dataclass
class CheckOptions:
    files: list[str]
    format: str = "text"
    output: Path | None = None
    as_of: dt.date | None = None
    config: Path | None = None  # scrubber.toml; None: the default locations, else defaults
    structure: StructureMode = DEFAULT_STRUCTURE  # the TR3 check: native, pyx12 or off
    outputs: OutputOptions = field(default_factory=OutputOptions)  # 999, 277CA, split 837s
    jobs: int = 1  # worker processes (scrubber.workflows.parallel)


@contextlib.contextmanager
def _report_stream(output: Path | None) -> Iterator[tuple[TextIO, bool]]:
    if output is None:
        yield sys.stdout, sys.stdout.isatty()
        return
    with atomic_writer(output) as handle:
        yield handle, False


def check_one(
    pipeline: Pipeline, source: str, sink: Sink, outputs: FileOutputs | None, progress: Progress | None
) -> int:
    """Check one file into ``sink`` and its outputs; return its exit code."""
    sinks = Sinks([sink, outputs]) if outputs is not None else sink
    try:
        totals = pipeline.check(source, sinks, progress=progress)
    except OutputError as error:
        print(f"scrubber: error: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    finally:
        if outputs is not None:
            outputs.discard()  # what an error left behind; a finished file has nothing left
    if totals.error:
        print(f"scrubber: error: {totals.name}: {totals.error}", file=sys.stderr)
    return exit_code(totals.status)


def run_check(options: CheckOptions, progress: Progress | None = None) -> int:
    """Check every file; the exit code is the worst of them (2 unreadable > 1 rejected > 0)."""
    pipeline = build_pipeline(options.config, structure=options.structure, as_of=options.as_of)
    worst = EXIT_ACCEPTED
    with _report_stream(options.output) as (out, is_tty):
        writer = writer_for(options.format, out, color=is_tty)
        writer.begin(len(options.files))
        if options.jobs > 1 and parallel_possible(options.outputs.any):
            worst = check_files(
                pipeline,
                options.files,
                writer,
                options.jobs,
                segments=options.format in SHOWS_SEGMENTS,
                progress=progress,
            )
        else:
            multi = len(options.files) > 1
            for ordinal, source in enumerate(options.files):
                outputs = None
                if options.outputs.any:
                    outputs = FileOutputs(options.outputs, pipeline.engine.registry, multi=multi, ordinal=ordinal)
                worst = max(worst, check_one(pipeline, source, writer, outputs, progress))
        writer.close()
    return worst
