"""One sweep per outbox at a time: an exclusive flock on a lock file in the outbox.

flock is released by the kernel when the process dies, even by SIGKILL, so a crashed sweep never
leaves a stale lock behind; the pid written into the file is only there to name the holder in
the message an overlapping run prints.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from scrubber.errors import ScrubberError


class SweepLocked(ScrubberError):
    """Another process holds the lock; the message says which file and, when known, which pid."""

    def __init__(self, path: Path, holder: str) -> None:
        who = f" by pid {holder}" if holder else ""
        super().__init__(f"another sweep is running on this outbox (lock {path} held{who}); this run did nothing")
        self.path = path
        self.holder = holder


@contextlib.contextmanager
def sweep_lock(path: Path, mode: int = 0o600) -> Iterator[None]:
    """Hold an exclusive, non-blocking flock on ``path`` for the duration of the block."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, mode)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            raise SweepLocked(path, holder) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the only descriptor releases the flock
