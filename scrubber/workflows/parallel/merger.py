"""The parent's side of ``--jobs``: piece results in file order into the sinks, totals per file.

A piece that started from a wrong guess (its start state differs from where the previous piece
ended) is checked again here from the true state, so a plan can cost time but never change the
report. The structure issues no claim of a piece held come back to the parent, which turns them
into the file's findings after the last piece, as a one-process run does at the end of a file.
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import Future
from dataclasses import dataclass, field

import structlog

from scrubber.exitcodes import EXIT_ACCEPTED, EXIT_UNREADABLE, exit_code
from scrubber.findings import Finding
from scrubber.pipeline import Progress, Totals, log_checked
from scrubber.report.events import ClaimResult, FileEnd, Sink
from scrubber.report.model import FileReport
from scrubber.rules.engine import RuleEngine
from scrubber.structure.issues import StructureIssue
from scrubber.structure.native.pieces import Settlement
from scrubber.workflows.parallel.tasks import PieceResult, PieceTask
from scrubber.workflows.parallel.worker import check_piece

log = structlog.get_logger("scrubber.parallel")


@dataclass
class _FileRun:
    """The parent's account of one file while its pieces come back."""

    totals: Totals
    pieces: int = 1
    settlement: Settlement = field(default_factory=Settlement)  # the native check's cross-piece facts
    issues_at: dict[int, list[StructureIssue]] = field(default_factory=dict)  # structure issues by segment
    started: float = field(default_factory=time.perf_counter)
    unattached: list[tuple[int | None, StructureIssue]] = field(default_factory=list)


def _started_right(result: PieceResult) -> bool:
    """The native check saw the piece start with the segment the plan cut before."""
    return result.check is None or result.check.start_ok


class Merger:
    """Writes piece results in file order and keeps each file's totals; ``worst`` is the exit code."""

    def __init__(
        self, sink: Sink, engine: RuleEngine, progress: Progress | None = None, *, quiet: bool = False
    ) -> None:
        """``quiet``: no ``scrubber: error:`` line on stderr for an unreadable file (a Spark executor
        merges; the driver prints those lines once, from the ``files`` table)."""
        self.sink = sink
        self.quiet = quiet
        self.engine = engine
        self.progress = progress
        self.worst = EXIT_ACCEPTED
        self._run: _FileRun | None = None
        self._previous: PieceResult | None = None
        self._unreadable = False

    def take(self, task: PieceTask, future: Future[PieceResult]) -> None:
        """Write out one piece; re-check it first if it started from a wrong guess."""
        result = future.result()
        if task.number == 0:
            self.finish_file()
            if result.error is not None:
                if not self.quiet:
                    print(f"scrubber: error: {task.name}: {result.error}", file=sys.stderr)
                self.sink.unreadable(task.name, result.error)
                self.worst = max(self.worst, EXIT_UNREADABLE)
                self._unreadable = True
                return
            self._unreadable = False
            self._run = _FileRun(Totals(task.name, sha256=task.sha256), pieces=task.pieces)
            self.sink.start_file(task.name)
        run = self._run
        if run is None or self._unreadable:
            return
        previous = self._previous
        guessed_wrong = result.start_key != previous.end_key if previous is not None else False
        if previous is not None and previous.end is not None and (guessed_wrong or not _started_right(result)):
            log.info("piece.rechecked", file=task.name, piece=task.number, reason="start state")
            task.resume = previous.end
            result = check_piece(task)
        if result.check is not None:
            start, issues = run.settlement.take(result.check, last=task.end is None)
            if issues:  # what only the whole file shows falls in this piece: check it with the exact facts
                log.info("piece.rechecked", file=task.name, piece=task.number, reason="envelope facts")
                task.resume, task.facts = previous.end if previous is not None else None, start
                result = check_piece(task)
            above = [issue for index in result.context or () for issue in run.issues_at.get(index, ())]
            if above and previous is not None:  # its claims' HL context carries issues an earlier piece found
                log.info("piece.rechecked", file=task.name, piece=task.number, reason="HL context")
                task.resume, task.context_issues = previous.end, above
                result = check_piece(task)
            for index, found in (result.found or {}).items():
                run.issues_at.setdefault(index, []).extend(i for i in found if i not in run.issues_at.get(index, ()))
        totals = run.totals
        claims = 0
        for item in result.items:
            if isinstance(item, ClaimResult):
                totals.summary.tally(item.status, item.rules)
                self.sink.claim(item)
                claims += 1
            else:
                self._file_finding(totals, item)
        if result.unattached:
            run.unattached.extend(result.unattached)
        totals.bytes_read += result.bytes_read
        if self.progress is not None:
            self.progress(result.bytes_read, claims)
        self._previous = result

    def note(self, totals: Totals) -> None:
        """A file checked outside the pool (standard input), for the exit code."""
        if totals.error:
            print(f"scrubber: error: {totals.name}: {totals.error}", file=sys.stderr)
        self.worst = max(self.worst, exit_code(totals.status))

    def _file_finding(self, totals: Totals, finding: Finding) -> None:
        totals.file_findings.append(finding)
        totals.summary.count([finding])
        self.sink.file_finding(finding)

    def finish_file(self) -> None:
        run, self._run, self._previous = self._run, None, None
        if run is None:
            return
        totals = run.totals
        if run.unattached:
            unplaced = [item for item in run.unattached if item[0] is None]
            placed = sorted((item for item in run.unattached if item[0] is not None), key=lambda item: item[0] or 0)
            for finding in self.engine.structure_leftovers(unplaced + placed, totals.file_findings):
                self._file_finding(totals, finding)
        header = FileReport(
            file=totals.name,
            sha256=totals.sha256,
            status=totals.status,
            summary=totals.summary,
            file_findings=totals.file_findings,
        )
        self.sink.finish_file(FileEnd(header))
        log_checked(totals.name, totals, run.started, pieces=run.pieces)
        self.worst = max(self.worst, exit_code(totals.status))
