"""What every native validator of a process shares: walk plans and element checks per grammar."""

from __future__ import annotations

from scrubber.structure.native.elements import ElementChecker
from scrubber.structure.native.fastcache import compiled_tests
from scrubber.structure.native.grammar import SEGMENT, Grammar, load_grammar
from scrubber.structure.native.walk import MapWalk

_SHARED: dict[int, tuple[Grammar, MapWalk, ElementChecker]] = {}


def shared(grammar: Grammar) -> tuple[MapWalk, ElementChecker]:
    """Walk plans and element checks (generated code, memos) are pure functions of the grammar:
    every validator of a process shares them, so a new file or piece starts warm."""
    found = _SHARED.get(id(grammar))
    if found is None or found[0] is not grammar:
        found = _SHARED[id(grammar)] = (grammar, MapWalk(grammar), ElementChecker(compiled_tests(grammar)))
    return found[1], found[2]


def warm_up(*, every_node: bool = False) -> None:
    """Load the grammar (and with ``every_node`` generate every segment's fast test) now, e.g.
    before worker processes fork, so that they share it."""
    grammar = load_grammar()
    _walk, checker = shared(grammar)
    if every_node:
        for node in grammar.nodes:
            if node.kind == SEGMENT:
                checker.fast_for(node)
