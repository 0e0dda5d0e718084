"""ICD-10-CM code spelling and fiscal years.

Codes are stored without the decimal point (``M6281``) and shown with it (``M62.81``): HI
elements carry them without, reports and coders read them with.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

# The first date of service on which ICD-10-CM replaced ICD-9-CM in the US (HHS final rule).
ICD10_EFFECTIVE = dt.date(2015, 10, 1)

_CODE_SHAPE = re.compile(r"^[A-Z](?:[0-9][0-9A-Z]|[A-Z][0-9])[0-9A-Z]{0,4}$")  # QA0 (FY2026) has a letter second


@lru_cache(maxsize=1 << 16)
def normalize(code: str) -> str:
    """``m62.81`` or ``M6281 `` -> ``M6281`` (upper case, no point, no blanks).

    Memoized: the rules normalize the same few claim codes hundreds of times per claim, and a
    cache hit is cheaper than strip/upper/replace; the bound keeps odd input from growing it.
    """
    return code.strip().upper().replace(".", "")


def dotted(code: str) -> str:
    """``M6281`` -> ``M62.81``; three-character categories stay as they are."""
    code = normalize(code)
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def looks_like_icd10(code: str) -> bool:
    """True when the text has the ICD-10-CM shape: letter, digit, alphanumeric, up to four more."""
    return bool(_CODE_SHAPE.match(normalize(code)))


def fiscal_year(day: dt.date) -> int:
    """The federal fiscal year of a date: FY2026 runs from 2025-10-01 to 2026-09-30."""
    return day.year + 1 if day.month >= 10 else day.year


def fiscal_year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """First and last day of fiscal year ``year``."""
    return dt.date(year - 1, 10, 1), dt.date(year, 9, 30)
