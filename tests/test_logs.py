"""Log lines stay whole when several processes share one log file (the service's workers)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

WRITER = """
import structlog
from scrubber.logs import configure_logging
configure_logging("info", json=True)
log = structlog.get_logger()
for n in range(3000):
    log.info("http.request", n=n, pad="x" * 150)
"""


def test_processes_sharing_a_log_file_never_splice_lines(tmp_path: Path) -> None:
    """Unbuffered streams (PYTHONUNBUFFERED, as the service runs) write each call through: an event
    and its newline written apart let another process's line in between."""
    path = tmp_path / "shared.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with open(path, "ab") as log:
        writers = [subprocess.Popen([sys.executable, "-c", WRITER], stderr=log, env=env) for _ in range(4)]
        assert [w.wait(timeout=120) for w in writers] == [0, 0, 0, 0]
    lines = path.read_text().splitlines()
    assert len(lines) == 12000
    assert all(json.loads(line)["event"] == "http.request" for line in lines)
