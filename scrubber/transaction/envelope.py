"""The one envelope and HL state machine: ISA/GS/ST and their trailers, counts, control numbers, HL chain.

The walker drives it segment by segment; the parallel planner drives it over the envelope segments
it finds, so both agree on what is open at any point of a file. Problems are reported as
:class:`~scrubber.model.ParseIssue` records through the ``report`` callback, in the
order a reader of the file meets them. The open transaction is closed through ``on_close`` first,
so that whatever the walker holds of it (the open claim) comes out before the trailer's issues.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from scrubber.model import Control, IssueKind, ParseIssue
from scrubber.transaction import grammar as g
from scrubber.x12.segment import Segment
from scrubber.x12.values import is_digits

Report = Callable[[ParseIssue], None]
CloseHook = Callable[[Segment, str], None]  # (segment that closes it, cut-off message or '')


@dataclass(slots=True)
class Interchange:
    segment: Segment
    isa13: str
    sender: str
    receiver: str
    groups: int = 0


@dataclass(slots=True)
class Group:
    segment: Segment
    gs06: str
    version: str
    transactions: int = 0


@dataclass(slots=True)
class Transaction:
    segment: Segment
    st02: str
    supported: bool  # an 837P of a version the grammar knows
    control: Control
    last_hl: int = 0
    hl_ids: dict[str, str] = field(default_factory=dict)  # HL03 level code -> the open HL01


@dataclass(frozen=True, slots=True)
class EnvelopeState:
    """What is open: for pieces of a file checked apart (snapshot and restore)."""

    interchange: Interchange | None
    group: Group | None
    tx: Transaction | None


class Envelope:
    """Follows the envelopes and the HL chain of one file."""

    def __init__(self, report: Report, on_close: CloseHook) -> None:
        self._report = report
        self._on_close = on_close
        self.interchange: Interchange | None = None
        self.group: Group | None = None
        self.tx: Transaction | None = None

    def snapshot(self) -> EnvelopeState:
        return EnvelopeState(self.interchange, self.group, self.tx)

    def restore(self, state: EnvelopeState) -> None:
        self.interchange, self.group, self.tx = state.interchange, state.group, state.tx

    def handles(self, segment_id: str) -> bool:
        return segment_id in _HANDLERS

    def segment(self, seg: Segment) -> None:
        """An ISA, IEA, GS, GE, ST or SE segment."""
        _HANDLERS[seg.elements[0]](self, seg)

    # -- interchange and group ----------------------------------------------------------------

    def _isa(self, seg: Segment) -> None:
        if self.interchange is not None:
            self._close_interchange(seg, missing=True)
        self.interchange = Interchange(seg, seg.get(13).strip(), seg.get(6).strip(), seg.get(8).strip())

    def _iea(self, seg: Segment) -> None:
        if self.interchange is None:
            self._issue(IssueKind.TRAILER, "IEA without an ISA", seg)
            return
        self._close_interchange(seg, missing=False)

    def _close_interchange(self, seg: Segment, *, missing: bool) -> None:
        interchange = self.interchange
        assert interchange is not None
        if self.group is not None:
            self._close_group(seg, missing=True)
        if missing:
            self._issue(IssueKind.TRAILER, f"interchange {interchange.isa13} has no IEA", seg)
        else:
            self._compare_count(seg, 1, interchange.groups, "IEA01", "functional groups")
            self._compare_control(seg, 2, interchange.isa13, "IEA02", "ISA13")
        self.interchange = None

    def _gs(self, seg: Segment) -> None:
        if self.interchange is None:
            self._issue(IssueKind.UNEXPECTED, "GS outside an interchange (no ISA)", seg)
        else:
            self.interchange.groups += 1
        if self.group is not None:
            self._close_group(seg, missing=True)
        self.group = Group(seg, seg.get(6), seg.get(8))

    def _ge(self, seg: Segment) -> None:
        if self.group is None:
            self._issue(IssueKind.TRAILER, "GE without a GS", seg)
            return
        self._close_group(seg, missing=False)

    def _close_group(self, seg: Segment, *, missing: bool) -> None:
        group = self.group
        assert group is not None
        if self.tx is not None:
            self._close_transaction(seg, missing=True)
        if missing:
            self._issue(IssueKind.TRAILER, f"functional group {group.gs06} has no GE", seg)
        else:
            self._compare_count(seg, 1, group.transactions, "GE01", "transaction sets")
            self._compare_control(seg, 2, group.gs06, "GE02", "GS06")
        self.group = None

    # -- transaction ---------------------------------------------------------------------------

    def _st(self, seg: Segment) -> None:
        if self.tx is not None:
            self._close_transaction(seg, missing=True)
        if self.group is None:
            self._issue(IssueKind.UNEXPECTED, "ST outside a functional group (no GS)", seg)
        else:
            self.group.transactions += 1
        interchange, group = self.interchange, self.group
        st03 = seg.get(3)
        version = st03 or (group.version if group else "")
        control = Control(
            isa13=interchange.isa13 if interchange else "",
            gs06=group.gs06 if group else "",
            st02=seg.get(2),
            sender_id=interchange.sender if interchange else "",
            receiver_id=interchange.receiver if interchange else "",
            version=version,
        )
        supported = seg.get(1) == g.TRANSACTION_SET and version in g.SUPPORTED_VERSIONS
        self.tx = Transaction(seg, seg.get(2), supported, control)
        if not supported:
            kind = f"{seg.get(1) or '?'} {version or '(no version)'}"
            self._issue(
                IssueKind.UNSUPPORTED,
                f"transaction {seg.get(2)} is {kind}, not an 837P (005010X222A1); it was not checked",
                seg,
                element="ST01",
            )

    def _se(self, seg: Segment) -> None:
        if self.tx is None:
            self._issue(IssueKind.TRAILER, "SE without an ST", seg)
            return
        self._close_transaction(seg, missing=False)

    def _close_transaction(self, seg: Segment, *, missing: bool) -> None:
        tx = self.tx
        assert tx is not None
        self._on_close(seg, f"claim is cut off: transaction {tx.st02} ends without an SE" if missing else "")
        if missing:
            self._issue(IssueKind.TRAILER, f"transaction {tx.st02} has no SE", seg)
        else:
            self._compare_count(seg, 1, seg.st_index, "SE01", "segments from ST to SE")
            self._compare_control(seg, 2, tx.st02, "SE02", "ST02")
        self.tx = None

    def finish(self, end: Segment) -> None:
        """End of data: close whatever is still open, reporting each missing trailer once."""
        if self.tx is not None:
            tx = self.tx
            self._on_close(end, "claim is cut off: the file ends before its transaction's SE")
            self._issue(IssueKind.TRAILER, f"file ends inside transaction {tx.st02}: no SE", end)
            self.tx = None
        if self.group is not None:
            self._issue(IssueKind.TRAILER, f"file ends inside functional group {self.group.gs06}: no GE", end)
            self.group = None
        if self.interchange is not None:
            self._issue(IssueKind.TRAILER, f"file ends inside interchange {self.interchange.isa13}: no IEA", end)
            self.interchange = None

    # -- hierarchy -----------------------------------------------------------------------------

    def hl(self, tx: Transaction, seg: Segment) -> str | None:
        """Number and parent checks of an HL; the loop its level opens (None: not an 837P level)."""
        level = seg.get(3)
        loop = g.HL_LEVELS.get(level)
        hl_id, parent = seg.get(1), seg.get(2)
        tx.last_hl += 1
        if hl_id != str(tx.last_hl):
            self._issue(IssueKind.HIERARCHY, f"HL01 is {hl_id!r}; expected {tx.last_hl}", seg, "HL01", loop or "")
            if is_digits(hl_id):
                tx.last_hl = int(hl_id)
        parent_level = g.HL_PARENT.get(level)
        if parent_level is not None:
            expected = tx.hl_ids.get(parent_level)
            if expected is None or parent != expected:
                self._issue(
                    IssueKind.HIERARCHY,
                    f"HL02 {parent!r} does not name the open {g.HL_NAMES[parent_level]} HL",
                    seg,
                    "HL02",
                    loop or "",
                )
        if loop is None:
            self._issue(IssueKind.UNEXPECTED, f"HL level {level!r} is not used in an 837P", seg, "HL03")
            return None
        tx.hl_ids[level] = hl_id
        for child in g.HL_CHILDREN.get(level, ()):
            tx.hl_ids.pop(child, None)
        return loop

    # -- helpers -------------------------------------------------------------------------------

    def _compare_count(self, seg: Segment, position: int, actual: int, ref: str, what: str) -> None:
        declared = seg.get(position)
        if declared != str(actual) and not (is_digits(declared) and int(declared) == actual):
            self._issue(
                IssueKind.COUNT, f"{ref} says {declared or '(empty)'} but the file holds {actual} {what}", seg, ref
            )

    def _compare_control(self, seg: Segment, position: int, expected: str, ref: str, header: str) -> None:
        value = seg.get(position)
        if value.strip() != expected.strip():
            self._issue(IssueKind.CONTROL, f"{ref} {value!r} does not repeat {header} {expected!r}", seg, ref)

    def _issue(self, kind: IssueKind, message: str, seg: Segment, element: str = "", loop: str = "") -> None:
        self._report(ParseIssue(kind, message, seg, element, loop))


_HANDLERS: dict[str, Callable[[Envelope, Segment], None]] = {
    "ISA": Envelope._isa,
    "IEA": Envelope._iea,
    "GS": Envelope._gs,
    "GE": Envelope._ge,
    "ST": Envelope._st,
    "SE": Envelope._se,
}
ENVELOPE_IDS = frozenset(_HANDLERS)
