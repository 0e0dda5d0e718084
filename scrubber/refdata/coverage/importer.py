"""`scrubber policies import`: a CMS "Current Articles" download into the local SQLite store.

The import is streamed: the article table (a few thousand rows) is read first and only its
small fields are kept; every code table is then read row by row straight into SQLite, so a
download of a million code rows costs no more memory than a small one. Only article versions
whose ``status`` is ``A`` are kept; code rows of other versions are skipped and counted.

The new store is written to a temporary file beside the old one and renamed over it only when
complete, so a failed import (bad header, disk full, Ctrl-C) leaves the previous store in use,
and a running check keeps reading the file it opened.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import structlog

from scrubber.refdata.coverage.schema import SCHEMA, SCHEMA_VERSION
from scrubber.refdata.coverage.source import CoverageImportError, Download
from scrubber.refdata.coverage.store import open_store
from scrubber.refdata.coverage.text import (
    code_range,
    day_number,
    icd10_code,
    mentioned_procedures,
    parse_day,
    plain_text,
    procedure_code,
    truthy,
)

log = structlog.get_logger(__name__)

MAX_EXAMPLES = 5
ArticleKey = tuple[int, int]  # (article_id, article_version)


@dataclass(slots=True)
class BadRows:
    """Rows of one table that could not be understood (skipped), with a few line numbers."""

    count: int = 0
    lines: list[int] = field(default_factory=list)

    def add(self, line: int) -> None:
        self.count += 1
        if len(self.lines) < MAX_EXAMPLES:
            self.lines.append(line)


@dataclass(slots=True)
class ImportSummary:
    """What an import kept and skipped."""

    database: Path
    source: str
    articles: int = 0  # articles with at least one current (status A) version
    versions: int = 0  # current versions kept
    not_current: int = 0  # article rows skipped because their status is not A
    procedures: int = 0  # HCPCS/CPT rows stored
    covered: int = 0  # covered ICD-10 rows stored
    noncovered: int = 0  # non-covered ICD-10 rows stored
    groups: int = 0  # ICD-10 groups stored (covered and non-covered)
    linked_groups: int = 0  # groups whose paragraph names the procedures they apply to
    other_versions: int = 0  # code rows of article versions that were not kept
    bad: dict[str, BadRows] = field(default_factory=lambda: defaultdict(BadRows))
    seconds: float = 0.0


def import_download(source: Path, database: Path) -> ImportSummary:
    """Replace the store at ``database`` with the articles of ``source`` (zip or folder)."""
    started = time.perf_counter()
    database.parent.mkdir(parents=True, exist_ok=True)
    temporary = database.with_name(f".{database.name}.{os.getpid()}.tmp")
    summary = ImportSummary(database=database, source=str(source))
    try:
        with Download(source) as download:
            download.check_complete()
            temporary.unlink(missing_ok=True)
            connection = sqlite3.connect(temporary)
            try:
                _Loader(connection, download, summary).run()
                summary.seconds = round(time.perf_counter() - started, 3)
                _write_meta(connection, source, summary)
                connection.commit()
            finally:
                connection.close()
        _fsync(temporary)
        os.replace(temporary, database)
        _fsync_directory(database.parent)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    open_store.cache_clear()  # this process reads the new store from now on
    log.info(
        "coverage.imported",
        database=str(database),
        source=source.name,
        articles=summary.articles,
        versions=summary.versions,
        procedures=summary.procedures,
        covered=summary.covered,
        noncovered=summary.noncovered,
        seconds=summary.seconds,
    )
    return summary


class _Loader:
    """One pass over the tables, in the order the links between them need."""

    def __init__(self, connection: sqlite3.Connection, download: Download, summary: ImportSummary):
        self.db = connection
        self.download = download
        self.summary = summary
        self.articles: dict[ArticleKey, list] = {}
        self._keys: dict[tuple[str, str], ArticleKey | None] = {}  # raw id cells -> kept key or None
        # groups whose paragraph names procedure codes: (key) -> [(covered, group, [(first, last)])]
        self._mentions: dict[ArticleKey, list[tuple[int, int, list[tuple[str, str]]]]] = defaultdict(list)
        self._links: dict[tuple[int, int, int, int], set[str]] = defaultdict(set)

    def run(self) -> None:
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -32768", "locking_mode = EXCLUSIVE"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.executescript(SCHEMA)
        self._read_articles()
        self._read_related()
        self.db.executemany(
            "INSERT INTO article VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            ((*key, *fields[:5], " ".join(fields[5])) for key, fields in self.articles.items()),
        )
        self.summary.versions = len(self.articles)
        self.summary.articles = len({key[0] for key in self.articles})
        self._read_groups(1, "article_x_icd10_covered_group")
        self._read_groups(0, "article_x_icd10_noncovered_group")
        self._read_procedures()
        self._store_links()
        self._read_diagnoses(1, "article_x_icd10_covered")
        self._read_diagnoses(0, "article_x_icd10_noncovered")
        # A code listed under a group that has no paragraph row still belongs to a group.
        for table in ("icd", "icd_range"):
            self.db.execute(
                "INSERT OR IGNORE INTO code_group "
                f"SELECT DISTINCT article_id, version, covered, grp, '', '', NULL FROM {table}"
            )

    def _key(self, article_id: str, version: str) -> ArticleKey | None:
        """The kept article version a code row belongs to, or None (cached per raw cell pair)."""
        raw = (article_id, version)
        try:
            return self._keys[raw]
        except KeyError:
            pass
        try:
            key: ArticleKey | None = (int(article_id), int(version))
        except ValueError:
            key = None
        if key not in self.articles:
            key = None
        self._keys[raw] = key
        return key

    def _read_articles(self) -> None:
        bad = self.summary.bad
        for line, cells in self.download.rows("article"):
            article_id, version, kind, title, effective, end, status, retired, display = cells
            if status.strip().upper() != "A":
                self.summary.not_current += 1
                continue
            try:
                key = (int(article_id), int(version))
                start = parse_day(effective)
                ends = [d for d in (parse_day(end), parse_day(retired)) if d is not None]
            except ValueError:
                bad["article"].add(line)
                continue
            display = display.strip().upper() or f"A{key[0]}"
            if display.isdigit():
                display = f"A{display}"
            last = min(ends) if ends else None
            self.articles[key] = [display, plain_text(title), kind.strip(), day_number(start), day_number(last), []]
        if not self.articles:
            raise CoverageImportError(f"{self.download.where('article')}: no current (status A) article in it")

    def _read_related(self) -> None:
        for _, (article_id, version, lcd_id) in self.download.rows("article_related_documents"):
            key = self._key(article_id, version)
            lcd = lcd_id.strip().upper()
            if key is None or lcd in ("", "0"):
                continue
            lcd = lcd if lcd.startswith("L") else f"L{lcd}"
            lcds = self.articles[key][5]
            if lcd not in lcds:
                lcds.append(lcd)

    def _read_groups(self, covered: int, table: str) -> None:
        rows: list[tuple] = []
        for line, cells in self.download.rows(table):
            key = self._key(cells[0], cells[1])
            if key is None:
                continue
            try:
                group = int(cells[2] or 0)
            except ValueError:
                self.summary.bad[table].add(line)
                continue
            paragraph = plain_text(cells[3])
            note = plain_text(cells[4]) if covered else ""
            rows.append((*key, covered, group, paragraph, note, None))
            mentions = mentioned_procedures(paragraph)
            if mentions:
                self._mentions[key].append((covered, group, mentions))
        self.db.executemany("INSERT OR REPLACE INTO code_group VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        self.summary.groups += len(rows)

    def _read_procedures(self) -> None:
        ranges: list[tuple] = []
        table = "article_x_hcpc_code"

        def stored() -> Iterator[tuple]:
            for line, (article_id, version, code, group) in self.download.rows(table):
                key = self._key(article_id, version)
                if key is None:
                    self.summary.other_versions += 1
                    continue
                code = procedure_code(code)
                try:
                    number = int(group or 0)
                except ValueError:
                    number = -1
                if not code or number < 0:
                    self.summary.bad[table].add(line)
                    continue
                span = code_range(code)
                if span is not None:
                    ranges.append((*span, *key, number))
                    continue
                for covered, grp, mentions in self._mentions.get(key, ()):
                    if any(first <= code <= last and len(code) == len(first) for first, last in mentions):
                        self._links[(*key, covered, grp)].add(code)
                self.summary.procedures += 1
                yield (code, *key, number)

        self.db.executemany("INSERT OR IGNORE INTO hcpc VALUES (?, ?, ?, ?)", stored())
        self.db.executemany("INSERT INTO hcpc_range VALUES (?, ?, ?, ?, ?)", ranges)
        self.summary.procedures += len(ranges)

    def _store_links(self) -> None:
        """A group whose paragraph names procedures the article lists applies to those only."""
        self.db.executemany(
            "UPDATE code_group SET procedures = ? WHERE article_id = ? AND version = ? AND covered = ? AND grp = ?",
            ((" ".join(sorted(codes)), *where) for where, codes in self._links.items()),
        )
        self.summary.linked_groups = len(self._links)
        self._mentions.clear()

    def _read_diagnoses(self, covered: int, table: str) -> None:
        ranges: list[tuple] = []
        bad = self.summary.bad[table]
        counted = 0

        def stored() -> Iterator[tuple]:
            nonlocal counted
            for line, cells in self.download.rows(table):
                key = self._key(cells[0], cells[1])
                if key is None:
                    self.summary.other_versions += 1
                    continue
                asterisk = int(truthy(cells[4])) if covered else 0
                try:
                    group = int(cells[3] or 0)
                except ValueError:
                    bad.add(line)
                    continue
                raw = cells[2]
                span = code_range(raw)
                if span is not None:
                    first, last = icd10_code(span[0]), icd10_code(span[1])
                    if first is None or last is None or last < first:
                        bad.add(line)
                    else:
                        ranges.append((*key, first, last, covered, group, asterisk))
                    continue
                code = icd10_code(raw)
                if code is None:
                    bad.add(line)
                    continue
                counted += 1
                yield (*key, code, covered, group, asterisk)

        self.db.executemany("INSERT OR IGNORE INTO icd VALUES (?, ?, ?, ?, ?, ?)", stored())
        self.db.executemany("INSERT INTO icd_range VALUES (?, ?, ?, ?, ?, ?, ?)", ranges)
        if covered:
            self.summary.covered = counted + len(ranges)
        else:
            self.summary.noncovered = counted + len(ranges)


def _write_meta(connection: sqlite3.Connection, source: Path, summary: ImportSummary) -> None:
    span = connection.execute("SELECT min(effective), max(coalesce(last_day, 0)) FROM article").fetchone()
    meta = {
        "schema": SCHEMA_VERSION,
        "source": source.name,
        "source_path": str(source.resolve()),
        "imported": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "counts": json.dumps(
            {
                "articles": summary.articles,
                "versions": summary.versions,
                "not_current": summary.not_current,
                "procedures": summary.procedures,
                "covered": summary.covered,
                "noncovered": summary.noncovered,
                "groups": summary.groups,
                "linked_groups": summary.linked_groups,
                "other_versions": summary.other_versions,
                "bad_rows": {table: rows.count for table, rows in summary.bad.items() if rows.count},
                "earliest_effective": span[0],
                "seconds": summary.seconds,
            }
        ),
    }
    connection.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta.items())


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_directory(path: Path) -> None:
    """Make the rename durable (a power cut after it must not bring the old file back)."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
