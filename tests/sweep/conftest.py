"""Fixtures of the sweep tests: folders, captured logs, and (in sftp_server.py) a real OpenSSH server."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from scrubber.logs import configure_logging

from .sftp_server import sftp_server  # noqa: F401  (fixture)


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    inbox.mkdir()
    return inbox, outbox


@pytest.fixture(autouse=True)
def log_stream() -> Iterator[io.StringIO]:
    """structlog events of in-process sweeps, as JSON lines (and kept off the test output)."""
    stream = io.StringIO()
    configure_logging("info", stream=stream, json=True)
    yield stream
    configure_logging("warning", stream=sys.stderr)
