"""The native TR3 structure check: fed the reader's segments one at a time, in the walker's pass.

Per segment, in pyx12's order: the reader's checks (:mod:`.envelope`), the walk that places the
segment in the map (:mod:`.walk`), then its elements (:mod:`.elements`). Issues use pyx12's
levels and codes and are placed as :mod:`scrubber.structure.pyx12_adapter` places pyx12's: a
missing segment is charged to the segment before the gap. When ``feed(k)`` returns, every issue
about segments up to k has been returned, so a claim the walker closes at k has all of its own.

For ``scrubber check --jobs``: :meth:`prime` walks a piece's context silently and enters piece
mode, :meth:`snapshot`/:meth:`restore` carry the state between processes, :meth:`state_key`
says what the next piece's first segment can observe, and :meth:`summary` hands the parent what
only the whole file can settle (:mod:`.pieces`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from scrubber.structure.issues import StructureIssue
from scrubber.structure.native.acklog import AckLog
from scrubber.structure.native.elements import Problem, element_value
from scrubber.structure.native.envelope import (
    GOOD_IDS,
    PLAIN_IDS,
    Deferred,
    EnvelopeFacts,
    EnvelopeState,
    ReaderError,
    StopCheck,
    as_int,
    counted,
    parse_segment,
    trailers_missing,
)
from scrubber.structure.native.grammar import MAXINT, Grammar, Node, load_grammar
from scrubber.structure.native.matching import (
    counter_limits,
    first_open,
    matcher,
    opens,
    other_maps,
    qualifier,
    relevant_counters,
    route,
    value_at,
)
from scrubber.structure.native.tables import shared
from scrubber.structure.native.walk import Plan, WalkError
from scrubber.x12.segment import PrintableBatch, Segment

MAX_ISSUES = 10_000  # per file, as the pyx12 adapter keeps
_NONE: tuple[StructureIssue, ...] = ()
_TRAILERS = frozenset({"IEA", "GE", "SE"})
_KEPT = frozenset({"HL", "CLM", "LX"})  # bookkept segments that take the common path (feed) too
_NO_WALK_ERRORS: list[WalkError] = []  # shared, never appended to
_NO_READER_ERRORS: list[ReaderError] = []  # shared, never appended to
# A stand-in for the segment that opens the next piece, to learn what it will find (state_key).
_NEXT = {"st": ["ST", "837", "", "005010X222A1"], "hl": ["HL", "", "", "22", ""]}


@dataclass(slots=True)
class ValidatorState:
    """Everything carried from one segment to the next (picklable, see snapshot/restore)."""

    node: int
    counts: dict[int, int] = field(default_factory=dict)
    envelope: EnvelopeState = field(default_factory=EnvelopeState)
    icvn: str | None = None
    map_selected: bool = False
    stopped: bool = False
    loop: str = ""
    previous: Segment | None = None
    pending: list[tuple[ReaderError, Segment]] = field(default_factory=list)  # reader errors not yet handled
    pending_deferred: list[Deferred] = field(default_factory=list)


@dataclass(slots=True)
class PieceSummary:
    """What one piece leaves to the parent: checks on what came before it, and its end state."""

    kind: str  # what the piece started at: "file", "st" or "hl"
    start_ok: bool  # its first segment was of that kind (else the plan's guess cannot be trusted)
    first_found: tuple[Segment, str] | None  # first segment placed in the map (and its loop): where
    # reader errors an earlier piece left pending land
    deferred: list[Deferred]
    pending: list[tuple[ReaderError, Segment]]  # reader errors left for the next placed segment
    envelope: EnvelopeState  # at the end (counts relative to the start where the base is unknown)
    last: Segment | None = None


class NativeValidator:
    """Validates one file's segments against pyx12's 005010X222A1 map, streaming."""

    def __init__(self, grammar: Grammar | None = None, *, max_issues: int = MAX_ISSUES) -> None:
        self.grammar = grammar or load_grammar()
        self.nodes: list[Node] = self.grammar.nodes
        self._walk, self._checker = shared(self.grammar)
        self.state = ValidatorState(self.grammar.control_isa)
        self.ack = AckLog()
        self.issues_seen = 0
        self.max_issues = max_issues
        self.truncated = False
        self._out: list[StructureIssue] = []
        self._silent = False
        self._piece_kind = "file"
        self._first_pending = False  # piece mode: the next segment is the piece's first
        self._start_ok = True
        self._first_found: tuple[Segment, str] | None = None
        self._first_segment: Segment | None = None
        self._deferred: list[Deferred] = []
        self._qualifiers = self.grammar.qualifier_at
        self._counter_max = counter_limits(self.nodes)
        self._relevant: dict[int, tuple[int, ...]] = {}
        self._plans = self._walk.plans
        self._steps = self._walk.steps
        self._routes: dict[str, tuple[bool, int, int]] = {}
        self._fast = self._checker.fast

    # -- the stream ---------------------------------------------------------------------------

    def feed(self, segment: Segment) -> list[StructureIssue] | tuple[StructureIssue, ...]:
        """Check one segment; return the issues now known (all of them for segments up to this one)."""
        return self.feed_batch((segment,))

    def feed_batch(self, segments: Sequence[Segment]) -> list[StructureIssue] | tuple[StructureIssue, ...]:
        """Check a run of segments in file order; return the issues now known (as :meth:`feed`).

        The common case (a well-formed segment the cached step places with nothing to say) runs
        here with the state in local names; anything else takes :meth:`_segment`.
        """
        state = self.state
        routes, steps, checker, nodes = self._routes, self._steps, self._checker, self.nodes
        counts, envelope, ack = state.counts, state.envelope, self.ack
        seg_count = envelope.seg_count
        careful = self._first_pending or state.stopped
        untracked = self._first_found is None and not self._silent
        previous = state.previous
        printable = type(segments) is PrintableBatch  # the generated tests skip the character-set test
        for segment in segments:
            elements = segment.elements
            seg_id = elements[0]
            route = routes.get(seg_id) or self._route(seg_id)
            step = None
            if route is not None and not careful:
                component = segment.delimiters.component
                first = elements[1] if len(elements) > 1 else ""
                if elements[-1] and first and (component not in first or first.replace(component, "")):
                    position = route[1]
                    if position < 0:
                        step = steps.get((state.node, seg_id))
                    elif position < len(elements):
                        value = elements[position]
                        if route[2]:
                            step = steps.get((state.node, (seg_id, value.partition(component)[0])))
                        elif component not in value:
                            step = steps.get((state.node, (seg_id, value)))
            if step is not None and step[0](counts):
                # the walk is applied (quick found nothing to say): what _segment does then
                if route[0]:
                    seg_count.value += 1
                    errors = _NO_READER_ERRORS
                else:  # HL, CLM, LX: the bookkeeping (it does not read the counts the walk changed)
                    errors = counted(envelope, seg_id, elements, component, segment)
                _quick, target, loop, fast = step
                state.node = target
                state.loop = loop
                ack._cursor, ack._cursor_added = (seg_id, seg_count.value, loop), False
                if untracked:
                    self._first_found, untracked = (segment, loop), False
                if errors or state.pending:
                    self._handle([*state.pending, *((error, segment) for error in errors)], segment)
                    state.pending = []
                if envelope.deferred:
                    self._place_deferred(segment, state)
                if not fast(elements, component, printable):
                    problems = checker.check(nodes[target], elements, component)
                    if problems:
                        self._elements(problems, segment)
            elif state.stopped:
                break
            else:
                state.previous = previous
                try:
                    self._segment(segment, state)
                except StopCheck as error:
                    state.stopped = True
                    self._issue("engine", "stopped", f"the TR3 check stopped here ({error})", segment, loop="")
                    ack.broken = True
                    previous = segment
                    break
                careful = self._first_pending
                untracked = self._first_found is None and not self._silent
            previous = segment
        state.previous = previous
        out = self._out
        if out:
            self._out = []
            return out
        return _NONE

    def finish(self, next_kind: str | None = None) -> list[StructureIssue]:
        """End of the data (``next_kind`` None) or of a piece followed by an ``st``/``hl`` cut."""
        state = self.state
        if not state.stopped and state.previous is not None:
            if next_kind is None:
                last = state.previous
                errors = [*state.pending, *((error, last) for error in trailers_missing(state.envelope))]
                state.pending = []
                self._handle(errors, last)
                self._place_deferred(last, state)
            else:
                self._boundary(next_kind, state)
        out, self._out = self._out, []
        return out

    def check(self, segments: Iterable[Segment]) -> list[StructureIssue]:
        """All issues of a whole stream (a convenience for tests and tools)."""
        return self.check_batches([list(segments)])

    def check_batches(self, batches: Iterable[Sequence[Segment]]) -> list[StructureIssue]:
        """All issues of a whole stream fed as the pipeline feeds it: the reader's batches."""
        found = [issue for batch in batches for issue in self.feed_batch(batch)]
        return [*found, *self.finish()]

    # -- one segment ----------------------------------------------------------------------------

    def _route(self, seg_id: str) -> tuple[bool, int, int] | None:
        """How :meth:`feed`'s common case reads a segment id (see :func:`.matching.route`)."""
        found = route(seg_id, seg_id in PLAIN_IDS, seg_id in _KEPT and seg_id in GOOD_IDS, self._qualifiers)
        if found is not None:
            self._routes[seg_id] = found
        return found

    def _segment(self, segment: Segment, state: ValidatorState) -> None:
        """Anything the common case of :meth:`feed_batch` does not take: odd forms, envelopes, a
        piece's first segment, a walk with something to say."""
        component = segment.delimiters.component
        elements, errors = parse_segment(state.envelope, segment)
        seg_id = elements[0]
        if self._first_pending:
            self._first_pending = False
            self._first_segment = segment
            self._start_ok = opens(self._piece_kind, elements, segment.delimiters.component)
        if seg_id == "ISA" or seg_id == "GS":
            self._forced(seg_id, elements, segment, state)
        else:
            start = state.node
            signature = self._signature(seg_id, elements, component)
            plan = self._plans.get((start, signature))
            if plan is None:
                plan = self._walk.plan(start, signature, lambda: matcher(seg_id, elements, component))
            quick = plan.quick
            if quick is not None and (seg_id in PLAIN_IDS or seg_id in _KEPT) and plan.target >= 0:
                steps = self._steps
                if (start, signature) not in steps:
                    target = plan.target
                    steps[(start, signature)] = (quick, target, self.nodes[target].loop_id,
                                                 self._checker.fast_for(self.nodes[target]))
            if quick is not None and quick(state.counts):
                walk_errors = _NO_WALK_ERRORS
            else:
                walk_errors = self._walk.run(plan, state.counts, seg_id, start, elements, component)
            target = plan.target
            if target >= 0:
                state.node = target
                state.loop = self.nodes[target].loop_id
            if walk_errors:
                self._walk_errors(walk_errors, seg_id, segment, state)
            if target < 0:
                self._postpone(errors, segment, state)
                return
            if seg_id not in _TRAILERS:
                if seg_id == "ST":
                    loops = state.envelope.loops
                    self.ack.add_st(value_at(elements, 1, component), first_open(loops, "ST"),
                                    value_at(elements, 3, component))
                else:
                    ack = self.ack
                    ack._cursor, ack._cursor_added = (seg_id, state.envelope.seg_count.value, state.loop), False
        if self._first_found is None and not self._silent:
            self._first_found = (segment, state.loop)
        if errors or state.pending:
            self._handle([*state.pending, *((error, segment) for error in errors)], segment)
            state.pending = []
        if state.envelope.deferred:
            self._place_deferred(segment, state)
        if seg_id in _TRAILERS:
            self._after(seg_id, elements, state)
        component = segment.delimiters.component
        fast = self._fast.get(state.node)
        if fast is not None and fast(elements, component):
            return  # the common case: the generated test vouches for the segment
        problems = self._checker.check(self.nodes[state.node], elements, component)
        if problems:
            self._elements(problems, segment)

    def _forced(self, seg_id: str, elements: list[str], segment: Segment, state: ValidatorState) -> None:
        """ISA and GS: pyx12 does not walk to them, it restarts their loop (and picks the map at a GS)."""
        grammar = self.grammar
        state.loop = ""
        component = segment.delimiters.component
        if seg_id == "ISA":
            state.node = grammar.control_isa
            self._walk.force(state.counts, "/ISA_LOOP", "/ISA_LOOP/ISA")
            self.ack.add_isa(elements)
            state.icvn = elements[12] if len(elements) > 12 else None
        else:
            self._walk.force(state.counts, "/ISA_LOOP/GS_LOOP", "/ISA_LOOP/GS_LOOP/GS")
            self._select_map(elements, segment, state)
            state.node = grammar.transaction_gs
            gs06 = first_open(state.envelope.loops, "GS")
            self.ack.add_gs(gs06, lambda position: value_at(elements, position, component))

    def _walk_errors(self, walk_errors: list[WalkError], seg_id: str, segment: Segment, state: ValidatorState) -> None:
        opening = segment is self._first_segment and self._piece_kind != "file"
        position = state.envelope.seg_count.value
        ack = self.ack
        for code, message, charge, ik3, new_node in walk_errors:
            if charge:
                if opening:
                    continue  # the previous piece reports what its end leaves missing
                where = state.previous if state.previous is not None and segment.index > 1 else segment
                message = f"{message} after this segment" if where is not segment else message
            else:
                where = segment
            if new_node:
                ack.add_seg(ik3 or seg_id, position, state.loop)
            ack.seg_error(code, message)
            self._issue("seg", code, message, where)

    def _signature(self, seg_id: str, elements: list[str], component: str) -> object:
        places = self._qualifiers.get(seg_id)
        if places is None:
            return seg_id
        return (seg_id, *(qualifier(elements, place, component) for place in places))

    def _select_map(self, elements: list[str], segment: Segment, state: ValidatorState) -> None:
        component = segment.delimiters.component
        gs01 = element_value(elements[1], component) if len(elements) > 1 else None
        gs08 = element_value(elements[8], component) if len(elements) > 8 else None
        grammar = self.grammar
        if (state.icvn, gs08, gs01) != (grammar.icvn, grammar.gs08, grammar.gs01):
            known = other_maps().get((state.icvn, gs08, gs01))
            reason = (f"the native check has only the {grammar.gs08} map, not {known}" if known
                      else f"EngineError: no TR3 map for GS01 {gs01!r} and GS08 {gs08!r}")
            raise StopCheck(reason)
        state.map_selected = True
        state.envelope.check_lx = True

    def _after(self, seg_id: str, elements: list[str], state: ValidatorState) -> None:
        if seg_id == "IEA":
            self.ack.close_isa()
        elif seg_id == "GE":
            ge01 = as_int(elements[1]) if len(elements) > 1 else None
            self.ack.close_gs(ge01, state.envelope.st_count.value)
        elif seg_id == "SE":
            self.ack.close_st()

    def _postpone(self, errors: list[ReaderError], segment: Segment, state: ValidatorState) -> None:
        """pyx12 leaves a segment it cannot place without handling its reader errors: the next
        placed segment (or the end) takes them. Errors that name their own line are still
        charged to this segment, so they are reported now."""
        for error in errors:
            level, code, message, own = error
            if own:
                self._issue(level, code, message, segment)
            state.pending.append((error, segment))

    def _handle(self, errors: list[tuple[ReaderError, Segment]], current: Segment) -> None:
        ack = self.ack
        for (level, code, message, own), origin in errors:
            if level == "seg":
                ack.seg_error(code, message)
            else:
                ack.envelope_error(level, code, message)
            if own and origin is not current:
                continue  # reported when its segment was read
            self._issue(level, code, message, origin if own else current)

    def _place_deferred(self, segment: Segment, state: ValidatorState) -> None:
        envelope = state.envelope
        if envelope.deferred:
            for item in envelope.deferred:
                item.segment, item.loop = segment, state.loop
            self._deferred.extend(envelope.deferred)
            envelope.deferred = []

    def _elements(self, problems: tuple[Problem, ...], segment: Segment) -> None:
        ack = self.ack
        last: tuple[int, int] | None = None
        for level, code, message, position, component, data_element, bad in problems:
            if level == "seg":
                ack.seg_error(code, message)
                self._issue("seg", code, message, segment)
                continue
            if (position, component) != last:
                ack.add_ele(position, component, data_element)
                last = (position, component)
            ack.ele_error(code, message, bad)
            self._issue("ele", code, message, segment, position, component, data_element)

    def _issue(self, level: str, code: str, message: str, segment: Segment | None, element: int = 0,
               component: int = 0, data_element: str = "", loop: str | None = None) -> None:
        if self._silent:
            return
        self.issues_seen += 1
        if self.issues_seen > self.max_issues:
            self.truncated = True
            return
        self._out.append(StructureIssue(level, code, message, segment, element, component, data_element,
                                        self.state.loop if loop is None else loop))

    # -- pieces ---------------------------------------------------------------------------------

    def prime(self, segments: Iterable[Segment], *, kind: str = "st", hl_count: int | None = None) -> None:
        """Walk a piece's context (ISA, GS; for an ``hl`` cut also the ST and the HL*20 block)
        without output, then enter piece mode: what came before the context is unknown."""
        self._silent = True
        try:
            self.feed_batch(list(segments))
        finally:
            self._silent = False
        self.enter_piece(kind, hl_count=hl_count)

    def enter_piece(self, kind: str, *, hl_count: int | None = None, facts: EnvelopeFacts | None = None) -> None:
        """Start a piece here (after :meth:`prime` or :meth:`restore`). Without ``facts`` what came
        before is unknown and checks that need it are deferred to the merge; with the exact facts
        (:attr:`.pieces.Merge.starts`) every check is made here."""
        envelope = self.state.envelope
        self.state.pending = []
        if facts is None:
            envelope.unknown_bases()
            if hl_count is not None:
                envelope.hl_count.set(hl_count)
        else:
            envelope.adopt(facts)
            self.state.pending = list(facts.pending)
        self._piece_kind = kind
        self._first_pending = True
        self._first_found = None
        self._first_segment = None
        self._deferred = []
        self.ack = AckLog()

    def snapshot(self) -> ValidatorState:
        """A copy of the state (picklable): restore it here or in another process to go on."""
        return copy.deepcopy(self.state)

    def restore(self, state: ValidatorState) -> None:
        self.state = copy.deepcopy(state)

    def summary(self) -> PieceSummary:
        """The piece's deferred checks and end state, for :func:`.pieces.merge_pieces`."""
        return PieceSummary(self._piece_kind, self._start_ok, self._first_found, list(self._deferred),
                            list(self.state.pending), copy.deepcopy(self.state.envelope), self.state.previous)

    def state_key(self, kind: str) -> tuple[Any, ...]:
        """What a segment of ``kind`` (``st``: an ST after an SE, ``hl``: an HL*22) will observe from
        here: equal keys mean equal issues from that segment on (given the merge's deferred checks)."""
        state = self.state
        counts = dict(state.counts)
        plan, _errors = self._next_plan(kind, state, counts)
        node = plan.target if plan.target >= 0 else state.node
        limits = self._counter_max
        seen = tuple(
            (key, min(counts[key], 1) if limits.get(key, MAXINT) == MAXINT else counts[key])
            for key in self._relevant_counters(node)
            if counts.get(key)
        )
        envelope = state.envelope
        hl = (envelope.hl_count.value, envelope.hl_count.known) if kind == "hl" else None
        return (kind, node, seen, tuple(envelope.loops), envelope.check_lx, state.icvn, state.map_selected,
                state.stopped, hl)

    def _next_plan(self, kind: str, state: ValidatorState, counts: dict[int, int]) -> tuple[Plan, list[WalkError]]:
        """The walk a segment opening the next piece (``st``/``hl``) would take from here, applied
        to ``counts`` (a copy), and the errors it would find."""
        elements = _NEXT[kind]
        plan = self._walk.plan(state.node, self._signature(elements[0], elements, ":"),
                               lambda: matcher(elements[0], elements, ":"))
        return plan, self._walk.run(plan, counts, elements[0], state.node, elements, ":")

    def _relevant_counters(self, start: int) -> tuple[int, ...]:
        found = self._relevant.get(start)
        if found is None:
            found = self._relevant[start] = relevant_counters(self.nodes, start)
        return found

    def _boundary(self, next_kind: str, state: ValidatorState) -> None:
        """End of a piece: report what the next piece's first segment finds missing before it."""
        plan, errors = self._next_plan(next_kind, state, dict(state.counts))
        loop = self.nodes[plan.target].loop_id if plan.target >= 0 else state.loop
        for code, message, charge, _ik3, _new in errors:
            if charge:
                self._issue("seg", code, f"{message} after this segment", state.previous, loop=loop)
