"""Which reports a sweep writes for each file, and how: one pass over the file, every writer fed.

Two kinds of output, chosen by name in ``--outputs``:
- report writers: every format :func:`scrubber.report.writers.writer_for` knows (json, text,
  html), plus any registered with :func:`register_output`; they get the claims as they stream
  and are written to ``reports/BASE.json``, ``.txt``, ``.html``, ...;
- acknowledgments and the split (999, 277ca, split): `check`'s own outputs, fed in the same
  pass (see :mod:`scrubber.workflows.sweep.ack_outputs`).

The file goes through the same pipeline as `scrubber check` (structure check, rules), so a swept
file is judged exactly as a checked one. Report writers write like
:func:`scrubber.fsutil.atomic_writer` (temporary name, fsync, rename), so a reader or a crash
never sees half a report under its final name; the fsync of the reports folder is done once per
file by the caller instead of once per report.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from scrubber.errors import UnreadableInput
from scrubber.fsutil import atomic_writer
from scrubber.pipeline import Pipeline
from scrubber.report.events import BaseSink, ClaimResult, Sink, Sinks
from scrubber.report.writers import writer_for
from scrubber.workflows.sweep.ack_outputs import ACK_OUTPUTS, NEEDS_STRUCTURE, ack_paths, file_outputs

WriterFactory = Callable[[TextIO], Sink]

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
    """Hook for another report format (a Sink) that writer_for does not make."""
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

    def check(self, pipeline: Pipeline, source: Path, name: str, reports: Path, base: str) -> CheckResult:
        """Check ``source`` into every report; an unreadable file gets 'unreadable' reports instead.

        Errors of the input (not X12, a read error, a checker bug on odd input) make the file
        fail and the sweep go on; errors writing the reports (disk full) are the outbox's and
        propagate, so the run stops with the file still claimed.
        """
        try:
            return self._stream(pipeline, source, name, reports, base)
        except UnreadableInput as error:
            reason = error.reason
        except (OSError, MemoryError):
            raise
        except Exception as error:  # one file's surprise never stops the sweep
            reason = f"internal error while checking: {type(error).__name__}: {error}"
        written = self.write_unreadable(name, reason, reports, base)
        return CheckResult(status="failed", reason=reason, written=written)

    def _stream(self, pipeline: Pipeline, source: Path, name: str, reports: Path, base: str) -> CheckResult:
        result = CheckResult(status="accepted")
        paths = self.writer_paths(reports, base)
        with ExitStack() as stack:
            writers = [
                spec.factory(stack.enter_context(atomic_writer(path, mode=self.mode, fsync_folder=False)))
                for spec, path in zip(self.plan.writers, paths, strict=True)
            ]
            acks = file_outputs(self.plan.acks, reports, pipeline.engine.registry, self.mode, base, result.notes)
            sinks = Sinks([*writers, *([acks] if acks is not None else []), _Watch(result, self.on_claim)])
            sinks.begin(1)
            try:
                totals = pipeline.check(source, sinks, name)
            finally:
                if acks is not None:
                    acks.discard()  # what an error left behind
            if totals.error:
                raise UnreadableInput(name, totals.error)
            sinks.close()
        result.written[:0] = paths
        if acks is not None:
            result.written += acks.written
        result.status = totals.status
        result.sha256 = totals.sha256
        result.claims = totals.summary.claims
        result.accepted = totals.summary.accepted
        result.rejected = totals.summary.rejected
        return result

    def write_notes(self, path: Path, lines: list[str]) -> None:
        """The sweep's own notes on a file (duplicate of what, ISA13 reused, why it failed)."""
        with atomic_writer(path, mode=self.mode, fsync_folder=False) as out:
            out.write("\n".join(lines) + "\n")

    def write_unreadable(self, name: str, reason: str, reports: Path, base: str) -> list[Path]:
        """Reports that say the file could not be checked, and why."""
        paths = self.writer_paths(reports, base)
        with ExitStack() as stack:
            for spec, path in zip(self.plan.writers, paths, strict=True):
                writer = spec.factory(stack.enter_context(atomic_writer(path, mode=self.mode, fsync_folder=False)))
                writer.begin(1)
                writer.unreadable(name, reason)
                writer.close()
        return paths


class _Watch(BaseSink):
    """A sink that notes each claim's interchange (sender, ISA13) for the ledger."""

    def __init__(self, result: CheckResult, on_claim: Callable[[], None]) -> None:
        self._result = result
        self._on_claim = on_claim

    def claim(self, item: ClaimResult) -> None:
        if item.claim is not None:
            control = item.claim.control
            self._result.interchanges.add((control.sender_id, control.isa13))
        self._on_claim()
