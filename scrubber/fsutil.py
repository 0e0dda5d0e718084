"""Writing output files safely: temporary name, fsync, rename; owner-only by default.

A reader never sees a half-written report under its final name, and reports (which quote claim
segments, so they carry PHI) are not readable by other users unless configured otherwise.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

OWNER_ONLY = 0o600


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class StagedFile:
    """A file written under a temporary name beside its target, renamed into place on :meth:`commit`.

    :meth:`discard` (or an error before the commit) removes the temporary file, so the target is
    either the whole new file or what it was before.
    """

    def __init__(self, path: str | os.PathLike[str], *, mode: int = OWNER_ONLY, fsync_folder: bool = True) -> None:
        self.path = Path(path)
        self._directory = self.path.parent if str(self.path.parent) else Path(".")
        self._fsync_folder = fsync_folder
        fd, self._temp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self._directory)
        try:
            os.fchmod(fd, mode)
            self.handle: TextIO = os.fdopen(fd, "w", encoding="utf-8")
        except BaseException:
            os.close(fd)
            self.discard()
            raise

    def commit(self) -> None:
        handle = self.handle
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        os.replace(self._temp, self.path)
        if self._fsync_folder:
            fsync_dir(self._directory)

    def discard(self) -> None:
        with contextlib.suppress(AttributeError):
            self.handle.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._temp)


@contextlib.contextmanager
def atomic_writer(
    path: str | os.PathLike[str], *, mode: int = OWNER_ONLY, fsync_folder: bool = True
) -> Iterator[TextIO]:
    """Open a temporary file beside ``path``; on success fsync it and rename it into place."""
    staged = StagedFile(path, mode=mode, fsync_folder=fsync_folder)
    try:
        yield staged.handle
        staged.commit()
    except BaseException:
        staged.discard()
        raise
