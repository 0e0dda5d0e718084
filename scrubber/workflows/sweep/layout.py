"""The outbox folders and the moves between them, each one atomic and durable.

    OUTBOX/processing/  claimed, being checked (a killed run leaves files here; the next finishes them)
    OUTBOX/accepted/    every claim accepted
    OUTBOX/rejected/    at least one claim (or the file) rejected
    OUTBOX/failed/      not X12, unreadable, or broke the checker
    OUTBOX/duplicates/  same content as a file processed before
    OUTBOX/reports/     BASE.json, BASE.txt, ... for each file; BASE.notes.txt when the sweep has more to say

A move within one file system is a rename (atomic: the file is in one folder or the other, never
both or neither), followed by an fsync of both folders so the rename survives a power cut. An
inbox on another file system is copied to a temporary name beside the target, fsynced, renamed
into place, and only then removed from the inbox: a crash leaves at worst two complete copies,
which the ledger resolves, and never none.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from pathlib import Path

from scrubber.fsutil import fsync_dir

FOLDER_OF = {"accepted": "accepted", "rejected": "rejected", "failed": "failed", "duplicate": "duplicates"}
PROCESSING = "processing"
REPORTS = "reports"
FOLDERS = (PROCESSING, *FOLDER_OF.values(), REPORTS)
TEMP_PREFIX, TEMP_SUFFIX = ".", ".tmp"  # fsutil.atomic_writer's temporary names look the same


class ChangedDuringMove(Exception):
    """The source changed while it was being copied: somebody is still writing it."""


class Outbox:
    """Paths in the outbox; creates its folders with the configured mode."""

    def __init__(self, root: Path, dir_mode: int = 0o700) -> None:
        self.root = root
        self.dir_mode = dir_mode

    def prepare(self) -> None:
        self.root.mkdir(mode=self.dir_mode, parents=True, exist_ok=True)
        for folder in FOLDERS:
            (self.root / folder).mkdir(mode=self.dir_mode, exist_ok=True)

    @property
    def processing(self) -> Path:
        return self.root / PROCESSING

    @property
    def reports(self) -> Path:
        return self.root / REPORTS

    def claimed(self, base: str) -> Path:
        return self.processing / base

    def final(self, outcome: str, base: str) -> Path:
        return self.root / FOLDER_OF[outcome] / base

    def report(self, base: str, suffix: str) -> Path:
        return self.reports / f"{base}{suffix}"

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def taken(self, base: str) -> bool:
        """Whether a file of this name already sits in processing/ or a final folder."""
        return any((self.root / folder / base).exists() for folder in (PROCESSING, *FOLDER_OF.values()))

    def sync(self) -> None:
        """fsync every outbox folder: renames and new files in them survive a power cut."""
        for folder in FOLDERS:
            fsync_dir(self.root / folder)

    def clear_temporaries(self) -> int:
        """Remove half-written temporaries a killed run left (dot names ending in .tmp)."""
        removed = 0
        for folder in FOLDERS:
            directory = self.root / folder
            with os.scandir(directory) as entries:
                for entry in entries:
                    if entry.name.startswith(TEMP_PREFIX) and entry.name.endswith(TEMP_SUFFIX):
                        with contextlib.suppress(FileNotFoundError):
                            os.unlink(entry.path)
                            removed += 1
            if removed:
                fsync_dir(directory)
        return removed


def same_file_system(a: Path, b: Path) -> bool:
    return os.stat(a).st_dev == os.stat(b).st_dev


def move(src: Path, dst: Path, *, expect: tuple[int, int] | None = None, durable: bool = True) -> None:
    """Move ``src`` to ``dst`` atomically (rename, or copy-fsync-rename-remove across file systems).

    ``durable=False`` leaves the fsync of the two folders to the caller, who batches them (a
    rename is atomic for other processes and after a kill either way; the fsync only matters
    for a power cut, and the ledger is not told 'done' before it).
    ``expect`` (size, mtime_ns): when copying across file systems, the source must still match
    it after the copy, or the copy is dropped and :class:`ChangedDuringMove` raised, so a file
    that is still being written is never removed from the inbox.
    """
    try:
        os.rename(src, dst)
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
        _copy_across(src, dst, expect)
        return
    if durable:
        fsync_dir(dst.parent)
        if src.parent != dst.parent:
            fsync_dir(src.parent)


def put_back(src: Path, dst: Path) -> Path:
    """Return a claimed file to the inbox without overwriting a newer upload of the same name."""
    target = dst
    number = 1
    while True:
        try:
            if same_file_system(src.parent, target.parent):
                os.link(src, target)  # fails if target exists: no clobbering
                os.unlink(src)
                fsync_dir(target.parent)
                fsync_dir(src.parent)
            else:
                if target.exists():
                    raise FileExistsError(target)
                _copy_across(src, target, None)
            return target
        except FileExistsError:
            number += 1
            target = dst.with_name(f"{dst.name}~returned{number}")


def _copy_across(src: Path, dst: Path, expect: tuple[int, int] | None) -> None:
    temp = dst.with_name(f"{TEMP_PREFIX}{dst.name}.copy{TEMP_SUFFIX}")
    try:
        with src.open("rb") as source, open(temp, "wb") as target:
            shutil.copyfileobj(source, target, 1 << 20)
            target.flush()
            original = os.fstat(source.fileno())
            os.fchmod(target.fileno(), original.st_mode & 0o777)
            os.utime(target.fileno(), ns=(original.st_atime_ns, original.st_mtime_ns))  # the ledger compares it
            os.fsync(target.fileno())
        if expect is not None:
            info = os.stat(src)
            if (info.st_size, info.st_mtime_ns) != expect:
                raise ChangedDuringMove(str(src))
        os.replace(temp, dst)
        fsync_dir(dst.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    os.unlink(src)
    fsync_dir(src.parent)
