"""The note forms the tabular uses, read into code ranges."""

from __future__ import annotations

import pytest

from scrubber.refdata.codesets.icd10.ranges import parse_note


@pytest.mark.parametrize(
    ("note", "ranges"),
    [
        ("muscle weakness (generalized) (M62.81)", ["M6281"]),
        ("other myopathies (M62.8-)", ["M628"]),
        ("dermatopolymyositis (M33.-)", ["M33"]),
        ("recurrent depressive disorder (F33-)", ["F33"]),
        ("pregnancy (O00-O9A)", ["O00-O9A"]),
        ("signs and symptoms of breast (N63, N64.5)", ["N63", "N645"]),
        ("injury to visual cortex S04.04-", ["S0404"]),
        ("intracranial injuries S06.1- to S06.6-, and S06.81- to S06.89-", ["S061-S066", "S0681-S0689"]),
        ("genetic disorders (QA0.-)", ["QA0"]),
    ],
)
def test_forms(note, ranges):
    parsed = parse_note(note)
    assert [r.lo if r.lo == r.hi else f"{r.lo}-{r.hi}" for r in parsed.ranges] == ranges


def test_range_matches_codes_below_it():
    (found,) = parse_note("(O00-O9A)").ranges
    assert found.matches("O9A211") and found.matches("O0000") and not found.matches("P00")


@pytest.mark.parametrize(
    ("note", "inside", "outside"),
    [
        ("(E08-E13 with .42)", "E1142", "E1140"),
        ("(E08-E13 with .51-.52)", "E1052", "E1059"),
        ("(I69. with final characters -23)", "I69323", "I69320"),
        ("(S02.- with 7th character B)", "S020XXB", "S020XXA"),
        ("(B27.- with fifth character 2)", "B2702", "B2701"),
    ],
)
def test_qualified_ranges(note, inside, outside):
    (found,) = parse_note(note).ranges
    assert found.matches(inside) and not found.matches(outside)


def test_notes_without_code_yield_nothing():
    assert parse_note("meningitis (in):").ranges == ()


def test_unread_qualifier_is_dropped_not_widened():
    parsed = parse_note("open fracture (S52.- with open fracture 7th character)")
    assert parsed.ranges == () and parsed.unread_qualifier
