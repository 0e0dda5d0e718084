"""A sweep's totals and the exit code cron sees.

Exit codes (documented in the README and ``scrubber sweep --help``):

- 0  every file picked up was accepted, rejected or set aside as a duplicate (or nothing to do)
- 1  at least one file failed: not X12, unreadable, or it broke the checker (it is in failed/),
     or could not be moved out of the inbox (it is still there; the log says why)
- 2  usage or configuration error (no inbox, bad option); nothing was touched
- 3  the sweep stopped early on an outbox or ledger error (disk full, permissions); the file it
     was working on stays claimed in processing/ and the next run finishes it
- 75 another sweep holds the outbox lock; this run did nothing (EX_TEMPFAIL: try again later)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

EXIT_OK = 0
EXIT_FILE_FAILED = 1
EXIT_USAGE = 2
EXIT_STOPPED = 3
EXIT_LOCKED = 75

OUTCOMES = ("accepted", "rejected", "failed", "duplicate")


@dataclass
class RunSummary:
    """Counts for the one summary event per run; file names, control numbers and counts only."""

    seen: int = 0  # regular files in the inbox that are not markers or dot files
    processed: int = 0  # files that reached a final folder in this run (duplicates included)
    accepted: int = 0
    rejected: int = 0
    failed: int = 0
    duplicates: int = 0
    waiting: int = 0  # still uploading (or no done marker yet): left for the next run
    recovered: int = 0  # claims left by an interrupted run and finished in this one
    unclaimable: int = 0  # ready, but could not be moved out of the inbox (permissions): left there
    seconds: float = 0.0
    stopped: str = ""  # why the run stopped early, when it did

    def count(self, outcome: str) -> None:
        self.processed += 1
        if outcome == "duplicate":
            self.duplicates += 1
        else:
            setattr(self, outcome, getattr(self, outcome) + 1)

    @property
    def exit_code(self) -> int:
        if self.stopped:
            return EXIT_STOPPED
        return EXIT_FILE_FAILED if self.failed or self.unclaimable else EXIT_OK

    def as_log(self) -> dict[str, object]:
        fields = asdict(self)
        if not self.stopped:
            fields.pop("stopped")
        return fields
