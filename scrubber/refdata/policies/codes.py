"""Code patterns used by pairing policies: a code, a category (prefix) or a range.

ICD-10-CM codes are compared without their decimal point, so ``R05``, ``R05.9`` and ``R059`` are
one family. A pattern names a code and everything below it (``C34`` covers ``C34.11``); a range
``J12-J18`` covers every code from J12 up to and including everything under J18.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_SHAPES = {
    # ICD-10-CM: a letter, a digit, then up to five more characters (a category or a full code)
    "diagnosis": re.compile(r"^[A-Z][0-9][0-9A-Z]{1,5}$"),
    # CPT (five digits, or four and F/T/U) or HCPCS Level II (a letter and four digits)
    "procedure": re.compile(r"^(?:[0-9]{4}[0-9FTU]|[A-Z][0-9]{4})$"),
}


@lru_cache(maxsize=1 << 14)
def normalize(code: str) -> str:
    """Upper case, without the decimal point or surrounding blanks.

    Memoized: every pattern test normalizes the claim's code again; the bound caps odd input.
    """
    return code.strip().upper().replace(".", "")


@dataclass(frozen=True, slots=True)
class CodePattern:
    """One code or category (``R05``), or an inclusive range (``J12-J18``)."""

    start: str
    end: str
    text: str  # as written in the pack, for messages

    @classmethod
    def parse(cls, text: str, kind: str = "diagnosis") -> CodePattern:
        """Read ``R05.9``, ``C34``, ``J12-J18`` or ``71250-71270``; ValueError names what is wrong."""
        shape = _SHAPES[kind]
        parts = [normalize(p) for p in text.split("-")]
        if len(parts) > 2 or not all(shape.match(p) for p in parts):
            example = "J12-J18" if kind == "diagnosis" else "71250-71270"
            raise ValueError(f"{text!r} is not a {kind} code, category or range like {example}")
        start, end = parts[0], parts[-1]
        if end < start:
            raise ValueError(f"range {text!r} ends before it starts")
        return cls(start=start, end=end, text=text.strip())

    def matches(self, code: str) -> bool:
        """True when ``code`` falls under this pattern (a prefix match at either end of a range)."""
        value = normalize(code)
        if self.start == self.end:
            return value.startswith(self.start)
        return (value >= self.start or value.startswith(self.start)) and (
            value <= self.end or value.startswith(self.end)
        )


def any_match(patterns: tuple[CodePattern, ...], code: str) -> CodePattern | None:
    """The first pattern that covers ``code``, or None."""
    for pattern in patterns:
        if pattern.matches(code):
            return pattern
    return None
