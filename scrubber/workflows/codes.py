"""Looking an ICD-10-CM code up as a coder would: title, billable or not, edits, notes, Excludes1 partners.

One lookup, two renderings: ``scrubber codes show`` prints :meth:`CodeLookup.lines`, the HTTP
service (``/v1/codes/{code}``) returns :meth:`CodeLookup.as_json`. Nothing here touches patient data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from scrubber.refdata.codesets.icd10 import CodeSet, CodeSets, dotted, fiscal_year, normalize
from scrubber.refdata.codesets.icd10.flags import CodeFlag

NOTE_TITLES = {
    "excludes1": "Excludes1",
    "excludes2": "Excludes2",
    "code_first": "Code first",
    "use_additional": "Use additional code",
    "code_also": "Code also",
    "includes": "Includes",
    "notes": "Notes",
}
_EDIT_NAMES = {
    CodeFlag.MANIFESTATION: "manifestation (never first-listed)",
    CodeFlag.NEWBORN: "newborn age edit",
    CodeFlag.PEDIATRIC: "pediatric age edit",
    CodeFlag.MATERNITY: "maternity age edit",
    CodeFlag.ADULT: "adult age edit",
    CodeFlag.MALE: "male only (MCE FY2024 list)",
    CodeFlag.FEMALE: "female only (MCE FY2024 list)",
    CodeFlag.UNACCEPTABLE_PDX: "unacceptable as principal diagnosis (MCE)",
}
_BILLABLE_SHOWN = 8


def _label(key: str) -> str:
    if key.startswith("ch"):
        return f"chapter {key[2:]}"
    return key if "-" in key else dotted(key)


@dataclass
class CodeLookup:
    """What the code set says about one code (``found`` False: not a code in that set)."""

    code: str  # with its decimal point
    code_set: str  # e.g. "ICD-10-CM FY2026"
    found: bool
    title: str = ""
    billable: bool = False
    caveat: str = ""
    edits: list[str] = field(default_factory=list)
    within: list[dict[str, str]] = field(default_factory=list)  # chapter, block, category, ... (label, title)
    billable_below: list[str] = field(default_factory=list)  # the first few, for a header code
    notes: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # kind -> [{text, from}]
    excludes1_partners: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def lines(self) -> list[str]:
        """The lines ``codes show`` prints."""
        if not self.found:
            return [f"{self.code}: not a code in {self.code_set}"]
        status = "billable" if self.billable else "header (not billable: needs more characters)"
        lines = [f"{self.code}  {self.title}", f"  {status}; {self.code_set}"]
        if self.caveat:
            lines.append(f"  caveat: {self.caveat}")
        if self.edits:
            lines.append("  edits: " + "; ".join(self.edits))
        if self.within:
            lines.append("  in: " + " > ".join(f"{k['label']} {k['title']}".strip() for k in self.within))
        if not self.billable:
            lines.append("  billable codes below: " + ", ".join(self.billable_below))
        for kind, title in NOTE_TITLES.items():
            notes = self.notes.get(kind)
            if notes:
                lines.append(f"  {title}:")
                lines.extend(f"    - {note['text']}  [{note['from']}]" for note in notes)
        if self.excludes1_partners:
            shown = ", ".join(self.excludes1_partners)
            lines.append(f"  Excludes1 partners (never on the same claim): {shown}")
        return lines


def lookup_code(codes: CodeSet, raw: str) -> CodeLookup:
    """Look ``raw`` (with or without the point) up in one code set."""
    code = normalize(raw)
    if not codes.exists(code):
        return CodeLookup(dotted(code), codes.label, found=False)
    flags = codes.flags(code)
    above = list(reversed(codes.lineage(code)[1:]))  # chapter, block, category, ...
    billable = bool(flags & CodeFlag.BILLABLE)
    notes = {
        kind: [{"text": text, "from": _label(owner)} for owner, text in found]
        for kind in NOTE_TITLES
        if (found := codes.inherited_notes(code, kind))
    }
    partners = codes.exclusion_ranges(code, "excludes1")
    return CodeLookup(
        dotted(code),
        codes.label,
        found=True,
        title=codes.describe(code),
        billable=billable,
        caveat=codes.caveat or "",
        edits=[name for bit, name in _EDIT_NAMES.items() if flags & bit],
        within=[{"label": _label(k), "title": codes.describe(k)} for k in above],
        billable_below=[] if billable else [dotted(c) for c in codes.billable_descendants(code, _BILLABLE_SHOWN)],
        notes=notes,
        excludes1_partners=sorted({str(r) for _, r in partners}) if partners else [],
    )


def describe_code(codes: CodeSet, raw: str) -> list[str]:
    """The lines ``codes show`` prints for one code."""
    return lookup_code(codes, raw).lines()


def code_set_for(day: dt.date, data_dir: Path | None = None, loaded: CodeSets | None = None) -> CodeSet | None:
    """The code set judging ``day`` (None before ICD-10-CM); ``loaded`` reuses code sets already at hand."""
    sets = loaded if loaded is not None else CodeSets.load(data_dir, years=[fiscal_year(day)])
    return sets.for_date(day)
