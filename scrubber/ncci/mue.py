"""Importer for the practitioner MUE table (MCR_MUE_PractitionerServices_*.csv)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from scrubber.ncci.records import MueEdit
from scrubber.ncci.tables import ImportReport, NcciFileError, find_columns, read_texts, rows

_CODE = re.compile(r"^[0-9A-Z]{5}$")
# Header of the CMS layout: HCPCS/CPT Code, Practitioner Services MUE Values,
# MUE Adjudication Indicator, MUE Rationale. The indicator cell reads "2 Date of Service Edit:
# Policy"; its leading digit is the indicator.
_HEADER = {
    "code": ("hcpcs", "cpt code"),
    "value": ("mue value",),
    "mai": ("adjudication indicator",),
    "rationale": ("rationale",),
}
_DEFAULT_COLUMNS = {name: index for index, name in enumerate(_HEADER)}
_OTHER_SETTINGS = ("outpatient hospital", "dme supplier", "facility")


def _edit(cells: list[str], columns: dict[str, int]) -> MueEdit | None:
    get = {name: cells[index] if index < len(cells) else "" for name, index in columns.items()}
    code, value, mai = get["code"].upper(), get["value"], get["mai"][:1]
    if not _CODE.match(code) or not value.isdigit() or mai not in ("1", "2", "3"):
        return None
    return MueEdit(code, int(value), int(mai), get["rationale"])


def parse_mue(path: Path, report: ImportReport | None = None) -> Iterator[MueEdit]:
    """Every MUE in one practitioner table (or each table in a CMS zip); bad rows to ``report``."""
    found_any = False
    for name, text in read_texts(path):
        report = report or ImportReport(file=name)
        columns: dict[str, int] | None = None
        started = False
        for number, cells in rows(text):
            if not any(cells):
                continue
            if not started and columns is None:
                columns = find_columns(cells, _HEADER)
                if columns is not None:
                    setting = cells[columns["value"]].lower()
                    if any(other in setting for other in _OTHER_SETTINGS):
                        raise NcciFileError(
                            f"{name}: this is the {cells[columns['value']]!r} table; an 837P is checked "
                            "against the Practitioner Services MUE table"
                        )
                    continue
            edit = _edit(cells, columns or _DEFAULT_COLUMNS)
            if edit is None:
                if started:
                    report.reject(number)
                continue
            started = found_any = True
            report.rows += 1
            yield edit
    if not found_any:
        raise NcciFileError(
            f"{path}: no MUE rows found (expected the CMS layout: HCPCS/CPT Code, Practitioner "
            "Services MUE Values, MUE Adjudication Indicator, MUE Rationale)"
        )
