"""Cutting one 837P file into pieces that worker processes can check independently.

A piece boundary sits right after a terminator, before an ST that follows an SE, or before an
HL*22 (a subscriber) inside a transaction too large for one piece. One sequential pass over the
bytes (regular expressions and counts in C, no segment objects) finds the envelope and HL
segments and notes, at each boundary, where a reader from the start of the file would stand
(offset, line, segment number) and the context a walker would have there: the ISA, GS and ST it
is in, the last HL*20 block, how many groups and transactions came before.

The plan is a guess that holds for well-formed files: blank or empty segments, stray line breaks
or odd HL numbering can make it wrong. :mod:`scrubber.workflows.parallel` therefore compares the
state each piece ends in with the state the next one assumed, and re-checks a piece that guessed
wrong, so a plan can cost speed but never change a report.

The native TR3 structure check resumes wherever the walker does; pyx12 cannot validate part of
a file, so with ``--structure pyx12`` files are not cut at all (see :mod:`.dispatch`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import BinaryIO

from scrubber.x12.reader import Cursor, NotX12Error, parse_isa_delimiters
from scrubber.x12.segment import Delimiters
from scrubber.x12.values import is_digits

BLOCK = 8 << 20  # bytes scanned at a time
_OVERLAP = 512  # bytes kept between blocks: a segment start (and an envelope segment whole) cut by a block edge is seen
_ENVELOPE_IDS = (b"ISA", b"IEA", b"GS", b"GE", b"ST", b"SE", b"HL")


@dataclass(frozen=True, slots=True)
class Mark:
    """The start of a segment's text in the file (right after the previous terminator)."""

    offset: int
    line: int  # reader line at ``offset``
    index: int  # segments before this one

    def cursor(self, st_index: int = 0) -> Cursor:
        return Cursor(offset=self.offset, line=self.line, index=self.index, st_index=st_index)


@dataclass(frozen=True, slots=True)
class Span:
    """A run of whole segments [start.offset, end) with the reader position at its start."""

    start: Mark
    end: int
    st_index: int = 0  # segments of the open transaction before the span


@dataclass(frozen=True, slots=True)
class Boundary:
    """Where a piece starts, with the context a walker needs to resume there."""

    kind: str  # "st" (before an ST) or "hl" (before an HL*22 inside a transaction)
    at: Span  # the piece's first segment onwards; ``at.end`` is filled in by the next boundary
    delimiters: Delimiters
    context: tuple[Span, ...]  # ISA, GS (and for "hl": ST, HL*20 block) to walk silently
    groups: int  # GS seen in the interchange, the open one included
    transactions: int  # ST seen in the group before the piece (the open one included for "hl")
    last_hl: int = 0  # HL01 of the HL before the piece ("hl" only)


@dataclass
class Plan:
    """Pieces of one file: byte ranges, the first starting at 0, the last running to the end."""

    size: int
    sha256: str
    boundaries: list[Boundary] = field(default_factory=list)

    def ranges(self) -> list[tuple[int, int | None]]:
        starts = [0, *(b.at.start.offset for b in self.boundaries)]
        ends: list[int | None] = [*starts[1:], None]
        return list(zip(starts, ends, strict=True))


@dataclass
class _Scan:
    """Running state of the pass: counts, the open envelopes, the last HL*20 block."""

    delimiters: Delimiters
    piece_size: int
    term: bytes
    next_cut: int
    counted_to: int = 0
    line: int = 1
    index: int = 0
    isa: Span | None = None
    gs: Span | None = None
    st: Mark | None = None
    st_span: Span | None = None
    se: Mark | None = None
    hl20: Mark | None = None
    hl20_block: Span | None = None
    groups: int = 0
    transactions: int = 0
    last_hl: str = ""
    pending: list[tuple[bytes, Mark]] = field(default_factory=list)  # segments whose end is the next mark
    boundaries: list[Boundary] = field(default_factory=list)


def plan(stream: BinaryIO, jobs: int, *, piece_size: int | None = None) -> Plan:
    """Read ``stream`` once: its sha256 and, for ``jobs`` > 1, piece boundaries."""
    digest = hashlib.sha256()
    head = stream.read(BLOCK)
    digest.update(head)
    size = len(head)
    scan = _start(head, jobs, piece_size)
    data, base = head, 0
    while True:
        more = stream.read(BLOCK)
        digest.update(more)
        size += len(more)
        if scan is not None:
            keep = data[-_OVERLAP:] if more else b""
            _scan_block(scan, data, base, final=not more)
            base += len(data) - len(keep)
            data = keep + more
        if not more:
            break
    if scan is not None and size < 2 * scan.piece_size:
        scan.boundaries.clear()  # one piece: not worth a split
    return Plan(size=size, sha256=digest.hexdigest(), boundaries=scan.boundaries if scan else [])


def _start(head: bytes, jobs: int, piece_size: int | None) -> _Scan | None:
    """Scan state for a file that starts with an ISA (no BOM, no leading blanks); else None."""
    if jobs < 2 or not head.startswith(b"ISA"):
        return None
    try:
        delimiters = parse_isa_delimiters(head[:512].decode("latin-1"))
    except NotX12Error:
        return None
    size = piece_size or 1 << 20
    scan = _Scan(delimiters=delimiters, piece_size=size, term=delimiters.segment.encode("latin-1"), next_cut=size)
    scan.pending.append((b"ISA", Mark(0, 1, 0)))
    scan.groups = 0
    return scan


