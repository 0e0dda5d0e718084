"""Imported NCCI tables, kept in one local SQLite file and opened once per process.

The practitioner PTP table has millions of rows; SQLite keeps it compact on disk, needs no
unpickling, and answers a pair lookup through an index without loading the table into memory.
Imports replace a table inside one transaction, so a sweep reading the file mid-import sees the
old table or the new one, never half of each.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TypeVar

import structlog

from scrubber.refdata.ncci.mue import parse_mue
from scrubber.refdata.ncci.ptp import parse_ptp
from scrubber.refdata.ncci.records import MueEdit, PtpEdit
from scrubber.refdata.ncci.tables import ImportReport, NcciFileError

log = structlog.get_logger(__name__)

_Edit = TypeVar("_Edit", PtpEdit, MueEdit)

SCHEMA_VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rationale (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS ptp (
    column1 TEXT NOT NULL, column2 TEXT NOT NULL, effective INTEGER NOT NULL,
    deletion INTEGER, modifier INTEGER NOT NULL, prior_1996 INTEGER NOT NULL, rationale INTEGER,
    PRIMARY KEY (column1, column2, effective)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS mue (
    code TEXT PRIMARY KEY, value INTEGER NOT NULL, mai INTEGER NOT NULL, rationale INTEGER
) WITHOUT ROWID;
"""


def default_database_path() -> Path:
    """``$XDG_DATA_HOME/scrubber/ncci.sqlite3`` (``~/.local/share`` when the variable is unset)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "scrubber" / "ncci.sqlite3"


def _day(value: dt.date | None) -> int | None:
    return None if value is None else value.year * 10000 + value.month * 100 + value.day


def _date(value: int | None) -> dt.date | None:
    return None if value is None else dt.date(value // 10000, value // 100 % 100, value % 100)


@dataclass(slots=True)
class ImportSummary:
    """What an import wrote, per table, with the files' reports."""

    database: Path
    ptp_rows: int | None  # None when the table was not replaced
    mue_rows: int | None
    reports: list[ImportReport]


def import_tables(database: Path, ptp_files: Sequence[Path] = (), mue_files: Sequence[Path] = ()) -> ImportSummary:
    """Replace the PTP table with ``ptp_files`` and/or the MUE table with ``mue_files``."""
    if not ptp_files and not mue_files:
        raise NcciFileError("nothing to import: give --ptp and/or --mue files")
    database.parent.mkdir(parents=True, exist_ok=True)
    reports: list[ImportReport] = []
    connection = sqlite3.connect(database)
    try:
        connection.executescript(_SCHEMA)
        with connection:  # one transaction: all or nothing
            ptp_rows = (
                _replace_table(connection, "ptp", 7, ptp_files, reports, parse_ptp, _ptp_row) if ptp_files else None
            )
            mue_rows = (
                _replace_table(connection, "mue", 4, mue_files, reports, parse_mue, _mue_row) if mue_files else None
            )
            stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            meta = {"schema": SCHEMA_VERSION}
            if ptp_files:
                meta |= {"ptp_files": json.dumps([p.name for p in ptp_files]), "ptp_imported": stamp}
            if mue_files:
                meta |= {"mue_files": json.dumps([p.name for p in mue_files]), "mue_imported": stamp}
            connection.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta.items())
        connection.execute("VACUUM")
    finally:
        connection.close()
    open_tables.cache_clear()
    log.info("ncci.imported", database=str(database), ptp_rows=ptp_rows, mue_rows=mue_rows)
    return ImportSummary(database, ptp_rows, mue_rows, reports)


def _rationale_ids(connection: sqlite3.Connection) -> dict[str, int]:
    return {text: rid for rid, text in connection.execute("SELECT id, text FROM rationale")}


def _rationale(connection: sqlite3.Connection, known: dict[str, int], text: str) -> int | None:
    """Rationales repeat across millions of rows: store each text once."""
    if not text:
        return None
    if text not in known:
        known[text] = connection.execute("INSERT INTO rationale (text) VALUES (?)", (text,)).lastrowid or 0
    return known[text]


