"""Progress on the terminal: drawn on a TTY stderr while a long check runs, never otherwise."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import time
from pathlib import Path

from scrubber.synthetic import random_claims, render_837


def _big_file(tmp_path: Path) -> Path:
    path = tmp_path / "claims.837"
    path.write_text(render_837(list(random_claims(3000, seed=9)), claims_per_transaction=100))
    return path


def _check(path: Path, report: Path, stderr: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "scrubber", "check", "--structure", "off", "--format", "json"]
    env = {**os.environ, "TERM": "xterm"}
    return subprocess.Popen([*command, "-o", str(report), str(path)], stderr=stderr, stdout=subprocess.DEVNULL, env=env)


def _read_all(fd: int) -> bytes:
    """Everything the process drew on its terminal, until it closed it."""
    seen = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        seen += chunk
    return seen


def test_a_terminal_sees_bytes_claims_and_rate(tmp_path: Path) -> None:
    path, report = _big_file(tmp_path), tmp_path / "report.json"
    controller, terminal = pty.openpty()
    proc = _check(path, report, terminal)
    os.close(terminal)
    drawn = _read_all(controller).decode("utf-8", "replace")
    os.close(controller)
    assert proc.wait(timeout=120) == 1
    assert "claims/s" in drawn and "MB" in drawn and "claims" in drawn
    assert "claims/s" not in report.read_text()  # never in the report


def test_nothing_is_drawn_for_cron_or_a_pipe(tmp_path: Path) -> None:
    path, report = _big_file(tmp_path), tmp_path / "report.json"
    log = tmp_path / "stderr.log"
    with log.open("wb") as stderr:
        started = time.monotonic()
        proc = _check(path, report, stderr.fileno())
        assert proc.wait(timeout=120) == 1, time.monotonic() - started
    text = log.read_text()
    assert "claims/s" not in text and "\x1b[" not in text
    assert '"event": "file.checked"' in text  # the log still says what was checked
