"""The segment reader: delimiters from the ISA, positions, line breaks, chunk boundaries."""

from __future__ import annotations

import io

import pytest

from scrubber.synthetic import ClaimSpec, render_837
from scrubber.x12.reader import NotX12Error, ReaderIssue, SegmentReader, parse_isa_delimiters
from scrubber.x12.segment import Delimiters, PrintableBatch
from tests.conftest import TR3_DIR

SIMPLE = (TR3_DIR / "commercial-health-insurance.edi").read_bytes()


def read(data: bytes, chunk_size: int = 1 << 20) -> tuple[list, list[ReaderIssue]]:
    issues: list[ReaderIssue] = []
    segments = list(SegmentReader(io.BytesIO(data), issues.append, chunk_size=chunk_size))
    return segments, issues


def test_delimiters_come_from_the_isa():
    d = parse_isa_delimiters(SIMPLE.decode("latin-1"))
    assert (d.element, d.component, d.repetition, d.segment) == ("*", ":", ">", "~")


def test_positions_offsets_and_st_counting():
    segments, issues = read(SIMPLE)
    assert issues == []
    ids = [s.id for s in segments]
    assert ids[:3] == ["ISA", "GS", "ST"] and ids[-3:] == ["SE", "GE", "IEA"]
    assert [s.index for s in segments] == list(range(1, len(segments) + 1))
    st = segments[2]
    se = segments[-3]
    assert st.st_index == 1 and se.st_index == int(se.get(1)) == 42
    assert segments[0].st_index == 0 and segments[-1].st_index == 0
    text = SIMPLE.decode("latin-1")
    for seg in segments:
        assert text[seg.offset : seg.offset + len(seg.text)] == seg.text
        assert seg.line == 1  # no line breaks in this file


@pytest.mark.parametrize("chunk_size", [1, 2, 7, 64, 1000])
def test_chunk_boundaries_do_not_change_segments(chunk_size):
    whole, _ = read(SIMPLE)
    chunked, issues = read(SIMPLE, chunk_size=chunk_size)
    assert issues == []
    assert [(s.elements, s.index, s.st_index, s.line, s.offset) for s in chunked] == [
        (s.elements, s.index, s.st_index, s.line, s.offset) for s in whole
    ]


@pytest.mark.parametrize("line_break", ["\n", "\r\n"])
def test_line_numbers_follow_line_breaks(line_break):
    data = render_837([ClaimSpec()], line_break=line_break).encode()
    segments, issues = read(data, chunk_size=13)
    assert issues == []
    assert [s.line for s in segments] == list(range(1, len(segments) + 1))
    text = data.decode()
    assert all(text[s.offset : s.offset + len(s.text)] == s.text for s in segments)


def test_any_characters_may_be_delimiters():
    odd = Delimiters(element="|", component="^", repetition="{", segment="\n")
    data = render_837([ClaimSpec(diagnoses=["R05.9", "J06.9"])], delimiters=odd, line_break="").encode()
    segments, issues = read(data)
    assert issues == []
    hi = next(s for s in segments if s.id == "HI")
    assert hi.components(2) == ["ABF", "J069"]
    assert segments[0].delimiters == odd


def test_each_interchange_declares_its_own_delimiters():
    first = render_837([ClaimSpec(claim_id="A")]).encode()
    second = render_837([ClaimSpec(claim_id="B")], delimiters=Delimiters("|", "^", "{", "'"), first_isa13=2).encode()
    segments, issues = read(first + second, chunk_size=50)
    assert issues == []
    clms = [s for s in segments if s.id == "CLM"]
    assert [c.get(1) for c in clms] == ["A", "B"]
    assert clms[1].delimiters.element == "|"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "file is empty"),
        (b"   \n\n", "white space"),
        (b"\x00\x01\x02\xff" * 100, "does not start with an ISA"),
        (b"GS*HC*1~", "does not start with an ISA"),
        (b"ISA*00*  ", "ends inside the ISA header"),
        (SIMPLE[:90], "ends inside the ISA header"),
        (b"ISA" + b"*" * 20, "clashing"),
    ],
)
def test_not_x12_is_one_clear_error(data, message):
    with pytest.raises(NotX12Error, match=message):
        read(data)


def test_bom_is_skipped_and_reported():
    segments, issues = read(b"\xef\xbb\xbf" + SIMPLE)
    assert [i.kind for i in issues] == ["bom"]
    assert segments[0].id == "ISA" and segments[0].offset == 3


def test_oversized_segment_is_skipped_not_buffered():
    text = SIMPLE.decode()
    big = "NTE*ADD*" + "X" * (3 << 20)
    cut = text.index("LX*1~")
    data = (text[:cut] + big + "~" + text[cut:]).encode()
    segments, issues = read(data, chunk_size=1 << 16)
    assert [i.kind for i in issues] == ["oversized_segment"]
    assert issues[0].offset == cut
    assert "NTE" not in [s.id for s in segments]
    assert [s.id for s in segments][-1] == "IEA"


@pytest.mark.parametrize(
    "odd",
    [b"\xc3\xa9", b"\x01", b"\r", b"\t", b"\x7f"],
    ids=["non-ASCII", "control byte", "carriage return", "tab", "DEL"],
)
@pytest.mark.parametrize("chunk_size", [64, 1 << 20])
def test_a_printable_batch_holds_printable_ascii_only(odd, chunk_size):
    """The structure check skips its character-set test on a PrintableBatch: an odd byte anywhere
    must keep its segment out of one. Read in small chunks, the clean chunks still come as
    PrintableBatches; read in one, the whole file takes the careful path."""
    text = SIMPLE.decode()
    cut = text.index("NM1*IL") + len("NM1*IL*1*")
    data = text[:cut].encode() + odd + text[cut:].encode()
    batches = list(SegmentReader(io.BytesIO(data), lambda issue: None, chunk_size=chunk_size).batches())
    printable = [s for batch in batches if isinstance(batch, PrintableBatch) for s in batch]
    assert bool(printable) == (chunk_size == 64)
    assert all(s.text.isascii() and s.text.isprintable() for s in printable)
    assert not any(s.id == "NM1" and s.get(1) == "IL" for s in printable)
    assert sum(map(len, batches)) == len(read(SIMPLE)[0])
