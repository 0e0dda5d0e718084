"""Made-up downloads in the exact CMS "Current Articles" layout, for tests and the benchmark.

Every id, title, paragraph and code list here is invented (the code numbers are bare numbers; no
CPT description is written). The writer streams: each table goes to its own CSV file as articles
come in, so a download of a million code rows is written in constant memory, then zipped the way
CMS ships it (``current_article.zip`` holding ``current_article_csv.zip``), or zipped once, or
left as a folder.
"""

from __future__ import annotations

import contextlib
import csv
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from scrubber.refdata.coverage.source import CMS_HEADERS, INNER_ZIP

Layout = Literal["outer", "inner", "folder"]
STAMP = "2025-11-20 10:00:00.000000"


@dataclass
class MadeUpArticle:
    """One article version. Codes ending in ``*`` are written with the asterisk flag set."""

    article_id: int
    version: int = 1
    title: str = "Billing and Coding: Made-Up Imaging Services"
    status: str = "A"
    effective: str = "2020-01-01"
    end: str = ""
    retired: str = ""
    display_id: str | None = None  # default "A<article_id>"
    lcd: str = ""  # r_lcd_id, e.g. "39001"
    procedures: dict[int, list[str]] = field(default_factory=dict)  # HCPCS group -> codes
    procedure_paragraphs: dict[int, str] = field(default_factory=dict)
    covered: dict[int, list[str]] = field(default_factory=dict)  # ICD-10 covered group -> codes
    covered_paragraphs: dict[int, str] = field(default_factory=dict)
    asterisk_notes: dict[int, str] = field(default_factory=dict)
    noncovered: dict[int, list[str]] = field(default_factory=dict)
    noncovered_paragraphs: dict[int, str] = field(default_factory=dict)


class _Tables:
    """One open CSV writer per table, in a folder."""

    def __init__(self, folder: Path, bom: bool, headers: dict[str, tuple[str, ...]]):
        self._stack = contextlib.ExitStack()
        self.writers = {}
        for table, header in headers.items():
            handle = self._stack.enter_context(
                (folder / f"{table}.csv").open("w", encoding="utf-8-sig" if bom else "utf-8", newline="")
            )
            writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
            writer.writerow(header)
            self.writers[table] = writer

    def close(self) -> None:
        self._stack.close()


def _rows(article: MadeUpArticle) -> Iterable[tuple[str, list[object]]]:
    """(table, row) pairs for one article, every column of the CMS header filled."""
    a, v = article.article_id, article.version
    display = article.display_id if article.display_id is not None else f"A{a}"
    yield "article", [
        a, v, 1, article.title, article.effective, article.effective, article.end,
        "<p>Made-up article text.</p>\r\n<p>Second paragraph, with a comma, and \"quotes\".</p>", "", "",
        article.status, STAMP, "<p>Made-up history.</p>", "N", "", "", "", "N", article.end, "",
        article.retired, "made-up", "Y", "", "", display, "N",
    ]  # fmt: skip
    if article.lcd:
        yield "article_related_documents", [a, v, "", "", article.lcd, 3, "", STAMP]
    yield "article_x_contractor", [a, v, 100 + a % 7, 1, 1, STAMP]
    for group, codes in article.procedures.items():
        paragraph = article.procedure_paragraphs.get(group, f"<p>Group {group} Paragraph: N/A</p>")
        yield "article_x_hcpc_code_group", [a, v, group, paragraph, STAMP]
        for code in codes:
            yield "article_x_hcpc_code", [a, v, code, 1, group, "N", STAMP, "Made-up long text", "Made-up"]
    for group, codes in article.covered.items():
        paragraph = article.covered_paragraphs.get(group, f"<p>Group {group} Paragraph:</p><p>Covered codes.</p>")
        yield "article_x_icd10_covered_group", [a, v, group, paragraph, STAMP, article.asterisk_notes.get(group, "")]
        for order, code in enumerate(codes, start=1):
            flag = "Y" if code.endswith("*") else ""
            yield "article_x_icd10_covered", [a, v, code.rstrip("*"), 1, group, "", STAMP, order, "Made-up", flag]
    for group, codes in article.noncovered.items():
        paragraph = article.noncovered_paragraphs.get(group, f"<p>Group {group} Paragraph: not covered.</p>")
        yield "article_x_icd10_noncovered_group", [a, v, group, paragraph, STAMP]
        for order, code in enumerate(codes, start=1):
            yield "article_x_icd10_noncovered", [a, v, code, 1, group, "", STAMP, order, "Made-up"]


def write_download(
    articles: Iterable[MadeUpArticle],
    target: Path,
    *,
    layout: Layout = "outer",
    bom: bool = False,
    omit: Iterable[str] = (),
    rename: dict[tuple[str, str], str] | None = None,
) -> Path:
    """Write ``articles`` as a CMS download at ``target`` (a zip, or a folder for ``layout="folder"``).

    ``omit`` leaves tables out and ``rename`` changes header cells ((table, column) -> new name),
    so tests can make broken downloads.
    """
    omitted = set(omit)
    headers = {
        table: tuple((rename or {}).get((table, column), column) for column in header)
        for table, header in CMS_HEADERS.items()
        if table not in omitted
    }
    with tempfile.TemporaryDirectory(prefix="made-up-download-") as scratch:
        folder = target if layout == "folder" else Path(scratch) / "csv"
        folder.mkdir(parents=True, exist_ok=True)
        tables = _Tables(folder, bom, headers)
        try:
            for article in articles:
                for table, row in _rows(article):
                    writer = tables.writers.get(table)
                    if writer is not None:
                        writer.writerow(row)
        finally:
            tables.close()
        if layout == "folder":
            return target
        inner = target if layout == "inner" else Path(scratch) / INNER_ZIP
        with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for table in headers:
                archive.write(folder / f"{table}.csv", f"{table}.csv")
        if layout == "outer":
            with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as archive:
                archive.write(inner, INNER_ZIP)
                archive.writestr("current_article_readme.txt", "Made-up download for scrubber tests.\r\n")
        shutil.rmtree(folder, ignore_errors=True)
    return target
