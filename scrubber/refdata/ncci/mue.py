"""Importer for the practitioner MUE table (MCR_MUE_PractitionerServices_*.csv)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from scrubber.refdata.ncci.records import MueEdit
from scrubber.refdata.ncci.tables import ImportReport, NcciFileError, iter_rows_after_header

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
_NONE_FOUND = (
    "no MUE rows found (expected the CMS layout: HCPCS/CPT Code, Practitioner "
    "Services MUE Values, MUE Adjudication Indicator, MUE Rationale)"
)
_OTHER_SETTINGS = ("outpatient hospital", "dme supplier", "facility")


def _edit(cells: list[str], columns: dict[str, int]) -> MueEdit | None:
    get = {name: cells[index] if index < len(cells) else "" for name, index in columns.items()}
    code, value, mai = get["code"].upper(), get["value"], get["mai"][:1]
    if not _CODE.match(code) or not (value.isascii() and value.isdigit()) or mai not in ("1", "2", "3"):
        return None
    return MueEdit(code, int(value), int(mai), get["rationale"])


def _check_setting(name: str, cells: list[str], columns: dict[str, int]) -> None:
    """Refuse the MUE tables of the other settings: their header names the setting."""
    setting = cells[columns["value"]].lower()
    if any(other in setting for other in _OTHER_SETTINGS):
        raise NcciFileError(
            f"{name}: this is the {cells[columns['value']]!r} table; an 837P is checked "
            "against the Practitioner Services MUE table"
        )


def parse_mue(path: Path, report: ImportReport | None = None) -> Iterator[MueEdit]:
    """Every MUE in one practitioner table (or each table in a CMS zip); bad rows to ``report``."""
    return iter_rows_after_header(path, _HEADER, _edit, report, none_found=_NONE_FOUND, check_header=_check_setting)
