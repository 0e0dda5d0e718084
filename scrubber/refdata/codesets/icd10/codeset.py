"""One fiscal year of ICD-10-CM, loaded from a data file: the lookups the rules need.

Everything here is in memory and read-only after loading, so one instance serves every claim
and thread. Codes are passed in either spelling (``M62.81`` or ``M6281``).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from scrubber.refdata.codesets.icd10.codes import dotted, normalize
from scrubber.refdata.codesets.icd10.compile import read_data
from scrubber.refdata.codesets.icd10.flags import CodeFlag
from scrubber.refdata.codesets.icd10.ranges import CodeRange

# Plain ints for the hot membership tests: ``int & CodeFlag`` builds a new enum member per call.
_BILLABLE = int(CodeFlag.BILLABLE)
_NO_TEXT = int(CodeFlag.NO_TEXT)
# Bound of each per-instance memo: above the ~75k codes of a year, so a whole year fits, yet
# claims sending endless unknown spellings cannot grow it without limit.
_MEMO_SIZE = 1 << 17


@dataclass(frozen=True, slots=True)
class Exclusion:
    """An Excludes note of ``owner`` (a code, block or chapter) whose range covers ``other``."""

    kind: str  # excludes1 or excludes2
    code: str  # the claim code the note belongs to (through ``owner``)
    other: str  # the claim code the note names
    owner: str  # tabular key carrying the note: M6281, M62, M60-M63 or ch13
    range: CodeRange

    @property
    def owner_label(self) -> str:
        if self.owner.startswith("ch"):
            return f"chapter {self.owner[2:]}"
        return self.owner if "-" in self.owner else dotted(self.owner)


class CodeSet:
    """ICD-10-CM for one fiscal year."""

    def __init__(self, data: dict[str, Any], origin: str = "") -> None:
        self.fiscal_year: int = data["fiscal_year"]
        self.label: str = data["label"]
        self.source: str = data.get("source", "")
        self.caveat: str = data.get("caveat", "")
        self.origin = origin
        self.stats: dict[str, Any] = data.get("stats", {})
        self.age_ranges: dict[str, tuple[int, int]] = {k: (v[0], v[1]) for k, v in data["age_ranges"].items()}
        self._codes: dict[str, int] = data["codes"]
        self._descriptions: dict[str, str] = data["descriptions"]
        self._seventh: dict[str, dict[str, str]] = data["seventh"]
        self._notes: dict[str, dict[str, list[str]]] = data["notes"]
        # Excludes ranges as stored; each key's are made CodeRanges the first time a code under it is
        # judged (a year holds ~8,500, a file's claims need a few hundred).
        self._range_rows: dict[str, dict[str, list[list[str]]]] = {
            "excludes1": data["excludes1"],
            "excludes2": data["excludes2"],
        }
        self._chapters: list[list[str]] = data["chapters"]
        blocks = sorted(data["blocks"], key=lambda b: (b[1], b[2]))
        self._blocks = blocks
        self._block_starts = [b[1] for b in blocks]
        self._memoize()

    def _memoize(self) -> None:
        """Per-instance memos of the pure per-code lookups.

        The rules ask the same few questions of the same codes many times per claim (lineage,
        Excludes ranges, parent, title); the data is read-only after loading, so each answer is
        computed once per code set. Results are immutable (tuples, strings, frozen dataclasses).
        """
        memo = lru_cache(maxsize=_MEMO_SIZE)
        self._flags_of = memo(self._compute_flags)
        self._category_keys = memo(self._compute_category_keys)
        self._lineage_of = memo(self._compute_lineage)
        self._parent_of = memo(self._compute_parent)
        self._children_of = memo(self._compute_children)
        self._exclusions_of = memo(self._compute_exclusion_ranges)
        self._ranges_at = memo(self._compute_ranges_at)
        self._excludes_of = memo(self._compute_excludes)
        self._describe_of = memo(self._compute_describe)

    @classmethod
    def load(cls, path: Path) -> CodeSet:
        return cls(read_data(path), origin=str(path))

    # -- membership -------------------------------------------------------------------------

    def flags(self, code: str) -> CodeFlag:
        return self._flags_of(normalize(code))

    def _compute_flags(self, code: str) -> CodeFlag:
        return CodeFlag(self._codes.get(code, 0))

    def bits(self, code: str) -> int:
        """The code's flags as a plain int (0 when unknown): :meth:`flags` for hot loops, where
        every ``&`` on a :class:`CodeFlag` would build a new enum member."""
        return self._codes.get(normalize(code), 0)

    def exists(self, code: str) -> bool:
        """A code of this year, billable or header."""
        return normalize(code) in self._codes

    def is_billable(self, code: str) -> bool:
        return bool(self._codes.get(normalize(code), 0) & _BILLABLE)

    def is_header(self, code: str) -> bool:
        code = normalize(code)
        return code in self._codes and not self._codes[code] & _BILLABLE

    def billable_codes(self) -> Iterator[str]:
        return (c for c, f in self._codes.items() if f & _BILLABLE)

    # -- tree ---------------------------------------------------------------------------------

    def block_of(self, code: str) -> str | None:
        return self._category_keys(normalize(code)[:3])[0]

    def chapter_of(self, code: str) -> str | None:
        return self._category_keys(normalize(code)[:3])[1]

    def _compute_category_keys(self, category: str) -> tuple[str | None, str | None]:
        """(block, chapter) of a three-character category: both looked up once per category."""
        return self._compute_block(category), self._compute_chapter(category)

    def _compute_block(self, category: str) -> str | None:
        i = bisect.bisect_right(self._block_starts, category) - 1
        while i >= 0:
            key, first, last, _ = self._blocks[i]
            if first <= category <= last:
                return key
            i -= 1
            if i >= 0 and self._blocks[i][2] < category:
                break
        return None

    def _compute_chapter(self, category: str) -> str | None:
        for key, first, last in self._chapters:
            if first <= category <= last:
                return key
        return None

    def lineage(self, code: str) -> list[str]:
        """Tabular keys from the code up: the code, its subcategories, category, block, chapter."""
        return list(self._lineage_of(normalize(code)))

    def _compute_lineage(self, code: str) -> tuple[str, ...]:
        keys = [code[:n] for n in range(len(code), 2, -1) if code[:n] in self._descriptions]
        return tuple(keys) + tuple(k for k in self._category_keys(code[:3]) if k)

    def parent(self, code: str) -> str | None:
        return self._parent_of(normalize(code))

    def _compute_parent(self, code: str) -> str | None:
        for n in range(len(code) - 1, 2, -1):
            if code[:n] in self._codes:
                return code[:n]
        return None

    @cached_property
    def _sorted_codes(self) -> list[str]:
        """Every code in order (the data files keep them in order: one pass, not a sort)."""
        return sorted(self._codes)

    def _compute_children(self, code: str) -> tuple[str, ...]:
        """The codes whose parent is ``code``, found among those that start with it (one bisected
        range), so no year-wide index is built: that took about a tenth of a second per process."""
        keys = self._sorted_codes
        start = bisect.bisect_right(keys, code)
        end = bisect.bisect_left(keys, f"{code}~", start)  # '~' sorts after every code character
        return tuple(c for c in keys[start:end] if self._compute_parent(c) == code)

    def children(self, code: str) -> list[str]:
        return list(self._children_of(normalize(code)))

    def billable_descendants(self, code: str, limit: int = 5) -> list[str]:
        """A few billable codes under a header, for fix hints."""
        out, stack = [], [normalize(code)]
        while stack and len(out) < limit:
            for child in sorted(self.children(stack.pop(0))):
                (out if self.is_billable(child) else stack).append(child)
        return out[:limit]

    # -- text -----------------------------------------------------------------------------------

    def describe(self, code: str) -> str:
        """The code's title; seventh-character codes are composed from their stem and table."""
        return self._describe_of(normalize(code))

    def _compute_describe(self, code: str) -> str:
        if code in self._descriptions:
            return self._descriptions[code]
        stem = next((code[:n] for n in range(len(code) - 1, 2, -1) if code[:n] in self._descriptions), "")
        text = self._descriptions.get(stem, "")
        if len(code) == 7:
            table = next((self._seventh[k] for k in self._lineage_of(code) if k in self._seventh), {})
            if code[6] in table:
                text = f"{text}, {table[code[6]]}"
        if self._codes.get(code, 0) & _NO_TEXT:
            under = f" under {dotted(stem)} {text}" if stem else ""
            return f"new FY{self.fiscal_year} code{under} (own title not bundled)"
        return text

    def notes(self, key: str) -> dict[str, list[str]]:
        """A tabular node's own notes (key: code, block id or ``chNN``)."""
        return self._notes.get(normalize(key) if "-" not in key and not key.startswith("ch") else key, {})

    def inherited_notes(self, code: str, kind: str) -> list[tuple[str, str]]:
        """(owner key, note) of ``kind`` on the code and every level above it."""
        keys = self._lineage_of(normalize(code))
        return [(key, text) for key in keys for text in self._notes.get(key, {}).get(kind, [])]

    # -- Excludes -------------------------------------------------------------------------------

    def exclusion_ranges(self, code: str, kind: str = "excludes1") -> list[tuple[str, CodeRange]]:
        return list(self._exclusions_of(normalize(code), kind))

    def _compute_exclusion_ranges(self, code: str, kind: str) -> tuple[tuple[str, CodeRange], ...]:
        return tuple((key, r) for key in self._lineage_of(code) for r in self._ranges_at(key, kind))

    def _compute_ranges_at(self, key: str, kind: str) -> tuple[CodeRange, ...]:
        return tuple(CodeRange.from_list(row) for row in self._range_rows[kind].get(key, ()))

    def excludes(self, code: str, other: str, kind: str = "excludes1") -> Exclusion | None:
        """The first note on ``code`` (or above it) that covers ``other``."""
        return self._excludes_of(normalize(code), normalize(other), kind)

    def _compute_excludes(self, code: str, other: str, kind: str) -> Exclusion | None:
        for owner, found in self._exclusions_of(code, kind):
            if found.matches(other):
                return Exclusion(kind, code, other, owner, found)
        return None

    def excluded_together(self, a: str, b: str, kind: str = "excludes1") -> Exclusion | None:
        """Either direction: a note on ``a`` naming ``b`` or a note on ``b`` naming ``a``."""
        return self.excludes(a, b, kind) or self.excludes(b, a, kind)

    def note_text(self, exclusion: Exclusion) -> str:
        """The note that produced an exclusion, for messages."""
        for text in self._notes.get(exclusion.owner, {}).get(exclusion.kind, []):
            if exclusion.range.lo in normalize(text.replace("-", "")) or exclusion.range.lo[:3] in text:
                return text
        return ""

    def __repr__(self) -> str:
        return f"CodeSet({self.label!r}, {len(self._codes)} codes)"
