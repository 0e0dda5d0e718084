"""Sweep test helpers: made-up 837P files, settings, a sweep subprocess, and the outbox's final state."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from scrubber.synthetic import random_claims, render_837
from scrubber.workflows.sweep.settings import SweepSettings

FINAL_FOLDERS = ("accepted", "rejected", "failed", "duplicates")
HERE = Path(__file__).resolve().parent


def x12(seed: int, *, claims: int = 3, isa13: int | None = None, interchanges: int = 1) -> bytes:
    """A small made-up 837P; each interchange gets its own ISA13 (seed-based unless given)."""
    specs = list(random_claims(claims * interchanges, seed=seed, faulty_share=0.2))
    first = isa13 if isa13 is not None else 100_000 + seed * 10
    return render_837(specs, claims_per_transaction=claims, transactions_per_interchange=1, first_isa13=first).encode()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def settings(inbox: Path, outbox: Path, **overrides: object) -> SweepSettings:
    """Test settings: no settle time unless asked, a fixed judging date, no structure check."""
    import datetime as dt

    values: dict[str, object] = {
        "inbox": inbox,
        "outbox": outbox,
        "settle_seconds": 0.0,
        "stale_seconds": 0.0,
        "as_of": dt.date(2026, 11, 1),
        "structure": "off",  # the tests that need the TR3 check turn it on
    }
    values.update(overrides)
    return SweepSettings(**values)  # type: ignore[arg-type]


def log_events(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]


def sweep_argv(inbox: Path, outbox: Path) -> list[str]:
    return [sys.executable, "-m", "scrubber", "sweep", str(inbox), "--outbox", str(outbox), "--as-of", "2026-11-01"]


def sweep_cli(inbox: Path, outbox: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`scrubber sweep` in a subprocess, as cron runs it."""
    return subprocess.run(
        [*sweep_argv(inbox, outbox), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def ledger_rows(outbox: Path) -> list[dict]:
    path = outbox / "sweep-ledger.sqlite3"
    if not path.exists():
        return []
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in db.execute("SELECT * FROM files ORDER BY id")]
    finally:
        db.close()


def where_is(outbox: Path, inbox: Path) -> dict[str, list[str]]:
    """For every input-file name: the folders it is in (inbox, processing or a final folder)."""
    found: dict[str, list[str]] = {}
    places = {"inbox": inbox, **{name: outbox / name for name in ("processing", *FINAL_FOLDERS)}}
    for label, folder in places.items():
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if path.is_file() and not path.name.startswith("."):
                found.setdefault(path.name, []).append(label)
    return found


def final_state(outbox: Path) -> dict[str, object]:
    """What a finished sweep leaves, independent of timing: where each file is, its reports, its row."""
    files = {}
    for folder in FINAL_FOLDERS:
        for path in sorted((outbox / folder).iterdir()):
            files[path.name] = (folder, sha(path.read_bytes()))
    reports = {}
    for path in sorted((outbox / "reports").iterdir()):
        text = path.read_text()
        reports[path.name] = json.loads(text) if path.suffix == ".json" else _without_times(text)
    rows = [
        (r["original_name"], r["base_name"], r["state"], r["outcome"], r["sha256"], r["flags"], r["reports"])
        for r in ledger_rows(outbox)
    ]
    leftovers = sorted(p.name for p in (outbox / "processing").iterdir())
    return {"files": files, "reports": reports, "rows": sorted(rows), "processing": leftovers}


def _without_times(text: str) -> str:
    """Notes quote when an earlier file was claimed; that differs between two runs."""
    import re

    return re.sub(r"claimed \S+", "claimed <time>", text)


def assert_complete_outputs(outbox: Path) -> None:
    """No half-written output under a final name: every JSON report parses, no text report is empty."""
    for path in (outbox / "reports").iterdir():
        if path.name.startswith("."):
            continue
        if path.suffix == ".json":
            document = json.loads(path.read_text())
            assert document["schema"] == "scrubber.report/1"
        else:
            assert path.read_text().endswith("\n"), path
