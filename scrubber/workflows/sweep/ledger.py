"""The sweep's memory: one SQLite row per file it ever claimed, and the interchanges it carried.

The ledger is what makes a sweep idempotent and crash-safe. A row is written (and committed)
*before* its file is moved, and its state follows every later step, so a run that was killed
finds the exact point to finish or roll back from:

    claimed   -> row exists; the file is in processing/ if the move happened, else still in the inbox
                 (reports may be half done: they are redone)
    finishing -> outcome and reports are recorded, the move to the final folder may be pending
    done      -> the file is in accepted/, rejected/, failed/ or duplicates/ (durably)

sha256 of every processed file finds duplicates; (ISA06 sender, ISA13) pairs find reused
interchange control numbers. Rows hold file names, hashes, control numbers and counts, no PHI.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

SCHEMA_VERSION = 1
PROCESSED = ("accepted", "rejected", "failed")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    original_name TEXT NOT NULL,
    base_name TEXT NOT NULL UNIQUE,      -- its name in the outbox folders (original, or name~N)
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    state TEXT NOT NULL,                 -- claimed | finishing | done
    outcome TEXT,                        -- accepted | rejected | failed | duplicate
    sha256 TEXT,
    claimed_at TEXT NOT NULL,            -- ISO 8601 UTC
    finished_at TEXT,
    final_path TEXT,                     -- relative to the outbox
    reports TEXT NOT NULL DEFAULT '[]',  -- JSON list of paths relative to the outbox
    duplicate_of INTEGER REFERENCES files(id),
    claims INTEGER,
    accepted INTEGER,
    rejected INTEGER,
    flags TEXT NOT NULL DEFAULT '[]',    -- JSON list, e.g. ["isa13-reused"]
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS files_sha256 ON files(sha256);
CREATE INDEX IF NOT EXISTS files_state ON files(state);
CREATE TABLE IF NOT EXISTS interchanges (
    file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    sender_id TEXT NOT NULL,             -- ISA06, trimmed
    isa13 TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (file_id, sender_id, isa13)
);
CREATE INDEX IF NOT EXISTS interchanges_control ON interchanges(sender_id, isa13, seen_at);
"""


def iso(moment: float) -> str:
    """Fixed-width UTC timestamps, so that comparing the strings compares the times."""
    return dt.datetime.fromtimestamp(moment, dt.UTC).isoformat(timespec="microseconds")


@dataclass
class Entry:
    """One ledger row."""

    id: int
    original_name: str
    base_name: str
    size: int
    mtime_ns: int
    state: str
    outcome: str | None = None
    sha256: str | None = None
    claimed_at: str = ""
    finished_at: str | None = None
    final_path: str | None = None
    reports: list[str] = field(default_factory=list)
    duplicate_of: int | None = None
    flags: list[str] = field(default_factory=list)
    note: str = ""


@dataclass
class Result:
    """What processing a file decided, recorded in one transaction."""

    outcome: str
    sha256: str
    final_path: str
    reports: list[str]
    claims: int | None = None
    accepted: int | None = None
    rejected: int | None = None
    duplicate_of: int | None = None
    flags: list[str] = field(default_factory=list)
    note: str = ""
    interchanges: Iterable[tuple[str, str]] = ()  # (ISA06 sender, ISA13)


