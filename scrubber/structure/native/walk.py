"""Placing a segment in the map: from the node of the previous segment to the one this segment is.

The search is pyx12's (its ``walk_tree``, restated): scan the current loop's children from the
current position on, then pop to the parent loop and scan from the popped loop's position, and
so on up to the map root; a child loop matches when its first segment does (wrapper loops such
as DETAIL when any child loop does). Required segments and loops passed over without being seen
yet become "missing" errors, reported once the walk lands somewhere else.

Which nodes the search visits and where it lands depend only on the start node and the
segment's id and qualifier, never on the counts: so the path is compiled once per (start node,
signature) into a :class:`Plan` of a few operations, and running a plan only reads and writes
counts. The counts are a plain dict keyed by pyx12's node paths (interned to ints).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from scrubber.structure.native.elements import element_value
from scrubber.structure.native.grammar import LOOP, ROOT, SEGMENT, Grammar, Node

MATCH, MISS, ENTER, MISS_LOOP, NOT_FOUND, SKIP = range(6)
PLAN_LIMIT = 100_000  # compiled plans kept before the table is cleared (odd qualifiers add entries)

# A walk error: (code, message, charged to: 0 this segment / 1 the previous one, id for the 999's
# IK3 (None: the segment's own id), whether pyx12 starts a new IK3 node for it)
WalkError = tuple[str, str, int, str | None, bool]


_NO_ERRORS: list[WalkError] = []  # shared, never appended to


@dataclass(frozen=True, slots=True)
class Plan:
    target: int  # the matched segment node, -1 when the segment was not found (or skipped)
    ops: tuple[tuple[int, ...], ...]
    quick: Callable[[dict[int, int]], bool] | None = None  # applies the plan when it finds no error


def _quick(ops: tuple[tuple[int, ...], ...]) -> Callable[[dict[int, int]], bool] | None:
    """A shortcut for the common case: no required segment or loop passed unseen, no limit
    reached. It returns False, having changed nothing, whenever :meth:`MapWalk.run` has something
    to say."""
    misses = tuple(op[1] for op in ops[:-1] if op[0] in (MISS, MISS_LOOP))
    if len(misses) != len(ops) - 1 or not ops:
        return None
    final = ops[-1]
    if final[0] == MATCH and not final[4]:
        _kind, key, _node, limit, _unused = final

        def match(counts: dict[int, int]) -> bool:
            get = counts.get
            for miss in misses:
                if get(miss, 0) < 1:
                    return False
            count = get(key, 0)
            if count >= limit:
                return False
            counts[key] = count + 1
            return True

        return match
    if final[0] == ENTER and not final[4]:
        _kind, key, _loop, limit, _unused, first, below = final

        def enter(counts: dict[int, int]) -> bool:
            get = counts.get
            for miss in misses:
                if get(miss, 0) < 1:
                    return False
            count = get(key, 0)
            if count >= limit:
                return False
            for item in below.intersection(counts):
                del counts[item]
            counts[key] = count + 1
            counts[first] = get(first, 0) + 1
            return True

        return enter
    return None


class MapWalk:
    """Compiles and runs walk plans over one grammar."""

    def __init__(self, grammar: Grammar) -> None:
        self.grammar = grammar
        self.nodes = grammar.nodes
        self.plans: dict[tuple[int, object], Plan] = {}
        # (start, signature) -> (quick, target, target's loop, target's fast element test): what
        # the validator's common case needs of a plan, in one lookup (see NativeValidator.feed)
        self.steps: dict[tuple[int, object], tuple[Callable[[dict[int, int]], bool], int, str, Callable]] = {}

    def plan(self, start: int, signature: object, matcher: Callable[[], Callable[[Node], bool]]) -> Plan:
        """The plan for a segment of this signature at ``start`` (``matcher`` makes the segment's
        node test, only needed the first time)."""
        key = (start, signature)
        found = self.plans.get(key)
        if found is None:
            if len(self.plans) >= PLAN_LIMIT:
                self.plans.clear()
                self.steps.clear()
            plan = _Planner(self.nodes, matcher()).walk(start)
            found = self.plans[key] = Plan(plan.target, plan.ops, _quick(plan.ops))
        return found

    def run(
        self, plan: Plan, counts: dict[int, int], seg_id: str, start: int, elements: list[str], component: str
    ) -> list[WalkError]:
        """Apply a plan to the counts; return its errors in pyx12's order."""
        nodes = self.nodes
        errors: list[WalkError] = _NO_ERRORS
        pending: list[tuple[Node, str, str]] | None = None  # (node whose eq/pos decide, message, IK3 id)
        get = counts.get
        for op in plan.ops:
            kind = op[0]
            if kind == MATCH:  # (MATCH, counter, node, limit, not used)
                key = op[1]
                count = get(key, 0) + 1
                counts[key] = count
                if op[4]:
                    errors = [("2", f"Segment {seg_id} found but marked as not used", 0, None, False)]
                elif count > op[3]:
                    errors = [("5", f"Segment {seg_id} exceeded max count.  Found {count}, should have {op[3]}",
                               0, None, True)]
                if pending:
                    child = nodes[op[2]]
                    for node, message, ik3 in pending:
                        if node.eq != child.eq and node.pos != child.pos:
                            errors = [] if errors is _NO_ERRORS else errors
                            errors.append(("3", message, 1, ik3, True))
            elif kind == MISS:  # (MISS, counter, node)
                if get(op[1], 0) < 1:
                    node = nodes[op[2]]
                    pending = pending or []
                    pending.append((node, f'Mandatory segment "{node.name}" ({node.xid}) missing', node.xid))
            elif kind == ENTER:  # (ENTER, loop counter, loop, limit, not used, first's counter, loop's descendants)
                key = op[1]
                if op[4]:
                    errors = [("2", f"Loop {nodes[op[2]].xid} found but marked as not used", 0, None, False)]
                else:
                    for below in op[6].intersection(counts):
                        del counts[below]
                    count = get(key, 0) + 1
                    counts[key] = count
                    if count > op[3]:
                        errors = [("4", f"Loop {nodes[op[2]].xid} exceeded max count.  Found {count}, should have "
                                   f"{op[3]}", 0, None, True)]
                counts[op[5]] = get(op[5], 0) + 1
                if pending:
                    errors = [] if errors is _NO_ERRORS else errors
                    errors.extend(("3", message, 1, ik3, True) for _node, message, ik3 in pending)
            elif kind == MISS_LOOP:  # (MISS_LOOP, counter, loop, first)
                if get(op[1], 0) < 1:
                    loop, first = nodes[op[2]], nodes[op[3]]
                    pending = pending or []
                    pending.append((first, f'Mandatory loop "{loop.name}" ({loop.xid}) missing', first.xid))
            elif kind == NOT_FOUND:
                shown = _shown(elements, component)
                errors = [("1", f"Segment {shown} not found.  Started at {nodes[start].path}", 0, None, True)]
        return errors

    def force(self, counts: dict[int, int], loop_path: str, segment_path: str) -> None:
        """What pyx12 does at an ISA or GS: restart the loop's counts without a walk."""
        counters = self.grammar.counters
        loop_key = counters[loop_path]
        for node in self.nodes:
            if node.counter == loop_key and node.kind == LOOP:
                reset(counts, node)
                break
        counts[loop_key] = counts.get(loop_key, 0) + 1
        segment_key = counters[segment_path]
        counts[segment_key] = counts.get(segment_key, 0) + 1


