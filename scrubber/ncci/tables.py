"""Reading the CMS table files: text or CSV, a preamble, a header row, then data rows.

CMS publishes the practitioner PTP edits as tab-separated text (and spreadsheets users often save
as CSV) and the practitioner MUE table as CSV, each opening with an AMA copyright preamble and a
header row whose cells can span lines. Rows are read with the csv module so quoted cells with
commas or line breaks survive; the header, when found, decides which column is which.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

MAX_REPORTED_BAD_ROWS = 5


class NcciFileError(ValueError):
    """A table file that cannot be imported; the message names the file and the problem."""


@dataclass(slots=True)
class ImportReport:
    """What one file gave: how many rows were read and which rows were not understood."""

    file: str
    rows: int = 0
    bad_rows: int = 0
    bad_examples: list[int] = field(default_factory=list)  # 1-based row numbers

    def reject(self, row_number: int) -> None:
        self.bad_rows += 1
        if len(self.bad_examples) < MAX_REPORTED_BAD_ROWS:
            self.bad_examples.append(row_number)


def read_texts(path: Path) -> Iterator[tuple[str, str]]:
    """(name, text) of a table file, or of each .txt/.csv member when ``path`` is a CMS zip."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    if member.lower().endswith((".txt", ".csv")):
                        yield f"{path.name}:{member}", _decode(archive.read(member))
            return
        yield path.name, _decode(path.read_bytes())
    except FileNotFoundError:
        raise NcciFileError(f"{path}: file not found") from None
    except (OSError, zipfile.BadZipFile) as exc:
        raise NcciFileError(f"{path}: cannot be read ({exc})") from None


def _decode(data: bytes) -> str:
    """CMS files are Windows-1252 text; a UTF-8 BOM is dropped."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(1-based row number, stripped cells); tab-separated when the text has tabs, else CSV."""
    delimiter = "\t" if "\t" in text[:20000] else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for number, cells in enumerate(reader, start=1):
        yield number, [cell.strip() for cell in cells]


def find_columns(cells: list[str], wanted: dict[str, tuple[str, ...]]) -> dict[str, int] | None:
    """Map names to cell positions when every name's keywords appear in some cell, else None."""
    lowered = [" ".join(cell.lower().split()) for cell in cells]
    found: dict[str, int] = {}
    for name, keywords in wanted.items():
        for index, cell in enumerate(lowered):
            if index not in found.values() and any(k in cell for k in keywords):
                found[name] = index
                break
        else:
            return None
    return found
