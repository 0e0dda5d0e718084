"""Reading a segment the way the map matches it, and what a walk from a node can still read.

Helpers of :mod:`.validator`: the qualifier value pyx12 compares with a node's codes (element 1,
component 1-1, or HL03), the node test a walk plan is compiled with, the counts a later walk can
observe from a node (for :meth:`~.validator.NativeValidator.state_key`), and pyx12's list of maps
(to say which map a GS asks for).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

from scrubber.structure.native.elements import element_value
from scrubber.structure.native.grammar import LOOP, MAXINT, Node, map_dir


def qualifier(elements: list[str], place: tuple[int, int], component: str) -> str | None:
    """The value at (element, component) as pyx12's ``get_value`` reads it (None when absent)."""
    position, part = place
    if position >= len(elements):
        return None
    raw = elements[position]
    if not part:
        return element_value(raw, component, elements[0] == "ISA")
    parts = raw.split(component)
    return parts[part - 1] if part - 1 < len(parts) else None


def matcher(seg_id: str, elements: list[str], component: str) -> Callable[[Node], bool]:
    """Whether a map node matches this segment (its id, and its qualifier among the node's codes)."""

    def matches(node: Node) -> bool:
        if node.xid != seg_id:
            return False
        if node.match is None:
            return True
        position, part, codes = node.match
        return qualifier(elements, (position, part), component) in codes

    return matches


def value_at(elements: list[str], position: int, component: str) -> str | None:
    return element_value(elements[position], component) if position < len(elements) else None


def first_open(loops: list[tuple[str, str | None]], kind: str) -> str | None:
    """The control number of the outermost open envelope of a kind (what pyx12 files errors under)."""
    return next((number for name, number in loops if name == kind), None)


def opens(kind: str, elements: list[str], component: str) -> bool:
    """Whether a piece's first segment is what its cut promised (the key assumes it)."""
    if kind == "st":
        return elements[0] == "ST" and value_at(elements, 1, component) == "837"
    if kind == "hl":
        return elements[0] == "HL" and value_at(elements, 3, component) == "22"
    return True


def relevant_counters(nodes: list[Node], start: int) -> tuple[int, ...]:
    """Counts a walk from ``start`` can still read: siblings at or after each position up the
    tree (a loop's own count, and its child loops' for a wrapper loop). Everything else is reset
    before it is read again."""
    keys: set[int] = set()
    node = nodes[start]
    position = node.pos
    parent = node.parent
    while parent >= 0:
        for index in nodes[parent].children:
            child = nodes[index]
            if child.pos >= position:
                keys.update(read_counts(nodes, child))
        position = nodes[parent].pos
        parent = nodes[parent].parent
    return tuple(sorted(keys))


def read_counts(nodes: list[Node], child: Node) -> list[int]:
    if child.kind != LOOP:
        return [child.counter]
    keys = [child.counter]
    if child.first >= 0 and nodes[child.first].kind == LOOP:  # wrapper loop: its child loops are read
        for index in child.children:
            if nodes[index].kind == LOOP:
                keys.extend(read_counts(nodes, nodes[index]))
    return keys


def counter_limits(nodes: list[Node]) -> dict[int, int]:
    """The max use or repeat behind each counter (counters shared by both trees take the lower)."""
    limits: dict[int, int] = {}
    for node in nodes:
        limits[node.counter] = min(limits.get(node.counter, MAXINT), node.max_count)
    return limits


_MAPS: dict[tuple[str | None, str | None, str | None], str] | None = None


def other_maps() -> dict[tuple[str | None, str | None, str | None], str]:
    """(ISA12, GS08, GS01) -> map file, from pyx12's maps.xml (to name what a GS asks for)."""
    global _MAPS
    if _MAPS is None:
        _MAPS = {}
        for version in ET.parse(map_dir() / "maps.xml").getroot().iter("version"):
            for item in version.iterfind("map"):
                _MAPS[(version.get("icvn"), item.get("vriic"), item.get("fic"))] = item.text or ""
    return _MAPS


def route(seg_id: str, plain: bool, kept: bool,
          qualifiers: dict[str, tuple[tuple[int, int], ...]]) -> tuple[bool, int, int] | None:
    """How the validator's common case reads a segment id: (plain: no bookkeeping, qualifier
    element or -1, 1 when the qualifier is component 1). None for ids it leaves to the full path
    (envelopes, ids not yet seen well formed, several qualifiers)."""
    if not plain and not kept:
        return None
    places = qualifiers.get(seg_id)
    if places is None:
        return (plain, -1, 0)
    if len(places) == 1 and places[0][1] <= 1:
        return (plain, *places[0])
    return None