def reset(counts: dict[int, int], loop: Node) -> None:
    """Forget the counts of everything below a loop (it starts a new iteration)."""
    for key in loop.descendants.intersection(counts):
        del counts[key]


class _Planner:
    """Records the operations of one walk (what pyx12's walker would look at, in order)."""

    def __init__(self, nodes: list[Node], matches: Callable[[Node], bool]) -> None:
        self.nodes = nodes
        self.matches = matches
        self.ops: list[tuple[int, ...]] = []

    def walk(self, start: int) -> Plan:
        nodes = self.nodes
        node = nodes[start]
        position = node.pos
        if node.kind == SEGMENT:
            node = nodes[node.parent]
        while True:
            found = self._scan(node, position)
            if found is not None:
                return Plan(found, tuple(self.ops))
            if node.kind == ROOT:
                self.ops.append((NOT_FOUND,))
                return Plan(-1, tuple(self.ops))
            position = node.pos
            node = nodes[node.parent]

    def _scan(self, loop: Node, position: int) -> int | None:
        nodes = self.nodes
        for index in loop.children:
            child = nodes[index]
            if child.pos < position:
                continue
            if child.kind == SEGMENT:
                if self.matches(child):
                    if loop.kind == LOOP and self._loop_matches(loop):
                        return self._enter(loop)
                    self.ops.append((MATCH, child.counter, index, child.max_count, child.usage == "N"))
                    return index
                if child.usage == "R":
                    self.ops.append((MISS, child.counter, index))
            elif self._loop_matches(child):
                return self._enter(child)
        return None

    def _loop_matches(self, loop: Node) -> bool:
        if not loop.children:
            return False
        first = self.nodes[loop.first]
        if first.kind == LOOP:
            return any(self.nodes[i].kind == LOOP and self._loop_matches(self.nodes[i]) for i in loop.children)
        if self.matches(first):
            return True
        if loop.usage == "R":
            self.ops.append((MISS_LOOP, loop.counter, loop.index, first.index))
        return False

    def _enter(self, loop: Node) -> int:
        found = self._goto(loop)
        if found < 0:
            self.ops.append((SKIP,))
        return found

    def _goto(self, loop: Node) -> int:
        first = self.nodes[loop.first] if loop.first >= 0 else None
        if first is not None and first.kind == SEGMENT and self.matches(first):
            self.ops.append((ENTER, loop.counter, loop.index, loop.max_count, loop.usage == "N", first.counter,
                             loop.descendants))
            return first.index
        for index in loop.children:
            child = self.nodes[index]
            if child.kind == LOOP:
                found = self._goto(child)
                if found >= 0:
                    return found
        return -1


def _shown(elements: list[str], component: str) -> str:
    """The segment as pyx12 quotes it in a not-found error (HL whole, others by their first element)."""
    if elements[0] == "HL":
        values = [element_value(value, component) for value in elements[1:]]
        while values and not values[-1]:
            values.pop()
        return "*".join(["HL", *values]) if values else "HL*"
    first = element_value(elements[1], component) if len(elements) > 1 else None
    return f"{elements[0]}*{first}"
