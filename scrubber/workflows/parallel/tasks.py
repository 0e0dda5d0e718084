"""What crosses between the parent and its worker processes: piece tasks and their results."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scrubber.findings import Finding
from scrubber.report.events import ClaimResult
from scrubber.structure.issues import StructureIssue
from scrubber.transaction.walker import WalkerState
from scrubber.workflows.parallel.planner import Boundary
from scrubber.x12.reader import Cursor


@dataclass(frozen=True)
class PieceState:
    """The true state at a piece boundary: where the reader stands and what the walker holds."""

    cursor: Cursor
    walker: WalkerState
    check: Any = None  # the native structure check's state, when it runs


@dataclass
class PieceTask:
    path: str
    name: str
    number: int
    start: int
    end: int | None  # None: to the end of the file
    boundary: Boundary | None  # None for the first piece
    next_kind: str | None  # the next piece's boundary kind; None for the last piece
    sha256: str = ""  # of the whole file, from the plan
    pieces: int = 1  # how many pieces the file has
    segments: bool = False  # ship each claim's segments (a report format shows them)
    resume: PieceState | None = None  # set when the guessed start state proved wrong
    facts: Any = None  # the exact envelope facts at the start, for a re-check the whole file needs
    context_issues: list[StructureIssue] | None = None  # earlier pieces' issues on this piece's HL context

    @property
    def whole(self) -> bool:
        return self.pieces == 1


@dataclass
class PieceResult:
    items: list[ClaimResult | Finding]
    start_key: tuple[Any, ...] | None = None
    end_key: tuple[Any, ...] | None = None
    end: PieceState | None = None
    bytes_read: int = 0
    error: str | None = None  # why the file is not X12 (its first piece)
    unattached: list[tuple[int | None, StructureIssue]] | None = None  # structure issues no claim held
    check: Any = None  # the native check's summary of the piece (what only the whole file settles)
    found: dict[int, list[StructureIssue]] | None = None  # the piece's structure issues by segment position
    context: list[int] | None = None  # positions of the HL context segments the piece was primed with
