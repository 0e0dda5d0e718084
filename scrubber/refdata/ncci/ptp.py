"""Importer for the practitioner PTP edit files (ccipra-v*.txt, or the same table as CSV)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from scrubber.refdata.ncci.records import PtpEdit
from scrubber.refdata.ncci.tables import ImportReport, iter_rows_after_header

_CODE = re.compile(r"^[0-9A-Z]{5}$")
# Header keywords of the CMS layout: Column 1, Column 2, *=in existence prior to 1996,
# Effective Date, Deletion Date *=no data, Modifier 0=not allowed 1=allowed 9=not applicable,
# PTP Edit Rationale.
_HEADER = {
    "column1": ("column 1", "column1"),
    "column2": ("column 2", "column2"),
    "prior": ("prior to 1996",),
    "effective": ("effective",),
    "deletion": ("deletion",),
    "modifier": ("modifier",),
    "rationale": ("rationale",),
}
_NONE_FOUND = (
    "no PTP edit rows found (expected the CMS layout: Column 1, Column 2, "
    "*=in existence prior to 1996, Effective Date, Deletion Date, Modifier, PTP Edit Rationale)"
)


@lru_cache(maxsize=4096)
def _date(value: str) -> dt.date | None:
    """YYYYMMDD, or None for the file's "*" (no data) or a blank. Cached: a table has few dates."""
    if value in ("", "*"):
        return None
    if len(value) != 8 or not value.isdigit():
        raise ValueError(value)
    return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))


def _edit(cells: list[str], columns: dict[str, int]) -> PtpEdit | None:
    """A PtpEdit when the row is a data row, else None."""
    try:
        cells = cells + [""] * (len(_HEADER) - len(cells)) if len(cells) < len(_HEADER) else cells
        column1, column2 = cells[columns["column1"]].upper(), cells[columns["column2"]].upper()
        if not (_CODE.match(column1) and _CODE.match(column2)):
            return None
        prior = cells[columns["prior"]] == "*"
        effective = _date(cells[columns["effective"]]) or (dt.date(1996, 1, 1) if prior else None)
        modifier = int(cells[columns["modifier"]])
        if effective is None or modifier not in (0, 1, 9):
            return None
        deletion = _date(cells[columns["deletion"]])
        return PtpEdit(column1, column2, effective, deletion, modifier, cells[columns["rationale"]], prior)
    except (ValueError, IndexError):
        return None


def parse_ptp(path: Path, report: ImportReport | None = None) -> Iterator[PtpEdit]:
    """Every edit in one PTP file (or in each table of a CMS zip); bad rows go to ``report``."""
    return iter_rows_after_header(path, _HEADER, _edit, report, none_found=_NONE_FOUND)
