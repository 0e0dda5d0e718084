"""A file checked in pieces (``scrubber check --jobs``): the parent's side of the native check.

Protocol, per piece (pieces start before an ST that follows an SE, kind ``st``, or before an
HL*22 inside a transaction, kind ``hl``; the first piece starts the file, kind ``file``)::

    validator = NativeValidator()
    validator.prime(context, kind=kind, hl_count=last_hl)  # ISA, GS (+ ST and HL*20 block for hl)
    start_key = validator.state_key(kind)                   # what the piece assumed
    issues = [i for s in piece for i in validator.feed(s)]
    issues += validator.finish(next_kind)                   # None for the last piece
    end_key = validator.state_key(next_kind)                # what the next piece must assume
    summary, snapshot = validator.summary(), validator.snapshot()

A piece is trusted when its ``start_key`` equals the previous piece's ``end_key`` and its
summary's ``start_ok`` holds; otherwise it is checked again from the previous piece's snapshot
(``restore(snapshot)`` then ``enter_piece(kind)`` instead of ``prime``).

What no piece can see alone (control numbers repeated across pieces, GE01, IEA01 and SE01 counts,
HL parents and LX numbers whose base lies in an earlier piece, reader errors pyx12 charges to the
next segment it places) is recorded as deferred checks; :func:`merge_pieces` settles them in file
order. In a file without such errors it finds nothing. When it does, :attr:`Merge.affected` names
the pieces the issues fall in: check those again with ``restore(previous snapshot)`` and
``enter_piece(kind, facts=merge.starts[n])``, which makes every check exact inside the piece, so
its claims get their issues like any others. :func:`check_in_pieces` runs the whole protocol in
one process; it is the reference the tests hold a cut file to.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

from scrubber.structure.issues import StructureIssue
from scrubber.structure.native.envelope import (
    Counter,
    Deferred,
    EnvelopeFacts,
    as_int,
    count_error,
    hl1_message,
    lx_message,
)
from scrubber.structure.native.validator import NativeValidator, PieceSummary
from scrubber.x12.segment import Segment


@dataclass(slots=True)
class Merge:
    """What :func:`merge_pieces` finds: the issues only the whole file shows, the piece each falls
    in (its claims may need judging again: check it again with ``enter_piece(kind, facts=...)``),
    and the exact facts at the start of every piece."""

    issues: list[StructureIssue]
    affected: list[int]  # pieces holding some of ``issues``
    starts: list[EnvelopeFacts]  # one per piece


class Settlement:
    """The deferred checks settled one piece at a time, in file order (what the parent of
    ``--jobs`` does as pieces come back; :func:`merge_pieces` does it for all pieces at once)."""

    def __init__(self) -> None:
        self._truth = EnvelopeFacts()

    def take(self, summary: PieceSummary, *, last: bool = False) -> tuple[EnvelopeFacts, list[StructureIssue]]:
        """The exact facts at the piece's start, and the issues only the whole file shows in it."""
        truth = self._truth
        start = copy.deepcopy(truth)
        found: list[StructureIssue] = []
        if truth.pending and summary.first_found is not None:
            where, loop = summary.first_found
            for (level, code, message, _own), _origin in truth.pending:
                found.append(StructureIssue(level, code, message, where, loop=loop))
            truth.pending = []
        for item in summary.deferred:
            issue = _settle(item, truth)
            if issue is not None:
                found.append(issue)
        _advance(truth, summary)
        if last and truth.pending and summary.last is not None:
            for (level, code, message, _own), _origin in truth.pending:
                found.append(StructureIssue(level, code, message, summary.last))
            truth.pending = []
        return start, found


def merge_pieces(summaries: Sequence[PieceSummary]) -> Merge:
    """Settle the pieces' deferred checks against the facts of the pieces before them (file order)."""
    settlement = Settlement()
    found: list[StructureIssue] = []
    affected: list[int] = []
    starts: list[EnvelopeFacts] = []
    for number, summary in enumerate(summaries):
        start, issues = settlement.take(summary, last=number == len(summaries) - 1)
        starts.append(start)
        if issues:
            found.extend(issues)
            affected.append(number)
    return Merge(found, affected, starts)


