"""Writing X12: segments out with one set of delimiters, counted so the trailers come out right.

Used for the split 837 outputs and the 277CA. The writer owns the envelope arithmetic (SE01
counts ST..SE, GE01 the transactions, IEA01 the groups) so callers never count by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TextIO

from scrubber.x12.segment import Delimiters


class X12Writer:
    """Writes segments, one per line, and closes envelopes with correct counts."""

    def __init__(self, out: TextIO, delimiters: Delimiters, line_break: str = "\n") -> None:
        self._out = out
        self._d = delimiters
        self._end = delimiters.segment + line_break
        self._isa13: str | None = None
        self._gs06: str | None = None
        self._st02: str | None = None
        self._groups = 0
        self._transactions = 0
        self._st_segments = 0
        self.segments_written = 0

    @property
    def delimiters(self) -> Delimiters:
        return self._d

    def composite(self, *parts: str) -> str:
        """Components joined by the component separator, trailing empty ones dropped."""
        items = list(parts)
        while items and not items[-1]:
            items.pop()
        return self._d.component.join(items)

    def write(self, elements: Sequence[str]) -> None:
        """One segment; trailing empty elements are dropped (X12 forbids trailing separators)."""
        items = list(elements)
        while len(items) > 1 and not items[-1]:
            items.pop()
        self._out.write(self._d.element.join(items) + self._end)
        self.segments_written += 1
        if self._st02 is not None:
            self._st_segments += 1

    def write_raw(self, text: str) -> None:
        """A segment copied as it stood (its delimiters must be this writer's)."""
        self._out.write(text + self._end)
        self.segments_written += 1
        if self._st02 is not None:
            self._st_segments += 1

    # -- envelopes ---------------------------------------------------------------------------

    def open_interchange(self, isa_elements: Sequence[str]) -> None:
        """Write an ISA (17 items: 'ISA' and ISA01..ISA16) and start counting its groups."""
        self.close_interchange()
        self._isa13 = isa_elements[13]
        self._groups = 0
        self.write_raw(self._d.element.join(isa_elements))

    def open_group(self, gs_elements: Sequence[str]) -> None:
        self.close_group()
        self._gs06 = gs_elements[6]
        self._transactions = 0
        self._groups += 1
        self.write(gs_elements)

    def open_transaction(self, st_elements: Sequence[str]) -> None:
        self.close_transaction()
        self._st02 = st_elements[2]
        self._st_segments = 0
        self._transactions += 1
        self.write(st_elements)

    def close_transaction(self) -> None:
        if self._st02 is not None:
            st02 = self._st02
            self.write(["SE", str(self._st_segments + 1), st02])
            self._st02 = None

    def close_group(self) -> None:
        self.close_transaction()
        if self._gs06 is not None:
            self.write(["GE", str(self._transactions), self._gs06])
            self._gs06 = None

    def close_interchange(self) -> None:
        self.close_group()
        if self._isa13 is not None:
            self.write(["IEA", str(self._groups), self._isa13])
            self._isa13 = None


def isa_elements(
    *,
    sender_qualifier: str,
    sender: str,
    receiver_qualifier: str,
    receiver: str,
    control: str,
    usage: str,
    delimiters: Delimiters,
    when: dt.datetime,
) -> list[str]:
    """A fixed-length 005010 ISA (ids padded to 15, control number to 9 digits)."""
    return [
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        sender_qualifier.ljust(2)[:2],
        sender.ljust(15)[:15],
        receiver_qualifier.ljust(2)[:2],
        receiver.ljust(15)[:15],
        when.strftime("%y%m%d"),
        when.strftime("%H%M"),
        delimiters.repetition,
        "00501",
        control.rjust(9, "0")[-9:],
        "0",
        usage if usage in ("P", "T") else "P",
        delimiters.component,
    ]
