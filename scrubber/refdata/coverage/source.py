"""Reading the CMS "Current Articles" download: the outer zip, the inner CSV zip or a folder.

CMS publishes ``current_article.zip``, which holds ``current_article_csv.zip``, which holds one
CSV per table. Users may hand us any of the three levels (or a folder they unzipped into), so the
tables are found by file name wherever they sit. Rows are streamed straight out of the archive
through the csv module (quoted cells with commas and line breaks survive; a UTF-8 byte order
mark is dropped; bytes that are not UTF-8 are read as Windows-1252), so memory does not grow
with the table. A header is checked before the first row: a missing column is one line naming
the file and the column.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import operator
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

# The tables and their headers, as CMS writes them (issue 16; the last two as public importers
# read them). Only the columns in REQUIRED are read; the others may change without harm.
CMS_HEADERS: dict[str, tuple[str, ...]] = {
    "article": (
        "article_id", "article_version", "article_type", "title", "article_pub_date", "article_eff_date",
        "article_end_date", "description", "other_comments", "sad_url", "status", "last_updated", "history_exp",
        "key_article", "icd9_covered_para", "icd9_noncovered_para", "revenue_para", "thirty_percent",
        "article_rev_end_date", "source_article_id", "date_retired", "keywords", "icd10_doc", "add_icd10_info",
        "cms_cov_policy", "display_id", "reference_article",
    ),
    "article_x_hcpc_code": (
        "article_id", "article_version", "hcpc_code_id", "hcpc_code_version", "hcpc_code_group", "range",
        "last_updated", "long_description", "short_description",
    ),
    "article_x_hcpc_code_group": ("article_id", "article_version", "hcpc_code_group", "paragraph", "last_updated"),
    "article_x_icd10_covered": (
        "article_id", "article_version", "icd10_code_id", "icd10_code_version", "icd10_covered_group", "range",
        "last_updated", "sort_order", "description", "asterisk",
    ),
    "article_x_icd10_covered_group": (
        "article_id", "article_version", "icd10_covered_group", "paragraph", "last_updated", "icd10_covered_ast",
    ),
    "article_x_icd10_noncovered": (
        "article_id", "article_version", "icd10_code_id", "icd10_code_version", "icd10_noncovered_group", "range",
        "last_updated", "sort_order", "description",
    ),
    "article_x_icd10_noncovered_group": (
        "article_id", "article_version", "icd10_noncovered_group", "paragraph", "last_updated",
    ),
    "article_x_contractor": (
        "article_id", "article_version", "contractor_id", "contractor_type_id", "contractor_version", "last_updated",
    ),
    "article_related_documents": (
        "article_id", "article_version", "r_article_id", "r_article_version", "r_lcd_id", "r_lcd_version",
        "r_contractor_id", "last_updated",
    ),
}  # fmt: skip

REQUIRED: dict[str, tuple[str, ...]] = {
    "article": (
        "article_id", "article_version", "article_type", "title", "article_eff_date", "article_end_date",
        "status", "date_retired", "display_id",
    ),
    "article_x_hcpc_code": ("article_id", "article_version", "hcpc_code_id", "hcpc_code_group"),
    "article_x_icd10_covered": ("article_id", "article_version", "icd10_code_id", "icd10_covered_group", "asterisk"),
    "article_x_icd10_covered_group": ("article_id", "article_version", "icd10_covered_group", "paragraph",
                                      "icd10_covered_ast"),
    "article_x_icd10_noncovered": ("article_id", "article_version", "icd10_code_id", "icd10_noncovered_group"),
    "article_x_icd10_noncovered_group": ("article_id", "article_version", "icd10_noncovered_group", "paragraph"),
    "article_related_documents": ("article_id", "article_version", "r_lcd_id"),
}  # fmt: skip

INNER_ZIP = "current_article_csv.zip"
FIELD_LIMIT = 64 << 20  # article descriptions are long HTML; the csv default (128 KiB) is too small


class CoverageImportError(ValueError):
    """A download that cannot be imported; ``str()`` is one line naming the file (and column)."""


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Decode the bytes that are not UTF-8 as Windows-1252, which older CMS extracts use."""
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    return bytes(bad).decode("cp1252", errors="replace"), error.end


codecs.register_error("scrubber-cp1252", _cp1252_fallback)


