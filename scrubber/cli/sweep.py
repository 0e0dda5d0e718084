"""`scrubber sweep INBOX --outbox DIR`: one pass over a drop folder, for cron.

Registered in scrubber/cli.py with ``app.command("sweep")(sweep_command)``. The command only
turns options into :class:`SweepSettings`, runs :func:`run_sweep` and maps the result to an exit
code (see :mod:`scrubber.workflows.sweep.summary`).
"""

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from scrubber.pipeline import DEFAULT_STRUCTURE, StructureMode
from scrubber.workflows.sweep.summary import EXIT_LOCKED, EXIT_USAGE

HELP = (
    "Sweep a drop folder once: check every finished upload, file it, write its reports.\n\n"
    "Files go to OUTBOX/accepted, rejected, failed (not X12) or duplicates (content seen before), with reports "
    "in OUTBOX/reports; a SQLite ledger in the outbox remembers every file. Files still being uploaded are left "
    "for the next run.\n\n"
    "Exit codes: 0 nothing failed; 1 a file failed (see failed/ and the log); 2 usage or setup error; "
    "3 stopped early on an outbox or ledger error (the next run resumes); 75 another sweep holds the lock."
)


def _mode(value: str) -> int:
    try:
        mode = int(value, 8)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not an octal permission such as 600") from None
    return mode


def sweep_command(
    inbox: Annotated[Path, typer.Argument(help="The drop folder uploads arrive in.")],
    outbox: Annotated[Path, typer.Option("--outbox", help="Where files, reports and the ledger go.")],
    settle: Annotated[
        float, typer.Option(help="Seconds a file must be unchanged (size, mtime, ctime) before pickup.")
    ] = 60.0,
    stale_after: Annotated[
        float, typer.Option(help="Seconds after which a quiet file with no IEA is taken as truncated and reported.")
    ] = 3600.0,
    done_marker: Annotated[
        bool, typer.Option("--done-marker", help="Pick up NAME only once NAME.done exists beside it.")
    ] = False,
    outputs: Annotated[
        str, typer.Option(help="Comma-separated outputs per file: json, text, html, 999, 277ca, split.")
    ] = "json,text",
    ledger: Annotated[Path | None, typer.Option(help="Ledger file (default: OUTBOX/sweep-ledger.sqlite3).")] = None,
    isa13_window_days: Annotated[
        float, typer.Option(help="Flag an ISA13 reused by the same ISA06 sender within this many days.")
    ] = 90.0,
    file_mode: Annotated[str, typer.Option(help="Octal permissions of reports and the ledger.")] = "600",
    dir_mode: Annotated[str, typer.Option(help="Octal permissions of outbox folders the sweep creates.")] = "700",
    max_files: Annotated[int | None, typer.Option(help="Pick up at most this many files in this run.")] = None,
    as_of: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Judge dates (future service dates) as of this day; default today."),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="scrubber.toml, as for check (default: the usual places).")
    ] = None,
    structure: Annotated[
        StructureMode, typer.Option("--structure", help="The TR3 structure check: native, pyx12 or off, as check.")
    ] = DEFAULT_STRUCTURE,
    no_structure: Annotated[bool, typer.Option("--no-structure", help="Same as --structure off.")] = False,
) -> None:
    from scrubber.workflows.sweep.lock import SweepLocked
    from scrubber.workflows.sweep.runner import SweepSetupError, run_sweep
    from scrubber.workflows.sweep.settings import SweepSettings

    try:
        settings = SweepSettings(
            inbox=inbox,
            outbox=outbox,
            settle_seconds=settle,
            stale_seconds=stale_after,
            done_marker=done_marker,
            outputs=tuple(outputs.split(",")),
            ledger=ledger,
            isa13_window_days=isa13_window_days,
            file_mode=_mode(file_mode),
            dir_mode=_mode(dir_mode),
            max_files=max_files,
            as_of=as_of.date() if as_of else None,
            config=config,
            structure="off" if no_structure else structure,
        )
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in error.errors())
        raise _fail(problems, EXIT_USAGE) from None
    try:
        summary = run_sweep(settings)
    except SweepLocked as error:
        raise _fail(str(error), EXIT_LOCKED) from None
    except SweepSetupError as error:
        raise _fail(str(error), EXIT_USAGE) from None
    if summary.stopped:
        typer.echo(f"scrubber: sweep stopped early: {summary.stopped}; the next run resumes", err=True)
    raise typer.Exit(summary.exit_code)


sweep_command.__doc__ = HELP


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"scrubber: sweep: {message}", err=True)
    return typer.Exit(code)