class Ledger:
    """A SQLite ledger. Every method commits before it returns: the disk is always up to date."""

    def __init__(self, path: Path, mode: int = 0o600) -> None:
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, mode))
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(
                f"{path}: ledger schema {version} is newer than this scrubber ({SCHEMA_VERSION})"
            )
        self._db.executescript(_SCHEMA)  # idempotent: every statement is IF NOT EXISTS
        self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- claiming ------------------------------------------------------------------------------

    def begin_claim(self, name: str, size: int, mtime_ns: int, now: float, taken: Callable[[str], bool]) -> Entry:
        """Record the intent to claim ``name``; picks a base name no other row (or file) uses."""
        with self._transaction() as db:
            base = name
            number = 1
            while taken(base) or db.execute("SELECT 1 FROM files WHERE base_name = ?", (base,)).fetchone():
                number += 1
                base = numbered(name, number)
            cursor = db.execute(
                "INSERT INTO files (original_name, base_name, size, mtime_ns, state, claimed_at)"
                " VALUES (?, ?, ?, ?, 'claimed', ?)",
                (name, base, size, mtime_ns, iso(now)),
            )
        entry_id = cursor.lastrowid
        assert entry_id is not None
        return Entry(entry_id, name, base, size, mtime_ns, "claimed", claimed_at=iso(now))

    def mark_done(self, entries: list[Entry], now: float) -> None:
        """The files are durably in their final folders."""
        with self._transaction() as db:
            db.executemany(
                "UPDATE files SET state = 'done', finished_at = ? WHERE id = ?", [(iso(now), e.id) for e in entries]
            )
        for entry in entries:
            entry.state = "done"

    def forget(self, entry: Entry) -> None:
        """Roll a claim back: the file was never moved (or was put back)."""
        with self._transaction() as db:
            db.execute("DELETE FROM files WHERE id = ?", (entry.id,))

    def register_orphan(self, base: str, size: int, mtime_ns: int, now: float) -> Entry:
        """A file found in processing/ without a row (e.g. the ledger was replaced): claim it as is."""
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO files (original_name, base_name, size, mtime_ns, state, claimed_at)"
                " VALUES (?, ?, ?, ?, 'claimed', ?)",
                (base, base, size, mtime_ns, iso(now)),
            )
        assert cursor.lastrowid is not None
        return Entry(cursor.lastrowid, base, base, size, mtime_ns, "claimed", claimed_at=iso(now))

    # -- results -------------------------------------------------------------------------------

    def record_result(self, entry: Entry, result: Result, now: float) -> None:
        """Outcome, hash, reports and interchanges of a processed file, in one commit."""
        with self._transaction() as db:
            db.execute(
                "UPDATE files SET state = 'finishing', outcome = ?, sha256 = ?, final_path = ?, reports = ?,"
                " duplicate_of = ?, claims = ?, accepted = ?, rejected = ?, flags = ?, note = ? WHERE id = ?",
                (
                    result.outcome,
                    result.sha256,
                    result.final_path,
                    json.dumps(result.reports),
                    result.duplicate_of,
                    result.claims,
                    result.accepted,
                    result.rejected,
                    json.dumps(result.flags),
                    result.note,
                    entry.id,
                ),
            )
            db.executemany(
                "INSERT OR IGNORE INTO interchanges (file_id, sender_id, isa13, seen_at) VALUES (?, ?, ?, ?)",
                [(entry.id, sender, isa13, iso(now)) for sender, isa13 in result.interchanges],
            )
        entry.state, entry.outcome, entry.sha256 = "finishing", result.outcome, result.sha256
        entry.final_path, entry.reports = result.final_path, list(result.reports)

    # -- questions -----------------------------------------------------------------------------

    def processed_before(self, sha256: str, entry: Entry) -> Entry | None:
        """The first other file with this content that was processed (not itself a duplicate)."""
        placeholders = ", ".join("?" for _ in PROCESSED)
        row = self._db.execute(
            f"SELECT * FROM files WHERE sha256 = ? AND id != ? AND outcome IN ({placeholders}) ORDER BY id LIMIT 1",
            (sha256, entry.id, *PROCESSED),
        ).fetchone()
        return _entry(row) if row else None

    def isa13_seen(self, sender_id: str, isa13: str, since: float, entry: Entry) -> Entry | None:
        """Another file that carried this sender's ISA13 at or after ``since``."""
        row = self._db.execute(
            "SELECT files.* FROM interchanges JOIN files ON files.id = interchanges.file_id"
            " WHERE interchanges.sender_id = ? AND interchanges.isa13 = ? AND interchanges.seen_at >= ?"
            " AND files.id != ? ORDER BY files.id LIMIT 1",
            (sender_id, isa13, iso(since), entry.id),
        ).fetchone()
        return _entry(row) if row else None

    def unfinished(self) -> list[Entry]:
        """Rows an interrupted run left behind, oldest first."""
        rows = self._db.execute("SELECT * FROM files WHERE state != 'done' ORDER BY id").fetchall()
        return [_entry(row) for row in rows]

    def entries(self) -> list[Entry]:
        return [_entry(row) for row in self._db.execute("SELECT * FROM files ORDER BY id")]

    def knows_base(self, base: str) -> bool:
        return self._db.execute("SELECT 1 FROM files WHERE base_name = ?", (base,)).fetchone() is not None


def numbered(name: str, number: int) -> str:
    """``claims.837`` -> ``claims~2.837``: a second file of the same name keeps its extension."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        return f"{name}~{number}"
    return f"{stem}~{number}.{suffix}"


def _entry(row: sqlite3.Row) -> Entry:
    return Entry(
        id=row["id"],
        original_name=row["original_name"],
        base_name=row["base_name"],
        size=row["size"],
        mtime_ns=row["mtime_ns"],
        state=row["state"],
        outcome=row["outcome"],
        sha256=row["sha256"],
        claimed_at=row["claimed_at"],
        finished_at=row["finished_at"],
        final_path=row["final_path"],
        reports=json.loads(row["reports"]),
        duplicate_of=row["duplicate_of"],
        flags=json.loads(row["flags"]),
        note=row["note"],
    )
