"""The generated fast test may only vouch for segments the full element check finds clean."""

from __future__ import annotations

import pytest

from bench.mutants import mutant
from scrubber.structure.native.elements import check_segment
from scrubber.structure.native.fastpath import build
from scrubber.structure.native.grammar import SEGMENT, load_grammar
from scrubber.structure.native.validator import NativeValidator
from tests.conftest import TR3_FILES
from tests.structure.native.helpers import segments_of

GRAMMAR = load_grammar()
FAST = {}


def _fast(node):
    if node.index not in FAST:
        FAST[node.index] = build(node)
    return FAST[node.index]


def _by_id():
    nodes = {}
    for node in GRAMMAR.nodes:
        if node.kind == SEGMENT:
            nodes.setdefault(node.xid, []).append(node)
    return nodes


BY_ID = _by_id()


def _sound_on(data: bytes) -> tuple[int, int]:
    """(segments the fast test passed, segments tried) over every node of each segment's id; a
    segment of printable ASCII is tried again as the reader's PrintableBatch hands it over."""
    vouched = tried = 0
    for segment in segments_of(data):
        component = segment.delimiters.component
        printable = segment.text.isascii() and segment.text.isprintable()
        for node in BY_ID.get(segment.id, ()):
            tried += 1
            if _fast(node)(segment.elements, component):
                vouched += 1
                assert check_segment(node, segment.elements, component) == [], (node.path, segment.text)
            if printable and _fast(node)(segment.elements, component, True):
                assert check_segment(node, segment.elements, component) == [], (node.path, segment.text)
    return vouched, tried


@pytest.mark.parametrize("number", range(0, 600, 2))
def test_fast_test_never_vouches_for_a_segment_with_problems(number):
    _sound_on(mutant(31, number).data)


def test_fast_test_vouches_for_the_clean_segments_of_the_tr3_examples():
    clean = vouched = 0
    for path in TR3_FILES:
        segments = segments_of(path.read_bytes())
        validator = NativeValidator(GRAMMAR)
        for segment in segments:
            validator.feed(segment)
            node = GRAMMAR.nodes[validator.state.node]
            if check_segment(node, segment.elements, segment.delimiters.component) == []:
                clean += 1
                vouched += _fast(node)(segment.elements, segment.delimiters.component)
    assert vouched / clean > 0.95  # the fast path is the common path, not a formality


def _with_odd_character(elements: list[str], component: str):
    """Each variant of the segment with one element or component's last character made 'é', a
    character outside the X12 sets (the reader hands such a segment over outside a PrintableBatch)."""
    for i, value in enumerate(elements[1:], start=1):
        parts = value.split(component)
        for j, part in enumerate(parts):
            if part:
                changed = [*parts[:j], part[:-1] + "é", *parts[j + 1 :]]
                yield [*elements[:i], component.join(changed), *elements[i + 1 :]]


def test_fast_test_never_vouches_for_a_character_outside_the_sets():
    """Elements and composite components alike: the generated code's own names must not hide the
    character-set test (a composite's parts once shadowed the ``printable`` flag)."""
    tried = 0
    for path in TR3_FILES[:6]:
        for segment in segments_of(path.read_bytes()):
            component = segment.delimiters.component
            for node in BY_ID.get(segment.id, ()):
                for elements in _with_odd_character(segment.elements, component):
                    tried += 1
                    if _fast(node)(elements, component):
                        assert check_segment(node, elements, component) == [], (node.path, elements)
    assert tried > 1000
