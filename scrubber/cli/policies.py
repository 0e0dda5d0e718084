"""`scrubber policies import|status|show`: CMS coverage articles the user downloads, in the local store.

The Medicare Coverage Database download names CPT codes under the AMA licence, so scrubber never
ships it: users download ``current_article.zip`` from CMS and import it here.
"""

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Annotated

import typer

from scrubber.config import ConfigError, coverage_database, load_settings
from scrubber.refdata.coverage import (
    CoverageDataError,
    CoverageImportError,
    ImportSummary,
    import_download,
    open_store,
)

policies_app = typer.Typer(
    name="policies",
    help="Import the CMS coverage articles you download (Medicare Coverage Database); never shipped with scrubber.",
    no_args_is_help=True,
    add_completion=False,
)

_DATABASE_HELP = (
    "Where the articles are stored (default: the \\[policies] coverage_database setting, else coverage.sqlite3 "
    "beside the NCCI database, $XDG_DATA_HOME/scrubber/)."
)
DatabaseOption = Annotated[Path | None, typer.Option("--database", help=_DATABASE_HELP)]
ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="scrubber.toml to read the \\[policies] settings from.")
]


def _fail(message: str) -> typer.Exit:
    typer.echo(f"scrubber: error: {message}", err=True)
    return typer.Exit(2)


def _target(database: Path | None, config: Path | None) -> Path:
    return database or coverage_database(load_settings(config))[0]


def summary_lines(summary: ImportSummary) -> list[str]:
    """What an import kept and skipped, for the terminal."""
    lines = [
        f"Coverage articles from {Path(summary.source).name} written to {summary.database} ({summary.seconds:.1f} s)",
        f"  articles: {summary.articles} ({summary.versions} current versions; "
        f"{summary.not_current} article rows not current, status other than A, skipped)",
        f"  procedure codes listed: {summary.procedures}",
        f"  ICD-10-CM codes: {summary.covered} covered, {summary.noncovered} non-covered, in {summary.groups} groups "
        f"({summary.linked_groups} tied by their paragraph to particular procedures)",
    ]
    if summary.other_versions:
        lines.append(f"  code rows of article versions not imported: {summary.other_versions}")
    for table, bad in summary.bad.items():
        if bad.count:
            where = ", ".join(str(n) for n in bad.lines)
            lines.append(f"  {table}.csv: {bad.count} row(s) not understood and skipped (lines {where}...)")
    return lines


@policies_app.command("import")
def import_command(
    path: Annotated[
        Path, typer.Argument(help="current_article.zip, the current_article_csv.zip in it, or a folder of its CSVs.")
    ],
    database: DatabaseOption = None,
    config: ConfigOption = None,
) -> None:
    """Replace the stored coverage articles with those of a CMS "Current Articles" download."""
    try:
        summary = import_download(path, _target(database, config))
    except (ConfigError, CoverageImportError, OSError, sqlite3.Error) as error:
        raise _fail(str(error)) from None
    for line in summary_lines(summary):
        typer.echo(line)


@policies_app.command("status")
def status_command(database: DatabaseOption = None, config: ConfigOption = None) -> None:
    """Show which download the stored articles came from, when, and what it held."""
    try:
        target = _target(database, config)
        store = open_store(target)
    except (ConfigError, CoverageDataError, OSError, sqlite3.Error) as error:
        raise _fail(str(error)) from None
    counts = store.counts()
    typer.echo(f"Coverage articles in {target}")
    typer.echo(f"  source: {store.meta.get('source', '?')} ({store.meta.get('source_path', '?')})")
    typer.echo(f"  imported: {store.meta.get('imported', '?')}")
    typer.echo(f"  articles: {counts.get('articles')} ({counts.get('versions')} current versions)")
    typer.echo(f"  procedure codes listed: {counts.get('procedures')}")
    typer.echo(f"  ICD-10-CM codes: {counts.get('covered')} covered, {counts.get('noncovered')} non-covered")
    for table, count in dict(counts.get("bad_rows") or {}).items():
        typer.echo(f"  {table}.csv: {count} row(s) skipped at import")


@policies_app.command("show")
def show_command(
    procedure: Annotated[str, typer.Argument(help="A CPT/HCPCS code.")],
    date: Annotated[
        dt.datetime | None, typer.Option("--date", formats=["%Y-%m-%d"], help="Date of service (default: today).")
    ] = None,
    database: DatabaseOption = None,
    config: ConfigOption = None,
) -> None:
    """List the articles in effect for a procedure on a date and the ICD-10 groups that apply to it."""
    try:
        store = open_store(_target(database, config))
    except (ConfigError, CoverageDataError, OSError, sqlite3.Error) as error:
        raise _fail(str(error)) from None
    on = date.date() if date else dt.date.today()
    views = store.articles_for(procedure.strip().upper(), on)
    if not views:
        typer.echo(f"No imported article in effect on {on} lists {procedure}.")
        return
    for view in views:
        article = view.article
        typer.echo(f"{article.citation}, in effect {article.effective or '...'} to {article.last_day or '...'}")
        for group in (*view.covered, *view.noncovered):
            kind = "covered" if group.covered else "non-covered"
            names = "every listed procedure" if group.procedures is None else " ".join(sorted(group.procedures))
            typer.echo(f"  {kind} group {group.number} (applies to {names}): {group.paragraph[:160]}")
