"""X12 value tests shared by the full element checks and the generated fast path: data types,
dates and times, the 5010 extended character set."""

from __future__ import annotations

import re

BAD_TEXT = re.compile(r"""[^A-Za-z0-9!"&'()*+,\-./:;?= %~@\[\]_{}\\|<>^`#$]""")  # 5010 extended set
NUMBER = re.compile(r"-?[0-9]+")
DECIMAL = re.compile(r"-?[0-9]*(?:\.[0-9]+)?")
DIGITS = re.compile(r"[0-9]+")
DTP_FORMATS = ("RD8", "D8", "D6", "DT", "TM")


def is_time(value: str) -> bool:
    """HHMM, HHMMSS or HHMMSSd(d), hours to 23, minutes and seconds to 59 (compared as text)."""
    if not DIGITS.fullmatch(value) or value[0:2] > "23" or value[2:4] > "59":
        return False
    return len(value) <= 4 or (6 <= len(value) <= 8 and value[4:6] <= "59")


def is_date(kind: str, value: str) -> bool:
    """CCYYMMDD (also YYMMDD, and CCYYMMDDHHMM for DT) from the year 1800 on."""
    if (kind == "D8" and len(value) != 8) or (kind == "D6" and len(value) != 6):
        return False
    if not DIGITS.fullmatch(value) or len(value) not in (6, 8, 12):
        return False
    if len(value) == 6:
        value = ("20" if int(value[0:2]) < 50 else "19") + value
    year, month = int(value[0:4]), int(value[4:6])
    day = int(value[6:8]) if len(value) >= 8 else 0
    if year < 1800 or not 1 <= month <= 12:
        return False
    if month in (4, 6, 9, 11):
        days = 30
    elif month == 2:
        days = 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    else:
        days = 31
    if not 1 <= day <= days:
        return False
    return len(value) != 12 or is_time(value[8:12])


def is_type(value: str, data_type: str) -> bool:
    """Whether ``value`` is valid for an X12 data type (an unknown type is never valid)."""
    if not data_type:
        return True
    head = data_type[0]
    if head == "N":
        return NUMBER.fullmatch(value) is not None
    if data_type == "R":
        return DECIMAL.fullmatch(value) is not None
    if data_type in ("ID", "AN"):
        return BAD_TEXT.search(value) is None
    if data_type == "RD8":
        parts = value.split("-")
        return len(parts) == 2 and is_date("D8", parts[0]) and is_date("D8", parts[1])
    if data_type in ("DT", "D8", "D6"):
        return is_date(data_type, value)
    if data_type == "TM":
        return is_time(value)
    return data_type == "B"
