"""Which reports a sweep writes for each file, and how: one pass over the file, every writer fed.

Two kinds of output, chosen by name in ``--outputs``:
- report writers: every format :func:`scrubber.report.writers.writer_for` knows (json, text,
  html), plus any registered with :func:`register_output`; they get the claims as they stream
  and are written to ``reports/BASE.json``, ``.txt``, ``.html``, ...;
- acknowledgments and the split (999, 277ca, split): made after the scan by `check`'s own
  outputs (see :mod:`scrubber.workflows.sweep.ack_outputs`).

The file goes through the same pipeline as `scrubber check` (structure check, rules), so a swept
file is judged exactly as a checked one. Report writers write like
:func:`scrubber.fsutil.atomic_writer` (temporary name, fsync, rename), so a reader or a crash
never sees half a report under its final name; the fsync of the reports folder is done once per
file by the caller instead of once per report.
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
from scrubber.structure.stage import CheckedSource, open_checked
from scrubber.workflows.check import Scrubber, UnreadableInput
from scrubber.workflows.outputs import FileOutputs, OutputError
from scrubber.workflows.sweep.ack_outputs import ACK_OUTPUTS, NEEDS_STRUCTURE, ack_paths, file_outputs

WriterFactory = Callable[[TextIO], ReportWriter]

# File suffixes of report formats; a format missing here gets ".<name>".
SUFFIXES = {"json": ".json", "text": ".txt", "html": ".html"}


@dataclass(frozen=True)
class OutputSpec:
    name: str
    suffix: str
    factory: WriterFactory


@dataclass(frozen=True)
class OutputPlan:
    writers: list[OutputSpec]
    acks: tuple[str, ...] = ()  # names from acks.ACK_OUTPUTS


_REGISTERED: dict[str, OutputSpec] = {}


def register_output(name: str, factory: WriterFactory, suffix: str | None = None) -> None:
    """Hook for another report format with the ReportWriter methods that writer_for does not make."""
    key = name.lower()
    _REGISTERED[key] = OutputSpec(key, suffix or SUFFIXES.get(key, f".{key}"), factory)


def resolve_outputs(names: tuple[str, ...], *, structure: bool = True) -> OutputPlan:
    """The plan for ``names``; ValueError naming an unknown output and the choices otherwise."""
    writers, acks = [], []
    for name in names:
        if name in ACK_OUTPUTS:
            if name in NEEDS_STRUCTURE and not structure:
                raise ValueError(f"output {name!r} acknowledges the structure check, which is turned off")
            acks.append(name)
        elif name in _REGISTERED:
            writers.append(_REGISTERED[name])
        elif _writer_exists(name):
            writers.append(OutputSpec(name, SUFFIXES.get(name, f".{name}"), _writer_factory(name)))
        else:
            choices = sorted({*(n for n in SUFFIXES if _writer_exists(n)), *_REGISTERED, *ACK_OUTPUTS})
            raise ValueError(f"unknown output {name!r}; available: {', '.join(choices)}")
    if not writers:
        raise ValueError("at least one report format (json, text, ...) is needed besides acknowledgments")
    return OutputPlan(writers, tuple(acks))


def _writer_exists(name: str) -> bool:
    try:
        writer_for(name, io.StringIO())
    except ValueError:
        return False
    return True


def _writer_factory(name: str) -> WriterFactory:
    return lambda out: writer_for(name, out)


@dataclass
class CheckResult:
    """What one pass found: the file's status, counts, the interchanges it carried, what was written."""

    status: str  # accepted | rejected | failed
    sha256: str = ""
    claims: int = 0
    accepted: int = 0
    rejected: int = 0
    reason: str = ""  # why it failed
    interchanges: set[tuple[str, str]] = field(default_factory=set)  # (ISA06 sender, ISA13)
    written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. why a 999 could not be made


class ReportSet:
    """Writes every configured report of one file in one streaming pass."""

    def __init__(self, plan: OutputPlan, mode: int, on_claim: Callable[[], None] = lambda: None) -> None:
        self.plan = plan
        self.mode = mode
        self.on_claim = on_claim  # called after each claim's reports are written (crash tests)

    def writer_paths(self, reports: Path, base: str) -> list[Path]:
        return [reports / f"{base}{spec.suffix}" for spec in self.plan.writers]

    def paths(self, reports: Path, base: str) -> list[Path]:
        """Every file this set may write for ``base``."""
        return self.writer_paths(reports, base) + ack_paths(self.plan.acks, reports, base)

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
        written = self.write_unreadable(name, reason, reports, base)
        return CheckResult(status="failed", reason=reason, written=written)

    def _stream(self, scrubber: Scrubber, source: Path, name: str, reports: Path, base: str) -> CheckResult:
        result = CheckResult(status="accepted")
        acks = file_outputs(self.plan.acks, reports)
        paths = self.writer_paths(reports, base)
        with ExitStack() as stack, open_checked(source, structure=scrubber.structure) as checked:
            writers = [
                spec.factory(stack.enter_context(staged_writer(path, self.mode)))
                for spec, path in zip(self.plan.writers, paths, strict=True)
            ]
            scan = scrubber.scan(_ReadGuard(checked.stream, name), name, checked.structure)  # type: ignore[arg-type]
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
                    if acks is not None:
                        acks.claim(item)
                    self.on_claim()
                elif isinstance(item, Finding):
                    for writer in writers:
                        writer.file_finding(item)
            header: FileReport = scan.header()
            for writer in writers:
                writer.finish_file(header)
                writer.close()
            if acks is not None:
                result.written += self._acknowledge(acks, checked, result)
        result.written[:0] = paths
        result.status = header.status
        result.sha256 = header.sha256
        result.claims = header.summary.claims
        result.accepted = header.summary.accepted
        result.rejected = header.summary.rejected
        return result

    @staticmethod
    def _acknowledge(acks: FileOutputs, checked: CheckedSource, result: CheckResult) -> list[Path]:
        """The 999/277CA/split files; one that cannot be made is noted, the file goes on."""
        try:
            return acks.finish(checked)
        except OutputError as error:
            result.notes.append(str(error))
            return []

    def write_notes(self, path: Path, lines: list[str]) -> None:
        """The sweep's own notes on a file (duplicate of what, ISA13 reused, why it failed)."""
        with staged_writer(path, self.mode) as out:
            out.write("\n".join(lines) + "\n")

    def write_unreadable(self, name: str, reason: str, reports: Path, base: str) -> list[Path]:
        """Reports that say the file could not be checked, and why."""
        paths = self.writer_paths(reports, base)
        with ExitStack() as stack:
            for spec, path in zip(self.plan.writers, paths, strict=True):
                writer = spec.factory(stack.enter_context(staged_writer(path, self.mode)))
                writer.begin(1)
                writer.unreadable(name, reason)
                writer.close()
        return paths


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
