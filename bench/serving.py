"""A real ``scrubber serve`` in a subprocess on loopback: started, waited for, stopped. Used by the
service tests and ``python -m bench.service``.

The server gets a fresh owner-only token file and data folder, a free port on 127.0.0.1, and
writes its JSON log lines to a file the caller can read (the tests look for PHI in it).
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

READY_TIMEOUT = 180.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """One server process. ``tokens`` maps client names to their tokens."""

    def __init__(self, folder: Path, *, workers: int = 2, extra: list[str] | None = None, clients: int = 2) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.tokens = {f"client{n}": secrets.token_urlsafe(24) for n in range(1, clients + 1)}
        self.token_file = folder / "tokens"
        self.write_tokens(self.tokens)
        self.data_dir = folder / "data"
        self.log_path = folder / "server.log"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.args = [
            "--token-file", str(self.token_file), "--port", str(self.port), "--workers", str(workers),
            "--data-dir", str(self.data_dir), *(extra or []),
        ]  # fmt: skip
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def token(self) -> str:
        return self.tokens["client1"]

    def write_tokens(self, tokens: dict[str, str]) -> None:
        text = "".join(f"{name} {token}\n" for name, token in tokens.items())
        fd = os.open(self.token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(fd, "w") as out:
            out.write(text)

    def headers(self, client: str = "client1", **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[client]}", "Content-Type": "application/edi-x12", **extra}

    def start(self) -> Server:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("SCRUBBER_DEBUG", None)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "scrubber", "--log-level", "info", "serve", *self.args],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                cwd=self.folder,
            )
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}:\n{self.log()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server was not ready within {timeout} s:\n{self.log()[-3000:]}")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def signal(self, number: int) -> None:
        assert self.process is not None
        self.process.send_signal(number)

    def worker_pids(self) -> list[int]:
        """The check processes: children of the fork server, itself a child of the server."""
        assert self.process is not None
        found: list[int] = []
        for child in _children(self.process.pid):
            found.extend(_children(child))
        return found

    def stop(self, timeout: float = 60.0) -> int:
        process = self.process
        if process is None:
            return 0
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.process = None
        return process.returncode


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found.extend(int(p) for p in task.read_text().split())
        except OSError:
            continue
    return found
