"""A provisional fiscal year from the previous year's tabular plus the CMS MCE's valid-code list.

The CMS Medicare Code Editor (v44.0, valid 2026-10-01 to 2027-03-31) knows which diagnosis codes
are valid in FY2027 before we ship that year's tabular. Codes it lists are billable; codes it no
longer lists are gone (or became headers, when new codes extend them). Descriptions and notes come
from the previous year, and new codes carry no text: the label and caveat say so on every report.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from scrubber.refdata.codesets.icd10.flags import CodeFlag, mce_flags


def provisional_year(
    base: dict[str, Any],
    *,
    fiscal_year: int,
    mce_codes: Mapping[str, frozenset[str]],
    age_ranges: Mapping[str, tuple[int, int]],
    mce_source: str,
    mce_label: str = "CMS MCE",
) -> tuple[dict[str, Any], dict[str, int]]:
    """The next year's data built on ``base``; returns it and counts of added/removed codes."""
    data = copy.deepcopy(base)
    old: dict[str, int] = base["codes"]
    sex_mask = CodeFlag.MALE | CodeFlag.FEMALE
    codes: dict[str, int] = {}
    for code, attributes in mce_codes.items():
        flags = CodeFlag.BILLABLE | mce_flags(attributes - {"male", "female"})
        flags |= old.get(code, 0) & (sex_mask | CodeFlag.MANIFESTATION)
        if code not in old:
            flags |= CodeFlag.NO_TEXT
            flags |= _inherited(old, code) & CodeFlag.MANIFESTATION
        codes[code] = int(flags)
        for n in range(3, len(code)):
            prefix = code[:n]
            if prefix in old or prefix in base["descriptions"]:
                codes.setdefault(prefix, old.get(prefix, 0) & ~CodeFlag.BILLABLE)
    for code, flags in list(codes.items()):
        if code not in mce_codes:
            codes[code] = int(flags & ~CodeFlag.BILLABLE)
    data["codes"] = codes
    data["fiscal_year"] = fiscal_year
    data["label"] = f"ICD-10-CM FY{fiscal_year} (provisional: {mce_label} validity, {base['label'][10:]} notes)"
    data["age_ranges"] = {k: list(v) for k, v in age_ranges.items()}
    data["source"] = f"{mce_source} valid-code list; texts and notes from {base['label']} ({base['source']})"
    data["caveat"] = (
        f"FY{fiscal_year} tabular not installed: code validity is from the CMS Medicare Code Editor, "
        f"descriptions and Excludes notes from {base['label']}. Run `scrubber codes import` with the "
        f"CDC FY{fiscal_year} files for full checks."
    )
    new_billable = {c for c in mce_codes if c not in old}
    dropped = {c for c, f in old.items() if f & CodeFlag.BILLABLE and c not in mce_codes}
    counts = {"billable": len(mce_codes), "new": len(new_billable), "no_longer_billable": len(dropped)}
    data["stats"] = {**base.get("stats", {}), "provisional": counts}
    return data, counts


def _inherited(codes: Mapping[str, int], code: str) -> int:
    """Flags of the nearest existing ancestor (a new code inherits its family's convention)."""
    for n in range(len(code) - 1, 2, -1):
        if code[:n] in codes:
            return codes[code[:n]]
    return 0
