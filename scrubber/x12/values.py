"""Reading X12 values: dates, amounts, diagnosis codes.

Dates, amounts and codes repeat across the claims of a file, and the results are immutable, so
the parsers are memoised: a cache hit costs less than half of a parse.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import lru_cache

_CACHED = 4096
# X12 type R: an optional minus, digits, an optional decimal point with digits after it. No plus
# sign, exponent, blanks, underscores, NaN or Infinity (Python's Decimal takes all of those).
_DECIMAL = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
MAX_DECIMAL_DIGITS = 18  # the longest R element of the 837P (CLM02, SV102: R 1/18); sign and point aside


def is_digits(value: str) -> bool:
    """True when ``value`` is ASCII digits only.

    ``str.isdigit`` also takes superscripts and the like ('²' is byte 0xB2 read as Latin-1), which
    ``int`` refuses: a bit flip in a digit must not become a crash.
    """
    return value.isascii() and value.isdigit()


@lru_cache(maxsize=_CACHED)
def parse_date(value: str) -> dt.date | None:
    """CCYYMMDD to a date; None when it is not a real calendar date."""
    if len(value) != 8 or not is_digits(value):
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
    """An X12 R (decimal) value; None when empty, not of type R, or longer than any R element.

    The bound matters beyond syntax: with at most 18 digits, sums and differences of amounts
    stay exact in Decimal's 28-digit context, so money arithmetic in rules cannot fail or round.
    """
    return None if decimal_problem(value) else Decimal(value)


def decimal_problem(value: str) -> str:
    """Why ``value`` is not an X12 decimal (R) value, for a message; '' when it is one."""
    if not value:
        return "is missing"
    if not _DECIMAL.fullmatch(value):
        return "is not a decimal number (X12 type R: digits, an optional minus sign and decimal point)"
    digits = len(value) - value.startswith("-") - ("." in value)
    if digits > MAX_DECIMAL_DIGITS:
        return f"has {digits} digits; X12 decimal elements hold at most {MAX_DECIMAL_DIGITS}"
    return ""


@lru_cache(maxsize=_CACHED)
def dotted_code(raw: str, icd9: bool = False) -> str:
    """Show a diagnosis code with its decimal point: M6281 -> M62.81, E8889 (ICD-9) -> E888.9."""
    code = raw.strip().upper().replace(".", "")
    cut = 4 if icd9 and code.startswith("E") else 3
    return code if len(code) <= cut else f"{code[:cut]}.{code[cut:]}"
