"""Reading X12 values: dates, amounts, diagnosis codes.

Dates, amounts and codes repeat across the claims of a file, and the results are immutable, so
the parsers are memoised: a cache hit costs less than half of a parse.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from functools import lru_cache

_CACHED = 4096


@lru_cache(maxsize=_CACHED)
def parse_date(value: str) -> dt.date | None:
    """CCYYMMDD to a date; None when it is not a real calendar date."""
    if len(value) != 8 or not value.isdigit():
        return None
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


def parse_period(qualifier: str, value: str) -> tuple[dt.date | None, dt.date | None] | None:
    """A DTP date or range (D8 or RD8); None when the value does not fit its qualifier."""
    if qualifier == "D8":
        day = parse_date(value)
        return (day, day) if day else None
    if qualifier == "RD8":
        start, sep, end = value.partition("-")
        first, last = parse_date(start), parse_date(end)
        if sep and first and last and first <= last:
            return first, last
    return None


@lru_cache(maxsize=_CACHED)
def parse_decimal(value: str) -> Decimal | None:
    """An X12 R (decimal) value; None when empty or not a finite number."""
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


@lru_cache(maxsize=_CACHED)
def dotted_code(raw: str, icd9: bool = False) -> str:
    """Show a diagnosis code with its decimal point: M6281 -> M62.81, E8889 (ICD-9) -> E888.9."""
    code = raw.strip().upper().replace(".", "")
    cut = 4 if icd9 and code.startswith("E") else 3
    return code if len(code) <= cut else f"{code[:cut]}.{code[cut:]}"
