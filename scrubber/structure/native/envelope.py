"""Envelope, HL and LX bookkeeping, as pyx12's X12 reader keeps it (``x12file``), restated.

Per segment: a leading space, trailing element separators, an empty segment or a bad segment id;
ISA13/GS06/ST02 repeated in their scope; HL01 against the count of HL segments and HL02 against
the open HL parents; LX01 against the count of lines since the CLM; IEA/GE/SE against the open
envelope (control number and count). At the end of the data, every envelope still open is
reported missing its trailer.

A piece of a file (``scrubber check --jobs``) starts with some of this unknown: how many groups,
transactions, segments or lines came before, which control numbers were used, which HL parents
are open. In piece mode such a base is marked unknown and every check that needs it is recorded
as a :class:`Deferred` check instead; :func:`scrubber.structure.native.pieces.merge_pieces`
settles them once the pieces before are known. A whole file is one piece whose bases are known.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from scrubber.structure.native.elements import element_value
from scrubber.x12.segment import Segment

_SEG_ID = re.compile(r"[A-Z][A-Z0-9]{1,2}\Z")
ENVELOPE = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE"})
_COUNTED = frozenset({"HL", "CLM", "LX"})  # HL numbers and parents, service line numbers (see counted)
_SPECIAL = ENVELOPE | _COUNTED  # segments the bookkeeping looks into
GOOD_IDS: set[str] = set()  # segment ids seen to be well formed (a cache of the id check)
PLAIN_IDS: set[str] = set()  # of those, the ones the bookkeeping does not look into (only counts)

_NO_ERRORS: list = []  # shared, never appended to

# (level, code, message, own): ``own`` errors are charged to their segment whenever they are
# handled; the others to the segment pyx12 is at when it handles them (see NativeValidator).
ReaderError = tuple[str, str, str, bool]


class StopCheck(Exception):
    """The data is such that pyx12 gives up for good (an ISA without 16 elements)."""


def as_int(value: str | None) -> int | None:
    """pyx12's lenient integer reading: None when Python's int() refuses."""
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


@dataclass(slots=True)
class Deferred:
    """A check whose base lies before the piece: settled by the merge.

    kind: isa13 / gs06 / st02 (``value`` repeated in its scope?), hl1 (HL01 against base + n),
    hl2 (HL02 ``value`` among the open parents), lx (LX01 against base + n), se01 / ge01 / iea01
    (count against base + n).
    """

    kind: str
    segment: Segment
    value: str | None
    n: int = 0
    other: str | None = None  # SE02 / GE02 / IEA02 for the count messages
    loop: str = ""  # the TR3 loop of the segment it is charged to


@dataclass(slots=True)
class Counter:
    """A count whose base may be unknown (piece mode): value is then relative to the base."""

    value: int = 0
    known: bool = True

    def set(self, value: int) -> None:
        self.value, self.known = value, True


@dataclass(slots=True)
class IdSet:
    """Control numbers used in a scope; ``known`` False when the scope began before the piece."""

    values: list[str | None] = field(default_factory=list)
    known: bool = True


@dataclass(slots=True)
class EnvelopeFacts:
    """The envelope facts at a piece boundary, as a whole-file pass holds them there."""

    isa_ids: list[str | None] = field(default_factory=list)
    gs_ids: list[str | None] = field(default_factory=list)
    st_ids: list[str | None] = field(default_factory=list)
    gs_count: int = 0
    st_count: int = 0
    seg_count: int = 0
    hl_count: int = 0
    lx_count: int = 0
    hl_stack: list[int] = field(default_factory=list)
    pending: list[tuple[ReaderError, Segment]] = field(default_factory=list)  # for the next placed segment



@dataclass(slots=True)
class EnvelopeState:
    """Everything the bookkeeping carries from one segment to the next (picklable)."""

    loops: list[tuple[str, str | None]] = field(default_factory=list)
    isa_ids: IdSet = field(default_factory=IdSet)
    gs_ids: IdSet = field(default_factory=IdSet)
    st_ids: IdSet = field(default_factory=IdSet)
    gs_count: Counter = field(default_factory=Counter)
    st_count: Counter = field(default_factory=Counter)
    seg_count: Counter = field(default_factory=Counter)
    hl_count: Counter = field(default_factory=Counter)
    lx_count: Counter = field(default_factory=Counter)
    hl_stack: list[int] = field(default_factory=list)
    hl_prefix: bool = False  # open HL parents from before the piece lie below hl_stack
    check_lx: bool = False  # set once a GS has selected the 837 map
    deferred: list[Deferred] = field(default_factory=list)

    def adopt(self, facts: EnvelopeFacts) -> None:
        """Take the exact facts a whole-file pass holds here."""
        self.isa_ids = IdSet(list(facts.isa_ids))
        self.gs_ids = IdSet(list(facts.gs_ids))
        self.st_ids = IdSet(list(facts.st_ids))
        self.gs_count.set(facts.gs_count)
        self.st_count.set(facts.st_count)
        self.seg_count.set(facts.seg_count)
        self.hl_count.set(facts.hl_count)
        self.lx_count.set(facts.lx_count)
        self.hl_stack, self.hl_prefix = list(facts.hl_stack), False
        self.deferred = []

    def unknown_bases(self) -> None:
        """Enter piece mode: what came before the piece is not known here."""
        self.isa_ids = IdSet(known=False)
        self.gs_ids = IdSet(list(self.gs_ids.values), known=False)
        self.st_ids = IdSet(list(self.st_ids.values), known=False)
        for counter in (self.gs_count, self.st_count, self.seg_count, self.lx_count):
            counter.known = False
            counter.value = 0
        self.hl_prefix = True
        self.hl_stack = []
        self.deferred = []


def parse_segment(state: EnvelopeState, segment: Segment) -> tuple[list[str], list[ReaderError]]:
    """The reader's checks on one segment; returns the elements pyx12 reads and its errors.

    Raises :class:`StopCheck` where pyx12 stops reading.
    """
    elements = segment.elements
    seg_id = elements[0]
    component = segment.delimiters.component
    first = elements[1] if len(elements) > 1 else ""
    if (
        seg_id in GOOD_IDS
        and elements[-1]
        and first
        and (component not in first or first.replace(component, ""))
    ):
        errors: list[ReaderError] = _NO_ERRORS  # the common case: nothing for the reader to say
    else:
        errors, elements = _odd_segment(segment)
        seg_id = elements[0]

    if seg_id not in _SPECIAL:
        state.seg_count.value += 1
        return elements, errors
    if seg_id in _COUNTED:
        found = counted(state, seg_id, elements, component, segment)
        return elements, (errors + found if errors and found else errors or found)
    errors = [] if errors is _NO_ERRORS else errors
    isa = seg_id == "ISA"

    def value(position: int) -> str | None:
        return element_value(elements[position], component, isa) if position < len(elements) else None

    if isa:
        if len(elements) != 17:
            raise StopCheck(f"The ISA segment must have 16 elements ({segment.text})")
        _control_number(state, state.isa_ids, "isa13", "isa", "025", "ISA", value(13), segment, errors)
        state.loops.append(("ISA", value(13)))
        state.gs_count.set(0)
        state.gs_ids = IdSet()
    elif seg_id == "GS":
        _control_number(state, state.gs_ids, "gs06", "gs", "6", "GS", value(6), segment, errors)
        state.gs_count.value += 1
        state.loops.append(("GS", value(6)))
        state.st_count.set(0)
        state.st_ids = IdSet()
    elif seg_id == "ST":
        state.hl_stack, state.hl_prefix = [], False
        state.hl_count.set(0)
        _control_number(state, state.st_ids, "st02", "st", "23", "ST", value(2), segment, errors)
        state.st_count.value += 1
        state.loops.append(("ST", value(2)))
        state.seg_count.set(1)
    if seg_id == "IEA":
        _close(state, "ISA", value, segment, errors)
    elif seg_id == "GE":
        _close(state, "GS", value, segment, errors)
    elif seg_id == "SE":
        _close(state, "ST", value, segment, errors)
    return elements, errors


def counted(
    state: EnvelopeState, seg_id: str, elements: list[str], component: str, segment: Segment
) -> list[ReaderError]:
    """The bookkeeping of an HL (numbers and parents), CLM and LX (service line numbers) whose form
    is already known to be good: what :func:`parse_segment` does for them, called directly by the
    validator's common path."""
    errors: list[ReaderError] = _NO_ERRORS
    if seg_id == "HL":
        errors = []
        size = len(elements)
        _hl(state, element_value(elements[1], component) if size > 1 else None,
            element_value(elements[2], component) if size > 2 else None, segment, errors)
    elif not state.check_lx:
        pass
    elif seg_id == "CLM":
        state.lx_count.set(0)
    else:  # LX
        counter = state.lx_count
        counter.value += 1
        number = element_value(elements[1], component) if len(elements) > 1 else None
        if not counter.known:
            state.deferred.append(Deferred("lx", segment, number, counter.value))
        elif number != str(counter.value):
            errors = [("seg", "LX", lx_message(number, counter.value), False)]
    state.seg_count.value += 1
    return errors


