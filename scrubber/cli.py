"""The `scrubber` command line. Commands are thin: they parse options and call the library.

typer (on click) gives typed options, `--help` pages and usage errors with exit code 2 for free.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from scrubber.codesets.commands import codes_app
from scrubber.exitcodes import EXIT_UNREADABLE
from scrubber.logs import configure_logging
from scrubber.ncci_cli import ncci_app
from scrubber.policies_cli import policies_app
from scrubber.rules_cli import rules_command
from scrubber.sweep.command import sweep_command

app = typer.Typer(
    name="scrubber",
    help="Check X12 837P (005010X222A1) professional claims before they go to the payer.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

app.add_typer(codes_app, name="codes")



class ReportFormat(StrEnum):
    text = "text"
    json = "json"
    html = "html"


def _default_log_level() -> str:
    return "warning" if sys.stderr.isatty() else "info"


@app.callback()
def _setup(
    log_level: Annotated[
        str | None, typer.Option(help="debug, info, warning or error (default: info, warning on a terminal)")
    ] = None,
) -> None:
    try:
        configure_logging(log_level or _default_log_level())
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--log-level") from None


def fail(message: str, code: int = EXIT_UNREADABLE) -> typer.Exit:
    """Print a one-line error (no traceback) and return the Exit to raise."""
    typer.echo(f"scrubber: error: {message}", err=True)
    return typer.Exit(code)


@app.command()
def check(
    files: Annotated[list[str], typer.Argument(help="837P files to check; '-' reads standard input.")],
    fmt: Annotated[ReportFormat, typer.Option("--format", "-f", help="Report format.")] = ReportFormat.text,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report here (owner-only) instead of stdout.")
    ] = None,
    as_of: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Judge dates (future service dates) as of this day; default today."),
    ] = None,
    no_structure: Annotated[
        bool, typer.Option("--no-structure", help="Skip the TR3 structure check (pyx12, SNIP levels 1-2).")
    ] = False,
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
    from scrubber.workflows.outputs import OutputOptions
    from scrubber.workflows.run import CheckOptions, run_check
    from scrubber.workflows.setup import SETUP_ERRORS

    if ack999 is not None and no_structure:
        raise fail("--ack999 needs the structure check; drop --no-structure")
    options = CheckOptions(
        files=files,
        format=fmt.value,
        output=output,
        as_of=as_of.date() if as_of else None,
        structure=not no_structure,
        config=config,
        outputs=OutputOptions(ack999=ack999, ack277=ack277, accepted_out=accepted_out, rejected_out=rejected_out),
        jobs=jobs,
    )
    try:
        code = run_check(options)
    except SETUP_ERRORS as error:
        raise fail(str(error)) from None
    raise typer.Exit(code)


app.command("sweep", help=sweep_command.__doc__)(sweep_command)
app.command("rules")(rules_command)
app.add_typer(ncci_app, name="ncci")
app.add_typer(policies_app, name="policies")


def main() -> None:
    """Console entry point; unexpected errors end in one line, not a traceback."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("scrubber: interrupted", err=True)
        sys.exit(130)
    except Exception as error:
        if os.environ.get("SCRUBBER_DEBUG"):
            raise
        typer.echo(
            f"scrubber: internal error: {type(error).__name__}: {error} (set SCRUBBER_DEBUG=1 for details)", err=True
        )
        sys.exit(EXIT_UNREADABLE)


if __name__ == "__main__":
    main()
