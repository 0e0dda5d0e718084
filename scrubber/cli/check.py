"""`scrubber check FILE...`: one report for many files, exit 0 accepted, 1 rejected, 2 unreadable."""

import datetime as dt
import gc
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from scrubber.cli.progress import progress_display
from scrubber.errors import SetupError
from scrubber.exitcodes import EXIT_UNREADABLE
from scrubber.pipeline import DEFAULT_STRUCTURE, StructureMode
from scrubber.workflows.check import CheckOptions, run_check
from scrubber.workflows.outputs import OutputOptions

# A check allocates a few dozen short-lived objects per claim and keeps none of them: collecting the
# young generation every 700 allocations (CPython's default) took ~7% of a rules-only check of the
# bench file. The command runs in a process of its own (its --jobs workers fork from it), so it sets
# the collector's pace for itself; the library leaves the caller's setting alone.
GC_YOUNG_THRESHOLD = 50_000


class ReportFormat(StrEnum):
    text = "text"
    json = "json"
    html = "html"


def _fail(message: str) -> typer.Exit:
    typer.echo(f"scrubber: error: {message}", err=True)
    return typer.Exit(EXIT_UNREADABLE)


def check_command(
    files: Annotated[list[str], typer.Argument(help="837P files to check; '-' reads standard input.")],
    fmt: Annotated[ReportFormat, typer.Option("--format", "-f", help="Report format.")] = ReportFormat.text,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report here (owner-only) instead of stdout.")
    ] = None,
    as_of: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Judge dates (future service dates) as of this day; default today."),
    ] = None,
    structure: Annotated[
        StructureMode,
        typer.Option("--structure", help="The TR3 structure check (SNIP 1-2): native, pyx12, or off."),
    ] = DEFAULT_STRUCTURE,
    no_structure: Annotated[bool, typer.Option("--no-structure", help="Same as --structure off.")] = False,
    ack999: Annotated[
        Path | None, typer.Option("--ack999", help="Write a 999 for the structure check (a directory for many files).")
    ] = None,
    ack277: Annotated[
        Path | None, typer.Option("--ack277", help="Write a 277CA acknowledging every claim (one per input file).")
    ] = None,
    accepted_out: Annotated[
        Path | None, typer.Option("--accepted-out", help="Write the accepted claims as an 837P of their own.")
    ] = None,
    rejected_out: Annotated[
        Path | None, typer.Option("--rejected-out", help="Write the rejected claims as an 837P of their own.")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", "-c", help="scrubber.toml to use (default: ./scrubber.toml, then $XDG_CONFIG_HOME/scrubber/)."
        ),
    ] = None,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs", "-j", min=1, help="Worker processes: files, and pieces of large files, are checked in parallel."
        ),
    ] = 1,
) -> None:
    """Check 837P files. Exit 0: all claims accepted; 1: a claim or file rejected; 2: unreadable input."""
    mode: StructureMode = "off" if no_structure else structure
    if ack999 is not None and mode == "off":
        raise _fail("--ack999 needs the structure check; drop --no-structure / --structure off")
    options = CheckOptions(
        files=files,
        format=fmt.value,
        output=output,
        as_of=as_of.date() if as_of else None,
        structure=mode,
        config=config,
        outputs=OutputOptions(ack999=ack999, ack277=ack277, accepted_out=accepted_out, rejected_out=rejected_out),
        jobs=jobs,
    )
    gc.set_threshold(max(gc.get_threshold()[0], GC_YOUNG_THRESHOLD), *gc.get_threshold()[1:])
    try:
        with progress_display(files, output) as progress:
            code = run_check(options, progress)
    except SetupError as error:
        raise _fail(str(error)) from None
    raise typer.Exit(code)
