"""`scrubber check` as a function: files in, report out, exit code back."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from scrubber.exitcodes import EXIT_ACCEPTED, EXIT_REJECTED, EXIT_UNREADABLE
from scrubber.findings import Finding
from scrubber.fsutil import atomic_writer
from scrubber.report.model import ClaimReport
from scrubber.report.writers import ReportWriter, writer_for
from scrubber.structure.stage import open_checked
from scrubber.workflows.check import Scrubber, UnreadableInput
from scrubber.workflows.outputs import FileOutputs, OutputError, OutputOptions
from scrubber.workflows.parallel import can_run_pieces, check_files
from scrubber.workflows.setup import build_engine


@dataclass
class CheckOptions:
    files: list[str]
    format: str = "text"
    output: Path | None = None
    as_of: dt.date | None = None
    config: Path | None = None  # scrubber.toml; None: the default locations, else defaults
    structure: bool = True  # the TR3 check through pyx12 (--no-structure turns it off)
    outputs: OutputOptions = field(default_factory=OutputOptions)  # 999, 277CA, split 837s
    jobs: int = 1  # worker processes (scrubber.workflows.parallel)


@contextlib.contextmanager
def _report_stream(output: Path | None) -> Iterator[tuple[TextIO, bool]]:
    if output is None:
        yield sys.stdout, sys.stdout.isatty()
        return
    with atomic_writer(output) as handle:
        yield handle, False


def check_file(scrubber: Scrubber, source: str, writer: ReportWriter, outputs: FileOutputs | None = None) -> int:
    """Check one file into ``writer`` (and its acknowledgments and split, when asked); return its exit code."""
    try:
        spool = outputs is not None and outputs.verdicts is not None
        with open_checked(source, structure=scrubber.structure, spool=spool) as checked:
            name = checked.name
            scan = scrubber.scan(checked.stream, name, checked.structure)
            items = iter(scan)
            first = next(items, None)  # an input that is not X12 fails here, before any output
            writer.start_file(name)
            for item in itertools.chain([first] if first is not None else [], items):
                if isinstance(item, ClaimReport):
                    writer.claim(item)
                    if outputs is not None:
                        outputs.claim(item)
                elif isinstance(item, Finding):
                    writer.file_finding(item)
            writer.finish_file(scan.header())
            if outputs is not None:
                outputs.finish(checked)
            return EXIT_REJECTED if scan.status == "rejected" else EXIT_ACCEPTED
    except UnreadableInput as error:
        print(f"scrubber: error: {error}", file=sys.stderr)
        writer.unreadable(error.name, error.reason)
        return EXIT_UNREADABLE
    except OutputError as error:
        print(f"scrubber: error: {error}", file=sys.stderr)
        return EXIT_UNREADABLE


def _wants_outputs(outputs: OutputOptions) -> bool:
    return any((outputs.ack999, outputs.ack277, outputs.accepted_out, outputs.rejected_out))


def run_check(options: CheckOptions) -> int:
    """Check every file; the exit code is the worst of them (2 unreadable > 1 rejected > 0)."""
    engine = build_engine(options.config, as_of=options.as_of)
    scrubber = Scrubber(engine, structure=options.structure)
    worst = EXIT_ACCEPTED
    with _report_stream(options.output) as (out, is_tty):
        writer = writer_for(options.format, out, color=is_tty)
        writer.begin(len(options.files))
        multi = len(options.files) > 1
        if options.jobs > 1 and can_run_pieces(scrubber, _wants_outputs(options.outputs)):
            worst = check_files(scrubber, options.files, writer, options.jobs)
            writer.close()
            return worst
        for ordinal, source in enumerate(options.files):
            outputs = FileOutputs(options.outputs, multi=multi, ordinal=ordinal)
            worst = max(worst, check_file(scrubber, source, writer, outputs))
        writer.close()
    return worst
