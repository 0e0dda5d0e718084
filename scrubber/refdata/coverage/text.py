"""Turning CMS article cells into what the rules need: plain text, codes, dates, named procedures.

The Medicare Coverage Database keeps its paragraphs as HTML fragments (``<p>``, ``<br />``,
entities) and writes codes with or without the ICD-10 dot; findings quote the paragraphs as
plain text and the lookups compare codes in one undotted, upper-case form.
"""

from __future__ import annotations

import datetime as dt
import html
import re

_BLOCK_TAGS = re.compile(r"<\s*(?:br|/p|p|/li|li|/div|div|/tr|tr|/h\d|h\d)\b[^>]*>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")

# ICD-10-CM: a letter, a digit, then up to five more characters (undotted)
_ICD10 = re.compile(r"^[A-Z][0-9][0-9A-Z]{1,5}$")
# CPT (four digits and a digit or F/T/U... CMS also lists 0001U-style codes) or HCPCS Level II
_PROCEDURE = r"(?:[0-9]{4}[0-9A-Z]|[A-Z][0-9]{4})"
_MENTION = re.compile(rf"(?<![0-9A-Z])({_PROCEDURE})(?:\s*(?:-|–|—|through|to)\s*({_PROCEDURE}))?(?![0-9A-Z])")

_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%Y%m%d")


def plain_text(fragment: str) -> str:
    """An HTML fragment as one line of plain text: tags dropped, entities decoded, blanks collapsed."""
    if not fragment:
        return ""
    text = _BLOCK_TAGS.sub(" ", fragment)
    text = _TAGS.sub("", text)
    return _SPACE.sub(" ", html.unescape(text).replace("\xa0", " ")).strip()


def shorten(text: str, limit: int = 240) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, marked with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    cut = head.rsplit(" ", 1)[0] if " " in head else head[: limit - 1]
    return cut.rstrip(" ,;:") + "…"


def icd10_code(value: str) -> str | None:
    """``C34.90``, ``c3490`` or `` C34.90 `` as ``C3490``; None when it is not ICD-10-CM shaped."""
    code = value.strip().upper().replace(".", "")
    return code if _ICD10.match(code) else None


def procedure_code(value: str) -> str:
    """A HCPCS/CPT code as listed (upper case, no blanks)."""
    return value.strip().upper()


def code_range(value: str) -> tuple[str, str] | None:
    """``A-B`` written in one code cell as its (first, last) codes; None for a single code."""
    if "-" not in value:
        return None
    first, _, last = value.partition("-")
    return first.strip(), last.strip()


def parse_day(value: str) -> dt.date | None:
    """An ISO date, the date part of a ``2025-11-20 10:00:00.000000`` timestamp, or US style; None when blank.

    Raises ValueError for text that is none of these.
    """
    text = value.strip()
    if not text:
        return None
    head = text.split(" ", 1)[0].split("T", 1)[0]
    for form in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(head, form).date()
        except ValueError:
            continue
    raise ValueError(f"{value!r} is not a date")


def day_number(value: dt.date | None) -> int | None:
    """A date as the integer yyyymmdd (compact in SQLite, ordered like the date)."""
    return None if value is None else value.year * 10000 + value.month * 100 + value.day


def from_day_number(value: int | None) -> dt.date | None:
    return None if value is None else dt.date(value // 10000, value // 100 % 100, value % 100)


def mentioned_procedures(paragraph: str) -> list[tuple[str, str]]:
    """Procedure codes and ranges (first, last) a paragraph names, e.g. "for CPT codes 93880-93882"."""
    return [(first, last or first) for first, last in _MENTION.findall(paragraph.upper())]


def truthy(value: str) -> bool:
    """A CMS flag cell: ``Y``, ``*``, ``1``, ``T``, ``true`` are set; blank, ``N``, ``0``, ``F`` are not."""
    return value.strip().upper() not in ("", "N", "NO", "0", "F", "FALSE")
