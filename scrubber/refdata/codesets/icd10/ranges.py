"""Excludes, code-first and use-additional notes turned into code ranges.

The tabular writes the codes a note refers to as free text: ``(M62.81)``, ``(M62.8-)``, ``(M33.-)``,
``(F33-)``, ``(O00-O9A)``, lists such as ``(N63, N64.5)``, ranges with ``to``, codes outside the
parentheses, and qualified ranges such as ``(E08-E13 with .42)`` or ``(S02.- with 7th character B)``.
A range matches a code and every code below it, the way the tabular means an excluded category.
Qualifiers we cannot read are dropped rather than widened: an unread note never flags a claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scrubber.refdata.codesets.icd10.codes import dotted, normalize

_CODE = r"[A-Z](?:\d[0-9A-Z]|[A-Z]\d)(?:\.?[0-9A-Z]{1,4})?"
_ITEM = re.compile(
    rf"(?P<lo>{_CODE})\.?(?:-(?!\s*(?:{_CODE})))?"
    rf"(?:\s*(?:-|–|\bto\b)\s*(?P<hi>{_CODE})\.?-?)?"
)
_PAREN = re.compile(r"\(([^()]*)\)")
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7}
_NTH = r"(?:(?P<n>\d)(?:st|nd|rd|th)|(?P<word>first|second|third|fourth|fifth|sixth|seventh))"
_POSITION = re.compile(
    rf"{_NTH}(?:\s+to\s+(?:(?P<m>\d)(?:st|nd|rd|th)|(?P<mword>\w+)))?[\s-]+characters?\s+\.?(?P<chars>[0-9A-Z]+)\b"
)
_FINAL = re.compile(r"final characters?\s+-?(?P<suffix>[0-9A-Z]+)\b")
_SUBCODE = re.compile(r"^\s*\.(?P<lo>[0-9A-Z]+)-?(?:\s*-\s*\.(?P<hi>[0-9A-Z]+)-?)?\s*$")


@dataclass(frozen=True, slots=True)
class CodeRange:
    """Codes from ``lo`` to ``hi`` (prefixes, no points), optionally narrowed by a qualifier.

    ``kind`` is '' (no qualifier), 'pos' (``arg`` = "N:chars": characters from position N,
    1-based, without the point), 'suffix' (the code ends with ``arg``) or 'sub' (``arg`` =
    "lo:hi": the characters after the category fall in that prefix range).
    """

    lo: str
    hi: str
    kind: str = ""
    arg: str = ""

    def matches(self, code: str) -> bool:
        if not (self.lo <= code[: len(self.lo)] and code[: len(self.hi)] <= self.hi):
            return False
        if not self.kind:
            return True
        if self.kind == "pos":
            pos, chars = self.arg.split(":")
            start = int(pos) - 1
            return code[start : start + len(chars)] == chars
        if self.kind == "suffix":
            return code.endswith(self.arg)
        lo, hi = self.arg.split(":")
        rest = code[3:]
        return lo <= rest[: len(lo)] and rest[: len(hi)] <= hi

    def as_list(self) -> list[str]:
        return [self.lo, self.hi, self.kind, self.arg]

    @classmethod
    def from_list(cls, row: list[str]) -> CodeRange:
        return cls(row[0], row[1], row[2], row[3])

    def __str__(self) -> str:
        """As the tabular writes it: ``M62.81``, ``M62.8-`` is shown ``M62.8``, ``O00-O9A``."""
        text = dotted(self.lo) if self.lo == self.hi else f"{dotted(self.lo)}-{dotted(self.hi)}"
        if self.kind == "pos":
            position, chars = self.arg.split(":")
            return f"{text} with character {position} = {chars}"
        if self.kind == "suffix":
            return f"{text} ending in {self.arg}"
        if self.kind == "sub":
            lo, hi = self.arg.split(":")
            return f"{text} with .{lo}" + (f"-.{hi}" if hi != lo else "")
        return text


@dataclass(frozen=True, slots=True)
class ParsedNote:
    """What one note yielded: its ranges, and whether a qualifier was left unread."""

    ranges: tuple[CodeRange, ...]
    unread_qualifier: bool = False


def _qualifier(text: str) -> tuple[str, str] | None:
    """Read a ``with ...`` qualifier into (kind, arg); None when it is not understood."""
    sub = _SUBCODE.match(text)
    if sub:
        lo = sub.group("lo")
        return "sub", f"{lo}:{sub.group('hi') or lo}"
    final = _FINAL.search(text)
    if final:
        return "suffix", final.group("suffix")
    pos = _POSITION.search(text)
    if pos:
        n = int(pos.group("n")) if pos.group("n") else _ORDINALS[pos.group("word")]
        return "pos", f"{n}:{pos.group('chars')}"
    return None


def parse_expression(text: str) -> ParsedNote:
    """Codes and ranges in one piece of note text, e.g. ``E08-E13 with .42`` or ``N63, N64.5``."""
    base, _, qualifier = text.partition(" with ")
    if not qualifier and "-with " in text:
        base, _, qualifier = text.partition("-with ")
    kind, arg = "", ""
    items = list(_ITEM.finditer(base))
    if qualifier and items:
        read = _qualifier(qualifier)
        if read is None:
            return ParsedNote((), unread_qualifier=True)
        kind, arg = read
    elif qualifier:
        items = list(_ITEM.finditer(text))
    ranges = []
    for item in items:
        lo = normalize(item.group("lo"))
        hi = normalize(item.group("hi") or lo)
        ranges.append(CodeRange(lo, hi, kind, arg))
    return ParsedNote(tuple(ranges))


def parse_note(text: str) -> ParsedNote:
    """The code ranges one tabular note names.

    Parenthesised groups holding codes win; when none does, codes written in the text itself count
    (``injury to visual cortex S04.04-``). Text after ``- see`` or ``code to`` names where to look,
    not what is excluded, and is read the same way only when it holds explicit codes.
    """
    groups = [g for g in _PAREN.findall(text) if _ITEM.search(g)]
    if not groups:
        groups = [_PAREN.sub(" ", text)]
    ranges: list[CodeRange] = []
    unread = False
    for group in groups:
        parsed = parse_expression(group)
        ranges.extend(parsed.ranges)
        unread = unread or parsed.unread_qualifier
    return ParsedNote(tuple(ranges), unread)
