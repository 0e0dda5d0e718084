"""Reads the CMS/CDC order file ``icd10cm_order_YYYY.txt``.

Fixed-width layout (CMS "ICD-10-CM order file" description): positions 1-5 order number,
7-13 code without the point (left-aligned, blank-padded), 15 header flag (``0`` = header, not
valid on a claim; ``1`` = valid for HIPAA transactions), 17-76 short description, 78 onwards long
description. Every code, header or billable, is listed, including seventh-character codes,
which the tabular XML only describes through its seventh-character tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from scrubber.errors import SetupError


class OrderFileError(SetupError):
    """A line does not have the order-file layout."""


@dataclass(frozen=True, slots=True)
class OrderEntry:
    code: str
    billable: bool
    short: str
    long: str


def parse_order_line(line: str, number: int = 0) -> OrderEntry:
    line = line.rstrip("\r\n")
    code, flag = line[6:13].strip(), line[14:15]
    if not line[:5].strip().isdigit() or flag not in ("0", "1") or not code:
        raise OrderFileError(f"line {number}: not an ICD-10-CM order-file line")
    return OrderEntry(code=code, billable=flag == "1", short=line[16:76].strip(), long=line[77:].strip())


def read_order_file(lines: Iterable[str]) -> Iterator[OrderEntry]:
    """Entries of an order file; blank lines are skipped, a malformed line raises."""
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield parse_order_line(line, number)
