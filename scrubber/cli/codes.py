"""``scrubber codes``: look a code up as a coder would, and import newer CDC code-set years.

Mounted by the main CLI with ``app.add_typer(codes_app, name="codes")``. Output is plain text;
nothing here touches patient data.
"""

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from scrubber.refdata.codesets.icd10 import CodeSet, CodeSets, user_data_dir
from scrubber.refdata.codesets.icd10.importer import CodeImportError, collect, import_year
from scrubber.refdata.codesets.icd10.provider import CodeSetError
from scrubber.workflows.codes import code_set_for, describe_code

codes_app = typer.Typer(
    name="codes",
    help="Look up ICD-10-CM codes and import newer code-set years.",
    no_args_is_help=True,
    add_completion=False,
)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Imported code sets live here (default: $XDG_DATA_HOME/scrubber/codesets)."),
]

@codes_app.command("show")
def show(
    codes: Annotated[list[str], typer.Argument(help="ICD-10-CM codes, with or without the point.")],
    date: Annotated[
        dt.datetime | None,
        typer.Option("--date", formats=["%Y-%m-%d"], help="Date of service (picks the fiscal year); default today."),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Description, billable or header, fiscal year, notes and Excludes1 partners of codes."""
    day = date.date() if date else dt.date.today()
    try:
        code_set = code_set_for(day, data_dir)
    except CodeSetError as error:
        typer.echo(f"scrubber: error: {error}", err=True)
        raise typer.Exit(2) from None
    if code_set is None:
        typer.echo(f"{day.isoformat()} is before ICD-10-CM (2015-10-01): ICD-9-CM codes are not covered.", err=True)
        raise typer.Exit(2)
    missing = False
    for raw in codes:
        lines = describe_code(code_set, raw)
        missing = missing or not code_set.exists(raw)
        typer.echo("\n".join(lines))
    raise typer.Exit(1 if missing else 0)


def _edits_source(installed: CodeSets, fiscal_year: int) -> CodeSet | None:
    """Where an import takes its MCE age/sex edits: the same year's provisional set, else the newest older year."""
    same = installed.sets.get(fiscal_year)
    if same is not None and "provisional" in same.label:
        return same
    older = [y for y in installed.years if y < fiscal_year and "provisional" not in installed.sets[y].label]
    return installed.sets[max(older)] if older else None


@codes_app.command("import")
def import_(
    files: Annotated[
        list[Path],
        typer.Argument(help="CDC files: icd10cm_tabular_YYYY.xml, icd10cm_order_YYYY.txt, or the zips holding them."),
    ],
    year: Annotated[int | None, typer.Option(help="Fiscal year, when the file names do not say.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Import a CDC ICD-10-CM release (FY2027 and later) for offline use."""
    target = data_dir or user_data_dir()
    try:
        found = collect(files, year)
        installed = CodeSets.load(target)
        for fiscal_year, year_files in sorted(found.items()):
            previous = _edits_source(installed, fiscal_year)
            path, stats = import_year(fiscal_year, year_files, previous, target)
            typer.echo(
                f"FY{fiscal_year}: {stats['codes']} codes, {stats['billable']} billable, "
                f"{stats['notes'].get('excludes1', 0)} Excludes1 notes "
                f"({stats['notes_without_code'].get('excludes1', 0)} without a code) -> {path}"
            )
    except (CodeImportError, CodeSetError, OSError, ValueError) as error:
        typer.echo(f"scrubber: error: {error}", err=True)
        raise typer.Exit(2) from None
