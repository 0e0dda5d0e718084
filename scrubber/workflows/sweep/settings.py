"""What a sweep is told: folders, timing, outputs, permissions. Validated once, before any work.

A pydantic model that rejects unknown keys, so a typo in a cron line or a config file names the
key at fault instead of silently using a default.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scrubber.pipeline import DEFAULT_STRUCTURE, StructureMode

LEDGER_NAME = "sweep-ledger.sqlite3"
LOCK_NAME = ".sweep.lock"


class SweepSettings(BaseModel):
    """One sweep's configuration. Times are seconds unless the name says otherwise."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    inbox: Path
    outbox: Path
    # A file is ready when neither its data nor its metadata changed for this long ...
    settle_seconds: float = Field(default=60.0, ge=0)
    # ... and it ends with an IEA segment; a quiet file without one is taken as truncated after this.
    stale_seconds: float = Field(default=3600.0, ge=0)
    # With markers, NAME is ready only once NAME.done exists beside it (the uploader's promise).
    done_marker: bool = False
    # Report formats written to reports/ for every file (writer_for names or registered outputs).
    outputs: tuple[str, ...] = ("json", "text")
    ledger: Path | None = None  # default: OUTBOX/sweep-ledger.sqlite3
    # A reused ISA13 from the same ISA06 sender within this many days is flagged.
    isa13_window_days: float = Field(default=90.0, ge=0)
    file_mode: int = 0o600  # reports and notes: owner-only, they quote claim segments (PHI)
    dir_mode: int = 0o700  # outbox folders created by the sweep
    max_files: int | None = Field(default=None, ge=1)  # stop picking up after this many (bounded cron runs)
    as_of: dt.date | None = None  # judge dates as of this day; default today
    config: Path | None = None  # scrubber.toml, as for `scrubber check --config`; None: default locations
    structure: StructureMode = DEFAULT_STRUCTURE  # the TR3 structure check, as `scrubber check` runs it

    @field_validator("outputs")
    @classmethod
    def _outputs_present(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        names = tuple(dict.fromkeys(name.strip().lower() for name in value if name.strip()))
        if not names:
            raise ValueError("at least one output is needed (e.g. json,text)")
        return names

    @field_validator("file_mode", "dir_mode")
    @classmethod
    def _mode_in_range(cls, value: int) -> int:
        if not 0 <= value <= 0o777:
            raise ValueError(f"permission bits must be between 000 and 777 (octal), got {value:o}")
        return value

    @model_validator(mode="after")
    def _folders_differ(self) -> SweepSettings:
        if self.inbox.resolve() == self.outbox.resolve():
            raise ValueError("the outbox must not be the inbox")
        if self.stale_seconds < self.settle_seconds:
            raise ValueError("stale_seconds must be at least settle_seconds")
        return self

    @property
    def ledger_path(self) -> Path:
        return self.ledger if self.ledger is not None else self.outbox / LEDGER_NAME

    @property
    def lock_path(self) -> Path:
        return self.outbox / LOCK_NAME
