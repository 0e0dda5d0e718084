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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from scrubber.errors import SetupError

MAX_REPORTED_BAD_ROWS = 5

T = TypeVar("T")


class NcciFileError(SetupError):
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


def iter_rows_after_header(
    path: Path,
    header: dict[str, tuple[str, ...]],
    parse_row: Callable[[list[str], dict[str, int]], T | None],
    report: ImportReport | None,
    *,
    none_found: str,
    check_header: Callable[[str, list[str], dict[str, int]], None] | None = None,
) -> Iterator[T]:
    """What ``parse_row`` makes of each data row of the table file (or of each table in a CMS zip).

    Blank rows are skipped. Until the first data row, a row naming every ``header`` column is taken
    as the header (``check_header(file name, cells, columns)`` may refuse it by raising); without
    one, columns stand in ``header`` order. Rows ``parse_row`` refuses before the first data row are
    preamble; after it they are counted in ``report`` as bad rows. ``NcciFileError`` with
    ``"{path}: {none_found}"`` when no file gave a data row.
    """
    default_columns = {name: index for index, name in enumerate(header)}
    found_any = False
    for name, text in read_texts(path):
        report = report or ImportReport(file=name)
        columns: dict[str, int] | None = None
        started = False
        for number, cells in rows(text):
            if not any(cells):
                continue
            if not started and columns is None:
                columns = find_columns(cells, header)
                if columns is not None:
                    if check_header is not None:
                        check_header(name, cells, columns)
                    continue  # the header row itself
            item = parse_row(cells, columns or default_columns)
            if item is None:
                if started:
                    report.reject(number)
                continue  # preamble or a header continuation line
            started = found_any = True
            report.rows += 1
            yield item
    if not found_any:
        raise NcciFileError(f"{path}: {none_found}")
