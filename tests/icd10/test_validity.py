"""ICD001/ICD002 against the code lists in the CDC wheels: valid billable codes pass, deleted ones fail."""

from __future__ import annotations

import datetime as dt
import random

from tests.builders import build_claim
from tests.icd10.conftest import leaves


def _dotted(code: str) -> str:
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def test_generated_valid_billable_codes_raise_no_icd001_or_icd002(check, code_list_2026):
    rng = random.Random(7)
    codes = rng.sample(sorted(leaves(code_list_2026)), 600)
    findings = []
    for start in range(0, len(codes), 12):
        claim = build_claim(diagnoses=[_dotted(c) for c in codes[start : start + 12]], service_date=dt.date(2026, 3, 2))
        findings += check(claim, "ICD001") + check(claim, "ICD002")
    assert findings == []


def test_code_deleted_for_fy2026_is_invalid_from_october_first(check, code_list_2025, code_list_2026):
    deleted = sorted(leaves(code_list_2025) - code_list_2026)
    assert "S301XXA" in deleted  # Contusion of abdominal wall, initial encounter: gone in FY2026
    code = _dotted(deleted[deleted.index("S301XXA")])
    before = build_claim(diagnoses=[code], service_date=dt.date(2025, 9, 30))
    after = build_claim(diagnoses=[code], service_date=dt.date(2025, 10, 1))
    assert check(before, "ICD001") == []
    (finding,) = check(after, "ICD001")
    assert finding.codes == [code]
    assert finding.location.element == "HI01-2"


def test_bundled_billable_sets_match_the_wheel_code_lists(code_sets, code_list_2025, code_list_2026):
    for year, codes in ((2025, code_list_2025), (2026, code_list_2026)):
        assert set(code_sets.sets[year].billable_codes()) == leaves(codes)


def test_children_are_the_codes_whose_parent_is_the_code(code_sets):
    """children() searches a bisected range of codes instead of a year-wide index: the same
    answer as the definition (every code whose nearest existing prefix is the parent)."""
    codes = code_sets.for_year(2026)
    by_parent: dict[str, list[str]] = {}
    for code in codes._codes:
        parent = codes.parent(code)
        if parent:
            by_parent.setdefault(parent, []).append(code)
    sample = [*random.Random(7).sample(sorted(codes._codes), 3000), "M62", "S72", "S7200", "Z99", "A0", "QQQ"]
    for code in sample:
        assert codes.children(code) == sorted(by_parent.get(code, [])), code
    assert codes.children("M62.8") == codes.children("M628") and "M6281" in codes.children("M628")