def _ptp_row(e: PtpEdit, rationale: int | None) -> tuple[object, ...]:
    return (e.column1, e.column2, _day(e.effective), _day(e.deletion), e.modifier, int(e.prior_1996), rationale)


def _mue_row(e: MueEdit, rationale: int | None) -> tuple[object, ...]:
    return (e.code, e.value, e.mai, rationale)


def _replace_table(
    connection: sqlite3.Connection,
    table: str,
    width: int,
    files: Iterable[Path],
    reports: list[ImportReport],
    parse: Callable[[Path, ImportReport], Iterable[_Edit]],
    row: Callable[[_Edit, int | None], tuple[object, ...]],
) -> int:
    """Replace ``table`` (``width`` columns) with the records ``parse`` reads from ``files``, each
    stored as ``row(record, rationale id)``; the table's row count."""
    connection.execute(f"DELETE FROM {table}")
    known = _rationale_ids(connection)
    insert = f"INSERT OR REPLACE INTO {table} VALUES ({', '.join('?' * width)})"
    for path in files:
        report = ImportReport(file=str(path))
        reports.append(report)
        connection.executemany(
            insert, (row(e, _rationale(connection, known, e.rationale)) for e in parse(path, report))
        )
    return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


class NcciTables:
    """Read-only lookups over an imported database.

    The small tables (metadata, rationales) are read at once; lookups go through a connection
    opened in the process that makes them, because SQLite connections must not cross a fork
    (``scrubber check --jobs`` forks workers after loading reference data).
    """

    def __init__(self, database: Path):
        if not database.is_file():
            raise NcciFileError(f"{database}: no imported NCCI tables (run `scrubber ncci import`)")
        self.database = database
        self._uri = f"{database.resolve().as_uri()}?mode=ro"
        self._connection_pid = 0
        self._open: sqlite3.Connection | None = None
        with contextlib.closing(sqlite3.connect(self._uri, uri=True)) as connection:
            self.meta = dict(connection.execute("SELECT key, value FROM meta"))
            self._rationales = dict(connection.execute("SELECT id, text FROM rationale"))
        self.ptp_edits = lru_cache(maxsize=65536)(self._ptp_edits)
        self.mue = lru_cache(maxsize=16384)(self._mue)

    @property
    def _connection(self) -> sqlite3.Connection:
        """This process's connection (a forked child opens its own on first use)."""
        if self._open is None or self._connection_pid != os.getpid():
            self._open = sqlite3.connect(self._uri, uri=True, check_same_thread=False)
            self._connection_pid = os.getpid()
        return self._open

    def _ptp_edits(self, column1: str, column2: str) -> tuple[PtpEdit, ...]:
        """Every edit (all effective periods) with ``column1`` in column 1 and ``column2`` in column 2."""
        found = self._connection.execute(
            "SELECT effective, deletion, modifier, prior_1996, rationale FROM ptp WHERE column1 = ? AND column2 = ?",
            (column1, column2),
        )
        return tuple(
            PtpEdit(
                column1, column2, _date(eff) or dt.date.min, _date(dele), mod, self._rationales.get(rid, ""), bool(p)
            )
            for eff, dele, mod, p, rid in found
        )

    def _mue(self, code: str) -> MueEdit | None:
        row = self._connection.execute("SELECT value, mai, rationale FROM mue WHERE code = ?", (code,)).fetchone()
        return None if row is None else MueEdit(code, row[0], row[1], self._rationales.get(row[2], ""))

    def describe(self) -> str:
        """Which files the tables came from, for references in findings."""
        ptp = ", ".join(json.loads(self.meta.get("ptp_files", "[]"))) or "none"
        mue = ", ".join(json.loads(self.meta.get("mue_files", "[]"))) or "none"
        return f"PTP: {ptp}; MUE: {mue}"


@cache
def open_tables(database: Path) -> NcciTables:
    """The tables at ``database``, opened once per process."""
    return NcciTables(database)