def _pattern(delimiters: Delimiters) -> re.Pattern[bytes]:
    term = re.escape(delimiters.segment.encode("latin-1"))
    element = re.escape(delimiters.element.encode("latin-1"))
    ids = b"|".join(_ENVELOPE_IDS)
    return re.compile(term + rb"[\r\n]*(" + ids + rb")" + element)


_PATTERNS: dict[Delimiters, re.Pattern[bytes]] = {}


def _scan_block(scan: _Scan, data: bytes, base: int, *, final: bool) -> None:
    """Find segment starts in ``data`` (file offset ``base``) and advance the counts past them."""
    pattern = _PATTERNS.setdefault(scan.delimiters, _pattern(scan.delimiters))
    limit = len(data) if final else len(data) - _OVERLAP
    for match in pattern.finditer(data, max(0, scan.counted_to - base - 1)):
        if match.start() >= limit:
            break
        offset = base + match.start() + 1  # right after the terminator
        if offset <= scan.counted_to:
            continue
        _count_to(scan, data, base, offset)
        if not _on_segment(scan, match.group(1), Mark(offset, scan.line, scan.index), data, match.end() - 1):
            scan.next_cut = 1 << 62  # delimiters change: no more pieces in this file
            return
    _count_to(scan, data, base, base + limit)


def _count_to(scan: _Scan, data: bytes, base: int, offset: int) -> None:
    start, end = scan.counted_to - base, offset - base
    scan.index += data.count(scan.term, start, end)
    scan.line += data.count(b"\n", start, end)
    scan.counted_to = offset


def _on_segment(scan: _Scan, sid: bytes, mark: Mark, data: bytes, element_at: int) -> bool:
    """Track envelopes and HL blocks at one segment start; place a boundary when one is due."""
    for pending_id, pending_mark in scan.pending:
        span = Span(pending_mark, mark.offset)
        if pending_id == b"ISA":
            scan.isa = span
        elif pending_id == b"GS":
            scan.gs = span
        elif pending_id == b"ST":
            scan.st_span = span
    scan.pending.clear()
    if scan.hl20 is not None and sid in (b"HL", b"SE"):
        scan.hl20_block = Span(scan.hl20, mark.offset, scan.hl20.index - scan.st.index if scan.st else 0)
        scan.hl20 = None
    if sid == b"ISA":
        if not _same_delimiters(scan, data[element_at - 3 : element_at + 300]):
            return False
        scan.pending.append((sid, mark))
        scan.isa, scan.gs, scan.groups = None, None, 0
    elif sid == b"GS":
        scan.pending.append((sid, mark))
        scan.groups += 1
        scan.transactions = 0
    elif sid == b"ST":
        if mark.offset >= scan.next_cut and scan.se is not None and scan.se.index + 1 == mark.index:
            _cut(scan, "st", mark)
        scan.st, scan.st_span, scan.hl20_block = mark, None, None
        scan.pending.append((sid, mark))
        scan.transactions += 1
    elif sid == b"SE":
        scan.se, scan.st, scan.st_span = mark, None, None
    elif sid == b"HL":
        _on_hl(scan, mark, data, element_at)
    elif sid == b"GE":
        scan.gs = None
    elif sid == b"IEA":
        scan.isa = scan.gs = None
    return True


def _same_delimiters(scan: _Scan, isa: bytes) -> bool:
    """False when a later ISA declares other delimiters (an ISA cut by the block edge passes)."""
    try:
        return parse_isa_delimiters(isa.decode("latin-1")) == scan.delimiters
    except NotX12Error:
        return True


def _on_hl(scan: _Scan, mark: Mark, data: bytes, element_at: int) -> None:
    end = data.find(scan.term, element_at)
    elements = data[element_at + 1 : end].split(scan.delimiters.element.encode("latin-1")) if end > 0 else []
    level = elements[2] if len(elements) > 2 else b""
    number = elements[0] if elements else b""
    huge = scan.st is not None and mark.offset - scan.st.offset >= scan.piece_size  # no ST boundary near
    numbered = is_digits(scan.last_hl)  # not '²': int() refuses it
    if level == b"22" and huge and mark.offset >= scan.next_cut and numbered:
        _cut(scan, "hl", mark)
    if level == b"20":
        scan.hl20 = mark
    scan.last_hl = number.decode("latin-1")


def _cut(scan: _Scan, kind: str, mark: Mark) -> None:
    """Place a boundary at ``mark`` when the context to resume there is complete."""
    if scan.isa is None or scan.gs is None:
        return
    context: tuple[Span, ...] = (scan.isa, scan.gs)
    st_index = 0
    if kind == "hl":
        if scan.st_span is None or scan.hl20_block is None:
            return
        context += (scan.st_span, scan.hl20_block)
        st_index = mark.index - scan.st.index
    scan.boundaries.append(
        Boundary(
            kind=kind,
            at=Span(mark, 0, st_index),
            delimiters=scan.delimiters,
            context=context,
            groups=scan.groups,
            transactions=scan.transactions,
            last_hl=int(scan.last_hl) if kind == "hl" else 0,
        )
    )
    scan.next_cut = mark.offset + scan.piece_size
