"""Which reports a sweep writes for each file, and how: one pass over the file, every writer fed.

An output is a name, a file suffix in reports/, and a factory for a writer with the
:class:`~scrubber.report.writers.ReportWriter` methods (claims streamed, totals last, or
``unreadable``). By default every name that :func:`scrubber.report.writers.writer_for` knows is
an output (json, text, and html once that writer exists). Formats that are not report writers
of that shape (999, 277CA, split clean-claim files) plug in with :func:`register_output`; until
they are registered, asking for them is a configuration error that names what is available.

Each report is written like :func:`scrubber.fsutil.atomic_writer` does (temporary name, fsync,
rename), so a reader (or a crash) never sees half a report under its final name; the fsync of
the reports folder is done once per file by the caller instead of once per report.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TextIO

from scrubber.findings import Finding
from scrubber.report.model import ClaimReport, FileReport
from scrubber.report.writers import ReportWriter, writer_for
from scrubber.workflows.check import Scrubber, UnreadableInput

WriterFactory = Callable[[TextIO], ReportWriter]

# File suffixes of the formats the project has or plans; a format missing here gets ".<name>".
SUFFIXES = {
    "json": ".json",
    "text": ".txt",
    "html": ".html",
    "999": ".999",
    "277ca": ".277ca",
    "split": ".clean.837",
}


@dataclass(frozen=True)
class OutputSpec:
    name: str
    suffix: str
    factory: WriterFactory


_REGISTERED: dict[str, OutputSpec] = {}


def register_output(name: str, factory: WriterFactory, suffix: str | None = None) -> None:
    """Hook for formats that writer_for does not produce (e.g. 999, 277CA, split 837 files)."""
    key = name.lower()
    _REGISTERED[key] = OutputSpec(key, suffix or SUFFIXES.get(key, f".{key}"), factory)


def resolve_outputs(names: tuple[str, ...]) -> list[OutputSpec]:
    """The specs for ``names``; ValueError naming the unknown one and the choices otherwise."""
    specs = []
    for name in names:
        if name in _REGISTERED:
            specs.append(_REGISTERED[name])
            continue
        try:
            writer_for(name, io.StringIO())
        except ValueError:
            choices = sorted({*available_writer_formats(), *_REGISTERED})
            raise ValueError(f"unknown output {name!r}; available: {', '.join(choices)}") from None
        specs.append(OutputSpec(name, SUFFIXES.get(name, f".{name}"), _writer_factory(name)))
    return specs


def available_writer_formats() -> list[str]:
    names = []
    for name in SUFFIXES:
        try:
            writer_for(name, io.StringIO())
        except ValueError:
            continue
        names.append(name)
    return names


def _writer_factory(name: str) -> WriterFactory:
    return lambda out: writer_for(name, out)


@dataclass
class CheckResult:
    """What one pass found: the file's status, counts and the interchanges it carried."""

    status: str  # accepted | rejected | failed
    sha256: str = ""
    claims: int = 0
    accepted: int = 0
    rejected: int = 0
    reason: str = ""  # why it failed
    interchanges: set[tuple[str, str]] = field(default_factory=set)  # (ISA06 sender, ISA13)


class ReportSet:
    """Writes every configured report of one file in one streaming pass."""

    def __init__(self, specs: list[OutputSpec], mode: int, on_claim: Callable[[], None] = lambda: None) -> None:
        self.specs = specs
        self.mode = mode
        self.on_claim = on_claim  # called after each claim's reports are written (crash tests)

    def paths(self, reports: Path, base: str) -> list[Path]:
        return [reports / f"{base}{spec.suffix}" for spec in self.specs]

    def check(self, scrubber: Scrubber, source: Path, name: str, reports: Path, base: str) -> CheckResult:
        """Check ``source`` into every report; an unreadable file gets 'unreadable' reports instead.

        Errors of the input (not X12, a read error, a checker bug on odd input) make the file
        fail and the sweep go on; errors writing the reports (disk full) are the outbox's and
        propagate, so the run stops with the file still claimed.
        """
        try:
            return self._stream(scrubber, source, name, reports, base)
        except UnreadableInput as error:
            reason = error.reason
        except (OSError, MemoryError):
            raise
        except Exception as error:  # one file's surprise never stops the sweep
            reason = f"internal error while checking: {type(error).__name__}: {error}"
        self.write_unreadable(name, reason, reports, base)
        return CheckResult(status="failed", reason=reason)

    def _stream(self, scrubber: Scrubber, source: Path, name: str, reports: Path, base: str) -> CheckResult:
        result = CheckResult(status="accepted")
        try:
            opened = source.open("rb")
        except OSError as error:
            raise UnreadableInput(name, f"cannot be read: {error.strerror or error}") from None
        with ExitStack() as stack, opened as raw:
            stream = _ReadGuard(raw, name)
            writers = [
                spec.factory(stack.enter_context(staged_writer(path, self.mode)))
                for spec, path in zip(self.specs, self.paths(reports, base), strict=True)
            ]
            scan = scrubber.scan(stream, name)  # type: ignore[arg-type]
            for writer in writers:
                writer.begin(1)
                writer.start_file(name)
            for item in scan:
                if isinstance(item, ClaimReport):
                    if item.claim is not None:
                        control = item.claim.control
                        result.interchanges.add((control.sender_id, control.isa13))
                    for writer in writers:
                        writer.claim(item)
                    self.on_claim()
                elif isinstance(item, Finding):
                    for writer in writers:
                        writer.file_finding(item)
            header: FileReport = scan.header()
            for writer in writers:
                writer.finish_file(header)
                writer.close()
        result.status = header.status
        result.sha256 = header.sha256
        result.claims = header.summary.claims
        result.accepted = header.summary.accepted
        result.rejected = header.summary.rejected
        return result

    def write_notes(self, path: Path, lines: list[str]) -> None:
        """The sweep's own notes on a file (duplicate of what, ISA13 reused, why it failed)."""
        with staged_writer(path, self.mode) as out:
            out.write("\n".join(lines) + "\n")

    def write_unreadable(self, name: str, reason: str, reports: Path, base: str) -> None:
        """Reports that say the file could not be checked, and why."""
        with ExitStack() as stack:
            for spec, path in zip(self.specs, self.paths(reports, base), strict=True):
                writer = spec.factory(stack.enter_context(staged_writer(path, self.mode)))
                writer.begin(1)
                writer.unreadable(name, reason)
                writer.close()


class _ReadGuard:
    """A read error in the middle of the input is the input's failure, not the outbox's."""

    def __init__(self, stream: BinaryIO, name: str) -> None:
        self._stream = stream
        self._name = name

    def read(self, size: int = -1) -> bytes:
        try:
            return self._stream.read(size)
        except OSError as error:
            raise UnreadableInput(self._name, f"read error: {error.strerror or error}") from None


@contextlib.contextmanager
def staged_writer(path: Path, mode: int) -> Iterator[TextIO]:
    """Write to a temporary name beside ``path``, fsync, rename into place (folder fsync: caller's)."""
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
