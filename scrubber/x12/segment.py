"""One X12 segment with the position it came from.

Every later stage (walker, rules, writers) points back at these positions, so a finding can say
"segment 27, line 27, HI02-2" without re-reading the file.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec


@dataclass(frozen=True, slots=True)
class Delimiters:
    """The four separators an interchange declares in its ISA header."""

    element: str = "*"
    component: str = ":"
    repetition: str = "^"
    segment: str = "~"


class Segment(msgspec.Struct, gc=False):
    """A segment as read: ``elements[0]`` is the segment id, ``elements[n]`` is element n.

    A msgspec Struct rather than a dataclass: a file makes one per segment, and a Struct is built in
    C for a third of the cost, and left out of the cyclic collector (it holds no cycle).
    """

    elements: list[str]
    index: int  # 1-based position in the file
    st_index: int  # 1-based position counted from ST (0 outside a transaction)
    line: int  # 1-based physical line where the segment starts
    offset: int  # byte offset of the segment's first character
    delimiters: Delimiters

    @property
    def id(self) -> str:
        return self.elements[0]

    def get(self, position: int) -> str:
        """Element ``position`` (1-based), or '' when the segment is shorter."""
        elements = self.elements
        return elements[position] if position < len(elements) else ""

    def components(self, position: int) -> list[str]:
        """The components of a composite element (a plain element gives one component)."""
        value = self.get(position)
        return value.split(self.delimiters.component) if value else []

    @property
    def text(self) -> str:
        """The segment as it stood in the file, without its terminator."""
        return self.delimiters.element.join(self.elements)

    def span(self, position: int, component: int | None = None) -> tuple[int, int]:
        """Column range (start, end) of an element or component inside :attr:`text`.

        Used by renderers to put carets under the element a finding concerns. An element past the
        end of the segment points just after the last character.
        """
        elements = self.elements
        if position >= len(elements):
            end_of_text = len(self.text)
            return end_of_text, end_of_text + 1
        start = sum(map(len, elements[:position])) + position * len(self.delimiters.element)
        value = elements[position]
        if component is None or component < 1:
            return start, start + max(len(value), 1)
        parts = value.split(self.delimiters.component)
        if component > len(parts):
            return start + len(value), start + len(value) + 1
        inner = sum(map(len, parts[: component - 1])) + component - 1
        return start + inner, start + inner + max(len(parts[component - 1]), 1)


class PrintableBatch(list[Segment]):
    """A run of segments that hold printable ASCII only (0x20-0x7E), as the reader found them: a
    consumer may skip its own character-set test, since every such character is in the X12
    basic or extended set."""
