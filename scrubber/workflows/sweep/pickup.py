"""Which inbox files are ready: never a file that is still being uploaded.

A file is ready when
- its name is not a dot file, a marker (``*.done``) or a temporary upload name (``*.part``,
  ``*.tmp``, ``*.filepart``), and it is a regular file (no directories, no symlinks);
- with done markers: ``NAME.done`` exists beside it (the uploader's word that it finished);
- otherwise: neither data nor metadata changed for the settle time, judged by the later of mtime
  and ctime (an uploader can set mtime back with ``put -p``, but it cannot set ctime), and the
  file ends with an IEA segment. A quiet file that does not start like X12 at all (junk) is ready
  after the settle time; a quiet one that starts with an ISA but has no IEA (truncated) or is
  empty becomes ready after the stale time, so bad input is reported instead of waiting forever.

Everything here only reads: the decision is re-checked when the file is claimed.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from scrubber.workflows.sweep.settings import SweepSettings
from scrubber.x12.reader import NotX12Error, parse_isa_delimiters

TEMPORARY_SUFFIXES = (".part", ".tmp", ".filepart")
MARKER_SUFFIX = ".done"
_PROBE = 512
_BLANK = " \t\r\n"
_BOM = "\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A ready file and the size and mtime it had when judged ready (checked again at the claim)."""

    name: str
    path: Path
    size: int
    mtime_ns: int


@dataclass
class Pickup:
    """The outcome of one look at the inbox."""

    ready: list[Candidate] = field(default_factory=list)
    waiting: dict[str, str] = field(default_factory=dict)  # name -> why it is left for later

    @property
    def seen(self) -> int:
        return len(self.ready) + len(self.waiting)


def marker_for(path: Path) -> Path:
    return path.with_name(path.name + MARKER_SUFFIX)


def is_temporary(name: str) -> bool:
    return name.lower().endswith(TEMPORARY_SUFFIXES)


def scan_inbox(inbox: Path, settings: SweepSettings, now: float) -> Pickup:
    """Sort every inbox entry into ready (oldest first) or waiting; ignore what is not ours."""
    pickup = Pickup()
    ready: list[tuple[int, str, Candidate]] = []
    with os.scandir(inbox) as entries:
        for entry in entries:
            name = entry.name
            if name.startswith(".") or name.endswith(MARKER_SUFFIX):
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            if not stat.S_ISREG(info.st_mode):
                continue
            if is_temporary(name):
                pickup.waiting[name] = "temporary upload name"
                continue
            reason = waiting_reason(Path(entry.path), info, settings, now)
            if reason:
                pickup.waiting[name] = reason
            else:
                candidate = Candidate(name, Path(entry.path), info.st_size, info.st_mtime_ns)
                ready.append((info.st_mtime_ns, name, candidate))
    pickup.ready = [candidate for _, _, candidate in sorted(ready)]
    return pickup


def waiting_reason(path: Path, info: os.stat_result, settings: SweepSettings, now: float) -> str:
    """Why ``path`` is not ready yet, or '' when it is."""
    if settings.done_marker:
        return "" if marker_for(path).exists() else "no done marker yet"
    quiet = now - max(info.st_mtime, info.st_ctime)
    if quiet < settings.settle_seconds:
        return "changed within the settle time"
    shape = probe_shape(path, info.st_size)
    if shape == "complete" or shape == "junk":
        return ""
    if quiet >= settings.stale_seconds:
        return ""  # empty or truncated, and nothing has changed for the stale time: report it
    return "empty file" if shape == "empty" else "no IEA segment at the end yet"


def probe_shape(path: Path, size: int) -> str:
    """'complete' (ISA ... IEA), 'open' (ISA, no IEA yet), 'empty', or 'junk' (not X12 at all)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_PROBE).decode("latin-1")
            if size > _PROBE:
                handle.seek(max(size - _PROBE, 0))
            tail = handle.read(_PROBE).decode("latin-1") if size > _PROBE else head
    except OSError:
        return "junk"  # cannot be read: let the checker say why, in the report
    body = head.removeprefix(_BOM).lstrip(_BLANK)
    if not body:
        return "empty" if not head.strip(_BLANK + "\x00") else "junk"
    if not "ISA".startswith(body[:3]):
        return "junk"
    try:
        delimiters = parse_isa_delimiters(body)
    except NotX12Error:
        return "open" if len(body) < 107 else "junk"
    return "complete" if ends_with_iea(tail, delimiters.segment, delimiters.element) else "open"


def ends_with_iea(tail: str, terminator: str, element: str) -> bool:
    """True when the last segment of ``tail`` is an IEA, followed by its terminator."""
    blank = _BLANK.replace(terminator, "")  # a newline may itself be the segment terminator
    text = tail.rstrip(blank)
    if not text.endswith(terminator):
        return False
    last = text[:-1].rsplit(terminator, 1)[-1].lstrip(blank)
    return last.startswith("IEA" + element)