def _odd_segment(segment: Segment) -> tuple[list[ReaderError], list[str]]:
    """The reader's checks of a segment's form: leading space, trailing separators, empty, bad id."""
    errors: list[ReaderError] = []
    elements = segment.elements
    seg_id = elements[0]
    delimiters = segment.delimiters
    if seg_id[:1] == " ":
        errors.append(("seg", "1", "Segment contains a leading space", True))
        elements = segment.text.lstrip().split(delimiters.element)
        seg_id = elements[0]
    if len(elements) > 1 and elements[-1] == "":
        errors.append(("seg", "SEG1", "Segment contains trailing element terminators", True))
    isa = seg_id == "ISA"
    component = delimiters.component
    if all((not value) or (not isa and not value.replace(component, "")) for value in elements[1:]):
        errors.append(("seg", "8", f'Segment "{seg_id}{delimiters.element}{delimiters.segment}" is empty', True))
    if not _SEG_ID.match(seg_id):
        errors.append(("seg", "1", f'Segment identifier "{seg_id}" is invalid', True))
    elif seg_id[:1] != " ":
        GOOD_IDS.add(seg_id)
        if seg_id not in _SPECIAL:
            PLAIN_IDS.add(seg_id)
    return errors, elements


def lx_message(number: str | None, count: int) -> str:
    return f"Your 2400/LX01 Service Line Number {number} does not match my count of {count}"


