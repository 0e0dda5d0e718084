"""``scrubber codes``: look a code up as a coder would, and import newer CDC code-set years.

Mounted by the main CLI with ``app.add_typer(codes_app, name="codes")``. Output is plain text;
nothing here touches patient data.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from scrubber.refdata.codesets.icd10 import CodeSet, CodeSets, dotted, fiscal_year, normalize, user_data_dir
from scrubber.refdata.codesets.icd10.flags import CodeFlag
from scrubber.refdata.codesets.icd10.importer import CodeImportError, collect, import_year
from scrubber.refdata.codesets.icd10.provider import CodeSetError

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

_NOTE_TITLES = {
    "excludes1": "Excludes1",
    "excludes2": "Excludes2",
    "code_first": "Code first",
    "use_additional": "Use additional code",
    "code_also": "Code also",
    "includes": "Includes",
    "notes": "Notes",
}
_EDIT_NAMES = {
    CodeFlag.MANIFESTATION: "manifestation (never first-listed)",
    CodeFlag.NEWBORN: "newborn age edit",
    CodeFlag.PEDIATRIC: "pediatric age edit",
    CodeFlag.MATERNITY: "maternity age edit",
    CodeFlag.ADULT: "adult age edit",
    CodeFlag.MALE: "male only (MCE FY2024 list)",
    CodeFlag.FEMALE: "female only (MCE FY2024 list)",
    CodeFlag.UNACCEPTABLE_PDX: "unacceptable as principal diagnosis (MCE)",
}


def _label(key: str) -> str:
    if key.startswith("ch"):
        return f"chapter {key[2:]}"
    return key if "-" in key else dotted(key)


def describe_code(codes: CodeSet, raw: str) -> list[str]:
    """The lines ``codes show`` prints for one code."""
    code = normalize(raw)
    if not codes.exists(code):
        return [f"{dotted(code)}: not a code in {codes.label}"]
    flags = codes.flags(code)
    status = "billable" if flags & CodeFlag.BILLABLE else "header (not billable: needs more characters)"
    lines = [f"{dotted(code)}  {codes.describe(code)}", f"  {status}; {codes.label}"]
    if codes.caveat:
        lines.append(f"  caveat: {codes.caveat}")
    edits = [name for bit, name in _EDIT_NAMES.items() if flags & bit]
    if edits:
        lines.append("  edits: " + "; ".join(edits))
    above = list(reversed(codes.lineage(code)[1:]))  # chapter, block, category, ...
    if above:
        lines.append("  in: " + " > ".join(f"{_label(k)} {codes.describe(k)}".strip() for k in above))
    if not flags & CodeFlag.BILLABLE:
        lines.append("  billable codes below: " + ", ".join(dotted(c) for c in codes.billable_descendants(code, 8)))
    for kind, title in _NOTE_TITLES.items():
        notes = codes.inherited_notes(code, kind)
        if notes:
            lines.append(f"  {title}:")
            lines.extend(f"    - {text}  [{_label(owner)}]" for owner, text in notes)
    partners = codes.exclusion_ranges(code, "excludes1")
    if partners:
        shown = ", ".join(sorted({str(r) for _, r in partners}))
        lines.append(f"  Excludes1 partners (never on the same claim): {shown}")
    return lines


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
        code_set = CodeSets.load(data_dir, years=[fiscal_year(day)]).for_date(day)
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
