"""Which code-set year judges a date of service, and what the report says about it."""

from __future__ import annotations

import datetime as dt

import pytest

from scrubber.refdata.codesets.icd10 import fiscal_year
from tests.builders import build_claim


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (dt.date(2025, 9, 30), 2025),
        (dt.date(2025, 10, 1), 2026),
        (dt.date(2026, 9, 30), 2026),
        (dt.date(2026, 10, 1), 2027),
    ],
)
def test_fiscal_year_starts_october_first(day, year):
    assert fiscal_year(day) == year


def test_labels_by_date(code_sets):
    assert code_sets.label_for(dt.date(2025, 10, 1)) == "ICD-10-CM FY2026"
    assert code_sets.label_for(dt.date(2025, 9, 30)) == "ICD-10-CM FY2025"
    assert code_sets.label_for(dt.date(2026, 10, 1)) == (
        "ICD-10-CM FY2027 (provisional: CMS MCE v44.0 validity, FY2026 notes)"
    )
    assert code_sets.label_for(dt.date(2015, 9, 30)) == "ICD-9-CM (not checked)"
    assert code_sets.label_for(None) is None


def test_label_for_a_claim_uses_its_date_of_service(code_sets):
    claim = build_claim(diagnoses=["M62.81"], service_date=dt.date(2025, 12, 1))
    assert code_sets.label_for(claim.service_date) == "ICD-10-CM FY2026"


def test_years_beyond_the_installed_ones_say_which_year_stood_in(code_sets):
    stand_in = code_sets.for_date(dt.date(2028, 1, 5))
    assert stand_in.label.startswith("ICD-10-CM FY2027 (provisional")
    assert stand_in.label.endswith("standing in for FY2028")
    assert "FY2028 is not installed" in stand_in.caveat
    older = code_sets.for_date(dt.date(2016, 1, 5))
    assert older.label == "ICD-10-CM FY2025 standing in for FY2016"


def test_provisional_year_knows_fy2027_validity(code_sets):
    fy2027 = code_sets.sets[2027]
    assert fy2027.is_billable("C78.31")  # new October 2026 (CMS MCE v44)
    assert fy2027.is_header("C78.3")
    assert not code_sets.sets[2026].exists("C78.31")
    assert "title not bundled" in fy2027.describe("C78.31")
    assert fy2027.age_ranges["maternity"] == (9, 64)


def test_a_corrupt_imported_file_is_named_in_the_error(tmp_path):
    from scrubber.refdata.codesets.icd10 import CodeSetError, CodeSets

    (tmp_path / "icd10cm_fy2030.json.gz").write_bytes(b"not gzip")
    with pytest.raises(CodeSetError, match=r"icd10cm_fy2030\.json\.gz"):
        CodeSets.load(tmp_path)


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"", "truncated"),
        (b"[1, 2]", "not an ICD-10-CM data file"),
        (b"{not json", "malformed"),
        (bytes(range(256)), "malformed"),
        (b'{"schema": "other/1"}', "not an ICD-10-CM data file"),
    ],
    ids=["empty", "a list", "bad JSON", "binary", "another schema"],
)
def test_a_broken_data_file_is_a_located_error(tmp_path, body, why):
    """The decoder (msgspec) must turn every broken file into CodeSetError naming the file, not a traceback."""
    import gzip

    from scrubber.refdata.codesets.icd10 import CodeSetError, CodeSets

    (tmp_path / "icd10cm_fy2030.json.gz").write_bytes(gzip.compress(body))
    with pytest.raises(CodeSetError, match=rf"icd10cm_fy2030\.json\.gz.*{why}"):
        CodeSets.load(tmp_path)


def test_loading_one_year_for_a_lookup(tmp_path):
    from scrubber.refdata.codesets.icd10 import CodeSets

    assert CodeSets.load(tmp_path, years=[2026]).years == [2026]
    assert CodeSets.load(tmp_path, years=[2031]).years == [2027]