def hl1_message(count: int, number: str | None) -> str:
    return f"My HL count {count} does not match your HL count {number}"


def _control_number(
    state: EnvelopeState, ids: IdSet, kind: str, level: str, code: str, seg_id: str, number: str | None,
    segment: Segment, errors: list[ReaderError],
) -> None:
    if number in ids.values:
        errors.append((level, code, f"{seg_id} Interchange Control Number {number} not unique within file", False))
    elif not ids.known:
        state.deferred.append(Deferred(kind, segment, number))
    ids.values.append(number)


def _hl(state: EnvelopeState, number: str | None, parent_text: str | None, segment: Segment,
        errors: list[ReaderError]) -> None:
    counter = state.hl_count
    counter.value += 1
    if not counter.known:
        state.deferred.append(Deferred("hl1", segment, number, counter.value))
    elif counter.value != as_int(number):
        errors.append(("seg", "HL1", hl1_message(counter.value, number), False))
    stack = state.hl_stack
    if parent_text != "":
        parent = as_int(parent_text)
        if parent in stack:
            while stack[-1] != parent:
                stack.pop()
        elif state.hl_prefix:
            state.deferred.append(Deferred("hl2", segment, parent_text))
            stack.clear()
        else:
            errors.append(("seg", "HL2", f"HL parent ({parent}) is not a valid parent", False))
            stack.clear()
    stack.append(counter.value)


def _close(
    state: EnvelopeState, opener: str, get: Callable[[int], str | None], segment: Segment, errors: list[ReaderError]
) -> None:
    """IEA, GE or SE: the trailer against the envelope it closes (pyx12's order of checks)."""
    loops = state.loops
    if opener == "ISA":
        if loops and loops[-1][0] != "ISA":
            errors.append(("isa", "024", f"Unterminated Loop {loops[-1][0]}", False))
            loops.pop()
        if not loops:  # pyx12 4.0 raises IndexError here
            errors.append(("isa", "001", f"IEA id={get(2)} closes no open interchange", False))
            return
        if loops[-1][1] != get(2):
            errors.append(("isa", "001", f"IEA id={get(2)} does not match ISA id={loops[-1][1]}", False))
        _count(state, state.gs_count, "iea01", get(1), get(2), segment, errors)
    elif opener == "GS":
        if loops and loops[-1][0] != "GS":
            errors.append(("gs", "3", f"Unterminated segment {loops[-1][1]}", False))
            loops.pop()
        if not loops:
            errors.append(("gs", "4", f"GE id={get(2)} closes no open functional group", False))
            return
        if loops[-1][1] != get(2):
            errors.append(("gs", "4", f"GE id={get(2)} does not match GS id={loops[-1][1]}", False))
        _count(state, state.st_count, "ge01", get(1), get(2), segment, errors)
    else:
        if not loops:
            errors.append(("st", "3", f"SE id={get(2)} closes no open transaction set", False))
            return
        if loops[-1][0] != "ST" or loops[-1][1] != get(2):
            errors.append(("st", "3", f"SE id={get(2)} does not match ST id={loops[-1][1]}", False))
        _count(state, state.seg_count, "se01", get(1), get(2), segment, errors)
    loops.pop()


def _count(state: EnvelopeState, counter: Counter, kind: str, given: str | None, control: str | None,
           segment: Segment, errors: list[ReaderError]) -> None:
    expected = counter.value + (1 if kind == "se01" else 0)
    if not counter.known:
        state.deferred.append(Deferred(kind, segment, given, expected, control))
    elif as_int(given) != expected:
        errors.append(count_error(kind, given, control, expected))


def count_error(kind: str, given: str | None, control: str | None, expected: int) -> ReaderError:
    if kind == "iea01":
        return ("isa", "021", f"IEA count for IEA02={control} is wrong", False)
    if kind == "ge01":
        return ("gs", "5", f"GE count of {given} for GE02={control} is wrong. I count {expected}", False)
    return ("st", "4", f"SE count of {given} for SE02={control} is wrong. I count {expected}", False)


def trailers_missing(state: EnvelopeState) -> list[ReaderError]:
    """At the end of the data: every envelope still open misses its trailer (outermost first)."""
    errors: list[ReaderError] = []
    for kind, number in state.loops:
        if kind == "ST":
            errors.append(("st", "2", f'Mandatory segment "Transaction Set Trailer" (SE={number}) missing', False))
        elif kind == "GS":
            errors.append(("gs", "3", f'Mandatory segment "Functional Group Trailer" (GE={number}) missing', False))
        elif kind == "ISA":
            errors.append(("isa", "023", f'Mandatory segment "Interchange Control Trailer" (IEA={number}) missing',
                           False))
    return errors