def _settle(item: Deferred, truth: EnvelopeFacts) -> StructureIssue | None:
    """A deferred check against the facts before the piece (``truth``, updated as pyx12 would)."""
    kind, segment, value = item.kind, item.segment, item.value
    error: tuple[str, str, str] | None = None
    if kind in ("isa13", "gs06", "st02"):
        ids = {"isa13": truth.isa_ids, "gs06": truth.gs_ids, "st02": truth.st_ids}[kind]
        if value in ids:
            level, code, seg_id = {"isa13": ("isa", "025", "ISA"), "gs06": ("gs", "6", "GS"),
                                   "st02": ("st", "23", "ST")}[kind]
            error = (level, code, f"{seg_id} Interchange Control Number {value} not unique within file")
    elif kind == "hl1":
        count = truth.hl_count + item.n
        if count != as_int(value):
            error = ("seg", "HL1", hl1_message(count, value))
    elif kind == "hl2":
        parent = as_int(value)
        stack = truth.hl_stack
        if parent in stack:
            while stack[-1] != parent:
                stack.pop()
        else:
            error = ("seg", "HL2", f"HL parent ({parent}) is not a valid parent")
            stack.clear()
    elif kind == "lx":
        count = truth.lx_count + item.n
        if value != str(count):
            error = ("seg", "LX", lx_message(value, count))
    elif kind in ("se01", "ge01", "iea01"):
        base = {"se01": truth.seg_count, "ge01": truth.st_count, "iea01": truth.gs_count}[kind]
        expected = base + item.n
        if as_int(value) != expected:
            level, code, message, _own = count_error(kind, value, item.other, expected)
            error = (level, code, message)
    if error is None:
        return None
    return StructureIssue(error[0], error[1], error[2], segment, loop=item.loop)


def _advance(truth: EnvelopeFacts, summary: PieceSummary) -> None:
    """The facts at the end of the piece: its own where it reset them, else added to the truth."""
    end = summary.envelope
    truth.isa_ids.extend(end.isa_ids.values)
    truth.gs_ids = list(end.gs_ids.values) if end.gs_ids.known else truth.gs_ids + end.gs_ids.values
    truth.st_ids = list(end.st_ids.values) if end.st_ids.known else truth.st_ids + end.st_ids.values
    truth.gs_count = _count(truth.gs_count, end.gs_count)
    truth.st_count = _count(truth.st_count, end.st_count)
    truth.seg_count = _count(truth.seg_count, end.seg_count)
    truth.hl_count = _count(truth.hl_count, end.hl_count)
    truth.lx_count = _count(truth.lx_count, end.lx_count)
    # the open HL parents: the piece's own, above what is left of the truth's when its base was unknown
    truth.hl_stack = (truth.hl_stack if end.hl_prefix else []) + list(end.hl_stack)
    truth.pending.extend(error for error in summary.pending if not error[0][3])


def _count(base: int, counter: Counter) -> int:
    return counter.value if counter.known else base + counter.value


# -- the protocol in one process (the tests' reference) -------------------------------------------------


def cut_points(segments: Sequence[Segment], *, every: int = 1) -> list[tuple[int, str]]:
    """Where the planner may cut: before an ST that follows an SE (``st``), before an HL*22 inside
    a transaction (``hl``); every ``every``-th such place, as (position in ``segments``, kind)."""
    cuts: list[tuple[int, str]] = []
    for position in range(1, len(segments)):
        segment, before = segments[position], segments[position - 1]
        if segment.id == "ST" and before.id == "SE":
            cuts.append((position, "st"))
        elif segment.id == "HL" and segment.get(3) == "22" and _inside_transaction(segments, position):
            cuts.append((position, "hl"))
    return cuts[::every]


