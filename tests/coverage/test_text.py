"""Cell conversions: HTML paragraphs to plain text, codes, dates, procedures a paragraph names."""

from __future__ import annotations

import datetime as dt

import pytest

from scrubber.refdata.coverage.text import icd10_code, mentioned_procedures, parse_day, plain_text, shorten


def test_html_paragraphs_become_one_line_of_plain_text() -> None:
    fragment = "<p>Group 1 Paragraph:</p>\r\n<p>Covered&nbsp;for <strong>both</strong> &amp; more<br/>next</p>"
    assert plain_text(fragment) == "Group 1 Paragraph: Covered for both & more next"
    assert plain_text("") == ""


def test_codes_with_or_without_the_dot() -> None:
    assert icd10_code("C34.90") == icd10_code("c3490 ") == "C3490"
    assert icd10_code("not a code") is None and icd10_code("12345") is None


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        ("2025-11-20", dt.date(2025, 11, 20)),
        ("2025-11-20 10:00:00.000000", dt.date(2025, 11, 20)),
        ("11/20/2025", dt.date(2025, 11, 20)),
        ("", None),
    ],
)
def test_dates_and_timestamps(cell: str, day: dt.date | None) -> None:
    assert parse_day(cell) == day


def test_a_bad_date_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_day("soon")


def test_procedures_and_ranges_a_paragraph_names() -> None:
    text = "For CPT codes 93880 - 93882 and G0101; group 1 of 2026 (not 12345678)"
    assert mentioned_procedures(text) == [("93880", "93882"), ("G0101", "G0101")]


def test_long_text_is_cut_at_a_word() -> None:
    assert shorten("word " * 100, 20) == "word word word word…"