class Download:
    """The tables of one download, opened as a context manager: ``with Download(path) as d: d.rows(...)``."""

    def __init__(self, path: Path):
        self.path = path
        self._stack = contextlib.ExitStack()
        self._members: dict[str, Callable[[], IO[bytes]]] = {}
        self._where: dict[str, str] = {}

    def __enter__(self) -> Download:
        if csv.field_size_limit() < FIELD_LIMIT:  # process-wide, so set when an import starts, not on import
            csv.field_size_limit(FIELD_LIMIT)
        try:
            self._open(self.path)
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def _open(self, path: Path) -> None:
        if path.is_dir():
            self._add_folder(path)
            return
        if not path.exists():
            raise CoverageImportError(f"{path}: not found")
        if not zipfile.is_zipfile(path):
            raise CoverageImportError(f"{path}: not a zip file or a folder of the CMS article CSV files")
        self._add_zip(path, path.name)

    def _add_folder(self, folder: Path) -> None:
        for table in CMS_HEADERS:
            found = sorted(folder.rglob(f"{table}.csv")) or sorted(
                p for p in folder.rglob("*") if p.name.lower() == f"{table}.csv"
            )
            if found:
                self._members[table] = lambda p=found[0]: p.open("rb")
                self._where[table] = str(found[0])
        if "article" not in self._members:
            inner = sorted(folder.rglob("*.zip"))
            if inner:
                self._add_zip(inner[0], str(inner[0]))

    def _add_zip(self, path: Path, label: str) -> None:
        try:
            archive = self._stack.enter_context(zipfile.ZipFile(path))
            by_name = {Path(name).name.lower(): name for name in archive.namelist() if not name.endswith("/")}
            for table in CMS_HEADERS:
                member = by_name.get(f"{table}.csv")
                if member is not None:
                    self._members[table] = lambda m=member: archive.open(m)
                    self._where[table] = f"{label}:{member}"
            if "article" in self._members:
                return
            nested = by_name.get(INNER_ZIP) or next((n for k, n in by_name.items() if k.endswith(".zip")), None)
            if nested is None:
                return
            # A member of a zip cannot be opened as a zip without seeking through it again and
            # again; copy it out (streamed) to a scratch file that goes when the import ends.
            scratch = Path(self._stack.enter_context(tempfile.TemporaryDirectory(prefix="scrubber-coverage-")))
            inner = scratch / Path(nested).name
            with archive.open(nested) as source, inner.open("wb") as target:
                shutil.copyfileobj(source, target, 1 << 20)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError) as exc:
            raise CoverageImportError(f"{label}: cannot be read ({exc})") from None
        if not zipfile.is_zipfile(inner):
            raise CoverageImportError(f"{label}:{nested}: not a zip file")
        self._add_zip(inner, f"{label}:{nested}")

    def where(self, table: str) -> str:
        """The file a table comes from, for messages (``current_article.zip:...:article.csv``)."""
        return self._where.get(table, f"{table}.csv")

    def check_complete(self) -> None:
        """Every table the importer reads is present with the columns it reads, checked before any
        row is read: a download that would fail half-way fails at once, naming the file and column."""
        for table in REQUIRED:
            if table not in self._members:
                raise CoverageImportError(
                    f"{self.path}: no {table}.csv in it (expected the CMS Medicare Coverage Database "
                    f"'Current Articles' download: current_article.zip, {INNER_ZIP} or a folder of its CSV files)"
                )
        for table in REQUIRED:
            for _ in self.rows(table, header_only=True):
                pass

    def rows(self, table: str, *, header_only: bool = False) -> Iterator[tuple[int, tuple[str, ...]]]:
        """(line number, the REQUIRED cells of ``table`` in that order) for each data row, streamed."""
        where = self.where(table)
        wanted = REQUIRED[table]
        line = 0
        try:
            with self._members[table]() as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="scrubber-cp1252", newline="")
                reader = csv.reader(text)
                header = next(reader, None)
                if header is None:
                    raise CoverageImportError(f"{where}: empty file (no header row)")
                pick = _picker(where, header, wanted)
                if header_only:
                    return
                width = max(pick.indices) + 1
                for cells in reader:
                    line = reader.line_num
                    if len(cells) < width:
                        if not any(c.strip() for c in cells):
                            continue  # a blank line
                        cells = cells + [""] * (width - len(cells))
                    yield line, pick(cells)
        except csv.Error as exc:
            raise CoverageImportError(f"{where}: not readable as CSV near line {line + 1}: {exc}") from None
        except (OSError, zipfile.BadZipFile, EOFError) as exc:
            raise CoverageImportError(f"{where}: cannot be read ({exc})") from None


class _Picker:
    """Picks the wanted cells of a row, in the wanted order, always as a tuple."""

    __slots__ = ("_get", "indices")

    def __init__(self, indices: list[int]):
        self.indices = indices
        self._get = operator.itemgetter(*indices)

    def __call__(self, cells: list[str]) -> tuple[str, ...]:
        return self._get(cells)


def _picker(where: str, header: list[str], wanted: tuple[str, ...]) -> _Picker:
    names = [cell.strip().strip('"').lower() for cell in header]
    indices: list[int] = []
    for column in wanted:
        if column not in names:
            shown = ", ".join(n for n in names if n) or "(none)"
            raise CoverageImportError(f"{where}: the header has no column {column!r} (found: {shown})")
        indices.append(names.index(column))
    return _Picker(indices)