def _inside_transaction(segments: Sequence[Segment], position: int) -> bool:
    """An HL*20 of the open transaction comes before (the planner needs it as context)."""
    billing = False
    for segment in reversed(segments[:position]):
        if segment.id in ("SE", "GE", "IEA", "ISA", "GS"):
            return False
        if segment.id == "HL" and segment.get(3) == "20":
            billing = True
        if segment.id == "ST":
            return billing
    return False


def context(segments: Sequence[Segment], position: int, kind: str) -> tuple[list[Segment], int | None]:
    """The segments a worker primes with at a cut (ISA, GS; for ``hl`` the ST and the last HL*20
    block), and for ``hl`` the HL count to assume (the HL01 before the cut)."""
    before = segments[:position]
    isa = next(s for s in reversed(before) if s.id == "ISA")
    gs = next(s for s in reversed(before) if s.id == "GS")
    if kind == "st":
        return [isa, gs], None
    start = max(i for i, s in enumerate(before) if s.id == "ST")
    hl20 = max(i for i, s in enumerate(before) if s.id == "HL" and s.get(3) == "20")
    block = [hl20]
    for i in range(hl20 + 1, position):
        if before[i].id == "HL":
            break
        block.append(i)
    last_hl = next(s for s in reversed(before) if s.id == "HL")
    return [isa, gs, before[start], *(before[i] for i in block)], as_int(last_hl.get(1))


def check_in_pieces(
    segments: Sequence[Segment],
    cuts: Sequence[tuple[int, str]],
    rechecked: list[int] | None = None,
    *,
    exact: bool = True,
) -> list[StructureIssue]:
    """Validate ``segments`` cut before the given positions, as ``--jobs`` workers would: each piece
    on its own guessed state (checked again from the previous snapshot when the guess was wrong),
    then the merge, then (``exact``) the pieces the merge found issues in checked again with the
    exact facts instead of taking the merge's issues. The numbers of pieces checked a second time
    for a wrong guess are added to ``rechecked``."""
    bounds = [(0, "file"), *cuts]
    results: list[list[StructureIssue]] = []
    summaries: list[PieceSummary] = []
    snapshots = []
    previous_end = None
    for number, (start, kind) in enumerate(bounds):
        end, next_kind = _extent(bounds, number, len(segments))
        validator = NativeValidator()
        if kind == "file":
            piece_issues, _ok = _run_piece(validator, segments[start:end], next_kind)
        else:
            primed, hl_count = context(segments, start, kind)
            validator.prime(primed, kind=kind, hl_count=hl_count)
            trusted = validator.state_key(kind) == previous_end
            piece_issues, ok = _run_piece(validator, segments[start:end], next_kind)
            if not (trusted and ok):
                if rechecked is not None:
                    rechecked.append(number)
                validator = NativeValidator()
                validator.restore(snapshots[-1])
                validator.enter_piece(kind)
                piece_issues, ok = _run_piece(validator, segments[start:end], next_kind)
        results.append(piece_issues)
        summaries.append(validator.summary())
        previous_end = validator.state_key(next_kind) if next_kind else None
        snapshots.append(validator.snapshot())
    merge = merge_pieces(summaries)
    if not exact:
        return [issue for piece in results for issue in piece] + merge.issues
    for number in merge.affected:  # rare: only files with such errors; the claims there are judged again
        start, kind = bounds[number]
        end, next_kind = _extent(bounds, number, len(segments))
        validator = NativeValidator()
        if number:
            validator.restore(snapshots[number - 1])
        validator.enter_piece(kind, facts=merge.starts[number])
        results[number], _ok = _run_piece(validator, segments[start:end], next_kind)
    return [issue for piece in results for issue in piece]


def _extent(bounds: Sequence[tuple[int, str]], number: int, total: int) -> tuple[int, str | None]:
    if number + 1 < len(bounds):
        return bounds[number + 1][0], bounds[number + 1][1]
    return total, None


def _run_piece(
    validator: NativeValidator, piece: Sequence[Segment], next_kind: str | None
) -> tuple[list[StructureIssue], bool]:
    found: list[StructureIssue] = []
    for segment in piece:
        found.extend(validator.feed(segment))
    found.extend(validator.finish(next_kind))
    return found, validator.summary().start_ok
