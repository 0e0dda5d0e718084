"""The reader's SNIP 1 helpers: ISA layout, character sets, X12 decimals, and the fast path's limits."""

from __future__ import annotations

import io

import pytest

from scrubber.synthetic import ClaimSpec, render_837
from scrubber.x12.charset import describe_start, first_outside
from scrubber.x12.isa import isa_problems
from scrubber.x12.reader import ReaderIssue, SegmentReader
from scrubber.x12.segment import Delimiters
from scrubber.x12.values import decimal_problem, parse_decimal
from tests.conftest import TR3_FILES

GOOD = render_837([ClaimSpec(claim_id="A"), ClaimSpec(claim_id="B")], line_break="\n")


def isa_elements(text: str) -> list[str]:
    return text.split("~", 1)[0].split("*")


@pytest.mark.parametrize("path", TR3_FILES, ids=[p.stem for p in TR3_FILES])
def test_the_tr3_examples_have_sound_isas(path):
    assert isa_problems(isa_elements(path.read_text())) == []


def test_a_sound_synthetic_isa():
    assert isa_problems(isa_elements(GOOD)) == []


@pytest.mark.parametrize(
    ("position", "value", "words"),
    [
        (2, "         ", "is 9 characters"),
        (4, "SECRET", "is 6 characters"),
        (12, "501", "'501' is 3 characters"),
        (13, "0000000X1", "must be 9 digits"),
        (9, "261301", "not a calendar date"),
        (10, "2460", "not a time of day"),
        (14, "2", "not one of the codes 0, 1"),
        (5, "XX", "not one of the codes"),
    ],
)
def test_isa_problems_name_the_element(position, value, words):
    elements = isa_elements(GOOD)
    elements[position] = value
    ((ref, message),) = isa_problems(elements)
    assert ref == f"ISA{position:02d}" and words in message
    if position in (2, 4):  # authorization and security information are never quoted
        assert repr(value) not in message


def test_isa_codes_are_checked_for_00501_only():
    elements = isa_elements(GOOD)
    elements[12], elements[5] = "00401", "02"
    assert isa_problems(elements) == []


@pytest.mark.parametrize(
    ("value", "parsed", "problem"),
    [
        ("12.50", "12.50", ""),
        ("-3", "-3", ""),
        (".5", "0.5", ""),
        ("9" * 18, "9" * 18, ""),
        ("9" * 19, None, "19 digits"),
        ("9" * 30, None, "30 digits"),
        ("1e400", None, "not a decimal"),
        ("1E+27", None, "not a decimal"),
        ("NaN", None, "not a decimal"),
        ("+5", None, "not a decimal"),
        (" 5", None, "not a decimal"),
        ("1_000", None, "not a decimal"),
        ("", None, "missing"),
    ],
)
def test_x12_decimals(value, parsed, problem):
    result = parse_decimal(value)
    assert (str(result) if result is not None else None) == parsed
    assert problem in decimal_problem(value) and bool(decimal_problem(value)) == bool(problem)


def test_first_outside_skips_the_delimiters():
    odd = Delimiters(element="\x1d", component="\x1f", repetition="^", segment="\x1c")
    assert first_outside("NM1\x1dIL\x1d1\x1dDOE", odd) == -1
    assert first_outside("NM1*IL*1*DO\x00E", Delimiters()) == 11
    assert first_outside("NM1*IL*1*MU\xd1OZ", Delimiters()) == 11


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ("NM1*IL*1*DOE~", "segments without an interchange header"),
        ("Dear billing office,\n", "printable text"),
        ("\xff\xfeI\x00S\x00A\x00", "UTF-16"),
        ("\x00\x01\x02\x03\xff", "binary data"),
    ],
)
def test_describe_start(data, words):
    described = describe_start(data)
    assert words in described and f"first {len(data)} bytes" in described
    assert "DOE" not in described and "Dear" not in described


def read(data: bytes, chunk_size: int) -> tuple[list, list[ReaderIssue]]:
    issues: list[ReaderIssue] = []
    return list(SegmentReader(io.BytesIO(data), issues.append, chunk_size=chunk_size)), issues


@pytest.mark.parametrize("chunk_size", [1, 5, 64, 1 << 20])
@pytest.mark.parametrize("byte", [b"\x00", b"\x1a", b"\x7f", b"\xd1"])
def test_odd_bytes_are_found_on_any_chunk_boundary(chunk_size, byte):
    at = GOOD.index("DOE") if "DOE" in GOOD else GOOD.index("NM1*IL") + 9
    data = GOOD.encode()[:at] + byte + GOOD.encode()[at:]
    segments, issues = read(data, chunk_size)
    (issue,) = issues
    assert issue.kind == ("non_ascii" if byte == b"\xd1" else "control")
    assert issue.segment is not None and issue.segment.offset <= at < issue.segment.offset + len(issue.segment.text)
    assert f"0x{byte[0]:02X}" in issue.message
    clean, _ = read(GOOD.encode(), chunk_size)
    assert [s.id for s in segments] == [s.id for s in clean]


def test_the_fast_path_hands_indented_segments_to_the_careful_path():
    lines = GOOD.split("\n")
    cut = len(lines) // 2
    text = "\n".join(lines[:cut] + ["   " + line for line in lines[cut:-1]]) + "\n"
    segments, issues = read(text.encode(), 1 << 20)
    assert [i.kind for i in issues] == ["white_space"]
    assert issues[0].segment is segments[cut]
    assert [s.line for s in segments] == list(range(1, len(segments) + 1))
    assert all(text[s.offset : s.offset + len(s.text)] == s.text for s in segments)
