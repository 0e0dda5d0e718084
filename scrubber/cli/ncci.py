"""`scrubber ncci import`: load the CMS practitioner PTP and MUE files into the local store."""

import sqlite3
from pathlib import Path
from typing import Annotated

import typer

from scrubber.config import ConfigError, load_settings, ncci_database
from scrubber.refdata.ncci.store import ImportSummary, import_tables, open_tables
from scrubber.refdata.ncci.tables import NcciFileError

ncci_app = typer.Typer(
    name="ncci",
    help="Import the NCCI edit tables you download from CMS (they are never shipped with scrubber).",
    no_args_is_help=True,
    add_completion=False,
)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"scrubber: error: {message}", err=True)
    return typer.Exit(2)


def summary_lines(summary: ImportSummary) -> list[str]:
    """What the import did, one line per table and one per file with unreadable rows."""
    lines = [f"NCCI tables written to {summary.database}"]
    if summary.ptp_rows is not None:
        lines.append(f"  PTP edits: {summary.ptp_rows}")
    if summary.mue_rows is not None:
        lines.append(f"  MUE values: {summary.mue_rows}")
    for report in summary.reports:
        if report.bad_rows:
            rows = ", ".join(str(n) for n in report.bad_examples)
            lines.append(f"  {report.file}: {report.bad_rows} row(s) not understood and skipped (rows {rows}...)")
    return lines


@ncci_app.command("import")
def import_command(
    ptp: Annotated[
        list[Path] | None,
        typer.Option("--ptp", help="Practitioner PTP file (ccipra-*.txt, CSV or the CMS zip); repeat for each part."),
    ] = None,
    mue: Annotated[
        list[Path] | None,
        typer.Option("--mue", help="Practitioner MUE table (MCR_MUE_PractitionerServices_*.csv or the zip)."),
    ] = None,
    database: Annotated[
        Path | None,
        typer.Option(
            "--database",
            help="Where to store the tables (default: the \\[ncci] database setting, else "
            "$XDG_DATA_HOME/scrubber/ncci.sqlite3).",
        ),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="scrubber.toml to read the \\[ncci] database setting from.")
    ] = None,
) -> None:
    """Replace the stored PTP table (--ptp) and/or MUE table (--mue) with the given files."""
    if not ptp and not mue:
        raise _fail("give at least one --ptp or --mue file")
    try:
        target = database or ncci_database(load_settings(config))[0]
        summary = import_tables(target, ptp or [], mue or [])
    except (ConfigError, NcciFileError, OSError, sqlite3.Error) as error:
        raise _fail(str(error)) from None
    for line in summary_lines(summary):
        typer.echo(line)


@ncci_app.command("status")
def status_command(
    database: Annotated[
        Path | None,
        typer.Option(
            "--database",
            help="Imported tables (default: the \\[ncci] database setting, else $XDG_DATA_HOME/scrubber/ncci.sqlite3).",
        ),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="scrubber.toml to read the \\[ncci] database setting from.")
    ] = None,
) -> None:
    """Show which CMS files the stored tables came from and when they were imported."""
    try:
        target = database or ncci_database(load_settings(config))[0]
        tables = open_tables(target)
    except (ConfigError, NcciFileError, OSError, sqlite3.Error) as error:
        raise _fail(str(error)) from None
    typer.echo(f"NCCI tables in {target}")
    typer.echo(f"  {tables.describe()}")
    for key in ("ptp_imported", "mue_imported"):
        if key in tables.meta:
            typer.echo(f"  {key.replace('_', ' ')}: {tables.meta[key]}")
