"""What ``scrubber serve`` is told on its command line, in one validated object."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PORT = 8837
DEFAULT_MAX_BODY_MB = 50
DAY = 24 * 3600


def default_data_dir() -> Path:
    """Job data and spooled bodies: ``$XDG_STATE_HOME/scrubber/serve`` (``~/.local/state/...``)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "scrubber" / "serve"


@dataclass(frozen=True)
class ServiceSettings:
    token_file: Path
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    workers: int = 0  # check processes; 0: one per CPU
    max_body_bytes: int = DEFAULT_MAX_BODY_MB * 1024 * 1024
    config: Path | None = None  # scrubber.toml; None: the default locations, else defaults
    data_dir: Path | None = None  # None: default_data_dir()
    job_retention: float = DAY  # seconds a finished job's report is kept
    idempotency_window: float = DAY  # seconds an Idempotency-Key is honoured
    max_waiting: int = 256  # checks waiting for a busy worker (jobs included) before a new check gets 503
    purge_every: float = 60.0  # seconds between sweeps of expired jobs

    @property
    def worker_count(self) -> int:
        return self.workers if self.workers > 0 else max(1, os.cpu_count() or 1)

    @property
    def state_dir(self) -> Path:
        return self.data_dir if self.data_dir is not None else default_data_dir()
