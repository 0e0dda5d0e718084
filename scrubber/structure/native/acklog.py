"""What a 999 needs from the native check: interchanges, groups, transactions and their errors.

pyx12 builds its 999 from a tree its error handler grows while it validates, with a cursor: a
segment error lands on the segment node the cursor is at, and the cursor only moves when the
validator announces a segment. That cursor has consequences the 999 shows (a "not used" segment
is reported on the segment before it; a segment error while the cursor is on an envelope segment
does not reach the 999 at all). :class:`AckLog` keeps the same tree under the same rules, so
:mod:`scrubber.acks.ack999` can write the 999 pyx12 would. It only grows with the number of
transactions and errors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(slots=True)
class EleNode:
    position: int
    component: int
    data_element: str
    errors: list[tuple[str, str, str | None]] = field(default_factory=list)  # (code, message, bad value)


@dataclass(slots=True)
class SegNode:
    seg_id: str
    position: int  # segment count from ST, as pyx12 counts it when the node is made
    loop: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)
    elements: list[EleNode] = field(default_factory=list)

    def error_count(self) -> int:
        return len(self.errors) + (1 if any(e.errors for e in self.elements) else 0)


@dataclass(slots=True)
class StNode:
    st01: str | None
    st02: str | None
    st03: str | None
    ack: str = "R"  # pyx12 keeps R until the SE is read
    errors: list[tuple[str, str]] = field(default_factory=list)
    elements: list[EleNode] = field(default_factory=list)
    segments: list[SegNode] = field(default_factory=list)

    def error_count(self) -> int:
        return len(self.errors) + (1 if any(s.error_count() for s in self.segments) else 0)


@dataclass(slots=True)
class GsNode:
    gs01: str | None
    gs06: str | None
    gs08: str | None
    sender: str | None = None  # GS02
    receiver: str | None = None  # GS03
    ack: str | None = None
    count_given: int = 0  # GE01
    count_received: int = 0  # transactions read
    errors: list[tuple[str, str]] = field(default_factory=list)
    elements: list[EleNode] = field(default_factory=list)
    transactions: list[StNode] = field(default_factory=list)

    def error_count(self) -> int:
        return (len(self.errors) + sum(1 for e in self.elements for _ in e.errors)
                + sum(t.error_count() for t in self.transactions))


@dataclass(slots=True)
class IsaNode:
    elements_in: list[str]  # the ISA as read (for the 999's own ISA)
    errors: list[tuple[str, str]] = field(default_factory=list)
    elements: list[EleNode] = field(default_factory=list)
    groups: list[GsNode] = field(default_factory=list)


_Cursor = IsaNode | GsNode | StNode | SegNode


class AckLog:
    """The error tree, grown through the same calls pyx12's error handler receives."""

    def __init__(self) -> None:
        self.interchanges: list[IsaNode] = []
        self.isa: IsaNode | None = None
        self.gs: GsNode | None = None
        self.st: StNode | None = None
        self._cursor: _Cursor | tuple[str, int, str] | None = None
        self._cursor_added = False
        self._element: EleNode | None = None
        self._element_added = False
        self.broken = False  # pyx12 would have failed writing this tree (the 999 is then refused)

    # -- envelopes ----------------------------------------------------------------------------

    def add_isa(self, elements: list[str]) -> None:
        self.isa = IsaNode(list(elements))
        self.interchanges.append(self.isa)
        self._cursor, self._cursor_added = self.isa, True

    def add_gs(self, gs06: str | None, value: Callable[[int], str | None]) -> None:
        """A group opens (``gs06``: the control number pyx12 files it under; ``value``: GS elements)."""
        if self.isa is None:
            self.broken = True
            return
        self.gs = GsNode(value(1), gs06, value(8), value(2), value(3))
        self.isa.groups.append(self.gs)
        self._cursor, self._cursor_added = self.gs, True

    def add_st(self, st01: str | None, st02: str | None, st03: str | None) -> None:
        if self.gs is None:
            self.broken = True
            return
        self.st = StNode(st01, st02, st03)
        self.gs.transactions.append(self.st)
        self._cursor, self._cursor_added = self.st, True

    def close_isa(self) -> None:
        if self.isa is not None:
            self._cursor, self._cursor_added = self.isa, True

    def close_gs(self, ge01: int | None, received: int) -> None:
        gs = self.gs
        if gs is None:
            return
        if ge01 is None:  # pyx12 4.0 raises ValueError on a GE01 that is not a number
            self.broken = True
        gs.ack = "R" if gs.errors or any(t.error_count() for t in gs.transactions) else "A"
        gs.count_given, gs.count_received = ge01 or 0, received
        self._cursor, self._cursor_added = gs, True

    def close_st(self) -> None:
        st = self.st
        if st is None:
            return
        st.ack = "R" if st.error_count() else "A"
        self._cursor, self._cursor_added = st, True

    def envelope_error(self, level: str, code: str, message: str) -> None:
        node = {"isa": self.isa, "gs": self.gs, "st": self.st}[level]
        if node is None:
            self.broken = True
            return
        node.errors.append((code, message))

    # -- segments and elements -------------------------------------------------------------------

    def add_seg(self, seg_id: str, position: int, loop: str = "") -> None:
        """Move the cursor to a new segment (its node is made only if an error lands on it)."""
        self._cursor, self._cursor_added = (seg_id, position, loop), False

    def _segment_cursor(self) -> _Cursor | None:
        cursor = self._cursor
        if isinstance(cursor, tuple):
            cursor = self._cursor = SegNode(*cursor)
        return cursor

    def seg_error(self, code: str, message: str) -> None:
        cursor = self._segment_cursor()
        if not isinstance(cursor, SegNode):
            return  # pyx12's envelope nodes refuse segment errors (its handler drops them)
        if not self._cursor_added:
            if self.st is None:
                return
            self.st.segments.append(cursor)
            self._cursor_added = True
        cursor.errors.append((code, message))

    def add_ele(self, position: int, component: int, data_element: str) -> None:
        self._element, self._element_added = EleNode(position, component, data_element), False

    def ele_error(self, code: str, message: str, bad: str | None) -> None:
        cursor, element = self._segment_cursor(), self._element
        if cursor is None or element is None:
            return
        if not self._cursor_added:
            if self.st is None:
                self.broken = True  # pyx12 raises AttributeError here
                return
            self.st.segments.append(cursor)  # type: ignore[arg-type]
            self._cursor_added = True
        if not self._element_added:
            cursor.elements.append(element)
            self._element_added = True
        element.errors.append((code, message, bad))
