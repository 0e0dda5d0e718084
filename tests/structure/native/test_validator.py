"""The native TR3 check: pyx12's results on the TR3 examples, streaming, and files pyx12 cannot read."""

from __future__ import annotations

import io
import re

import pytest

from bench.mutants import mutant
from scrubber.structure.native.validator import NativeValidator
from scrubber.x12.reader import NotX12Error, SegmentReader
from tests.conftest import TR3_DIR
from tests.structure.broken import BROKEN_CHARGE, broken_text, line_of
from tests.structure.native.helpers import key, native, pyx12, segments_of

EXAMPLE = (TR3_DIR / "commercial-health-insurance.edi").read_bytes()


def _described(issues):
    return sorted((i.level, i.code, i.message, i.segment.index if i.segment else 0, i.element, i.component,
                   i.data_element, i.loop) for i in issues)


def test_every_tr3_example_gets_exactly_pyx12s_issues(tr3_file, tmp_path):
    data = tr3_file.read_bytes()
    assert _described(native(data)) == _described(pyx12(data, tmp_path).errors)


def test_a_broken_element_is_located_as_pyx12_locates_it(tmp_path):
    text = broken_text()
    (issue,) = native(text.encode())
    assert (issue.level, issue.code, issue.element_ref, issue.loop) == ("ele", "6", "CLM02", "2300")
    assert issue.segment.index == line_of(text, "CLM*PCNB") and BROKEN_CHARGE in issue.message
    assert {key(i) for i in pyx12(text.encode(), tmp_path).errors} == {key(issue)}


def test_a_missing_segment_is_charged_to_the_segment_before_the_gap(tmp_path):
    data = EXAMPLE.replace(b"N4*MIAMI*FL*33111~REF*EI", b"REF*EI", 1)  # the billing provider's N4
    issues = native(data)
    (missing,) = [i for i in issues if i.code == "3"]
    assert missing.segment.id == "N3" and missing.message.endswith("missing after this segment")
    assert {key(i) for i in issues} == {key(i) for i in pyx12(data, tmp_path).errors}


@pytest.mark.parametrize("number", range(0, 260, 7))
def test_every_issue_is_returned_by_the_time_the_next_segment_is_fed(number):
    """The pipeline feeds segment k to the validator before the walker sees it: a claim the walker
    closes at k must already have every issue about its segments."""
    segments = segments_of(mutant(11, number).data)
    validator = NativeValidator()
    for segment in segments:
        for issue in validator.feed(segment):
            assert issue.segment is not None and issue.segment.index in (segment.index, segment.index - 1)
    for issue in validator.finish():
        assert issue.segment is segments[-1]


@pytest.mark.parametrize("number", range(3, 260, 11))
def test_a_run_of_segments_fed_at_once_gets_what_they_get_one_by_one(number):
    """The pipeline hands the validator the reader's batches; cut anywhere, the issues are those
    of a segment-by-segment feed, in the same order (a stopped check included)."""
    segments = segments_of(mutant(12, number).data)
    one_by_one = NativeValidator()
    expected = [i for s in segments for i in one_by_one.feed(s)] + one_by_one.finish()
    cut = len(segments) * (number % 5 + 1) // 6
    batched = NativeValidator()
    found = [*batched.feed_batch(segments[:cut]), *batched.feed_batch(segments[cut:]), *batched.finish()]
    assert _described(found) == _described(expected) and [key(i) for i in found] == [key(i) for i in expected]
    assert batched.ack.broken == one_by_one.ack.broken
    # the reader's own batches (PrintableBatch on its hot path, which skips the character-set test)
    read = NativeValidator()
    batches = SegmentReader(io.BytesIO(mutant(12, number).data), chunk_size=64 << number % 4).batches()
    found = read.check_batches(batches)
    assert _described(found) == _described(expected) and [key(i) for i in found] == [key(i) for i in expected]


def test_a_check_that_stops_inside_a_batch_ignores_the_rest_of_it():
    data = EXAMPLE.replace(b"~GS*", b"~ISA*00~GS*", 1)  # an ISA of 2 elements: pyx12 stops reading there
    segments = segments_of(data)
    one_by_one, batched = NativeValidator(), NativeValidator()
    expected = [i for s in segments for i in one_by_one.feed(s)] + one_by_one.finish()
    found = [*batched.feed_batch(segments), *batched.finish()]
    assert [i.code for i in found] == [i.code for i in expected] and found[-1].code == "stopped"
    assert batched.state.stopped and batched.ack.broken


def _broken_inputs() -> dict[str, bytes]:
    isa, rest = EXAMPLE[:106], EXAMPLE[106:]
    return {
        "doubled terminator": EXAMPLE.replace(b"~N3*", b"~~N3*", 1),
        "non-ASCII": EXAMPLE.replace(b"N3*", "N3*Ré".encode("latin-1"), 1),
        "UTF-8 BOM": b"\xef\xbb\xbf" + EXAMPLE,
        "truncated mid-segment": EXAMPLE[: len(EXAMPLE) // 2],
        "no IEA": EXAMPLE[: EXAMPLE.rfind(b"IEA")],
        "composites with > while ISA16 is :": isa + rest.replace(b":", b">"),
        "ISA longer than 106 characters": EXAMPLE.replace(b"*00*          *", b"*00*           *", 1),
        "control characters": EXAMPLE.replace(b"N3*", b"N3*\x07", 1),
        "segment id with a leading space": EXAMPLE.replace(b"~N3*", b"~ N3*", 1),
        "trailing separators": EXAMPLE.replace(b"~N3*", b"~N3***~N3*", 1),
    }


@pytest.mark.parametrize("name", sorted(_broken_inputs()))
def test_odd_files_get_located_issues_never_a_traceback(name):
    data = _broken_inputs()[name]
    issues = native(data)
    if name in ("doubled terminator", "UTF-8 BOM", "segment id with a leading space"):
        assert issues == []  # the reader reports these (and reads past the space); the segments are well formed
        return
    assert issues, name
    assert all(i.segment is not None and i.level != "engine" for i in issues)


@pytest.mark.parametrize("data", [b"", b"\x00\x01\x02binary\xff" * 20, b"   \n", b"NOTX12*1*2~"])
def test_input_that_is_not_x12_is_refused_by_the_reader_before_the_check(data):
    with pytest.raises(NotX12Error):
        native(data)
    assert NativeValidator().finish() == []  # nothing fed, nothing to say


def test_non_ascii_bytes_are_invalid_characters_as_pyx12_judges_them_through_our_reader(tmp_path):
    data = _broken_inputs()["non-ASCII"]
    (issue,) = native(data)
    assert (issue.level, issue.code, issue.element_ref) == ("ele", "6", "N301")
    assert [key(i) for i in pyx12(data, tmp_path).errors] == [key(issue)]


# -- where pyx12 4.0 fails inside its own code (docs/structure-differences.md) --------------------------


def _stopped(result) -> str:
    (engine,) = [i for i in result.errors if i.level == "engine"]
    return engine.message


def test_pyx12_defect_a_composite_with_one_component_too_many(tmp_path):
    data = EXAMPLE.replace(b"SV1*HC:", b"SV1*HC:99213:25:26:59:76:77:XX:", 1) if b"SV1*HC:" in EXAMPLE else None
    assert data is not None
    assert re.search(r"IndexError", _stopped(pyx12(data, tmp_path)))
    issues = native(data)
    assert [(i.level, i.code) for i in issues if "Too many sub-elements" in i.message] == [("seg", "8")]
    assert all(i.level != "engine" for i in issues)


def test_pyx12_defect_a_ge01_that_is_not_a_number(tmp_path):
    data = re.sub(rb"GE\*1\*", b"GE*X*", EXAMPLE)
    assert "ValueError" in _stopped(pyx12(data, tmp_path))
    issues = native(data)
    assert [(i.level, i.code, i.segment.id, i.element_ref) for i in issues] == [
        ("gs", "5", "GE", ""),  # pyx12 reports this one, then fails closing the group
        ("ele", "6", "GE", "GE01"),
    ]


def test_pyx12_defect_an_rd8_range_with_two_dashes(tmp_path):
    segments = [s.text for s in segments_of(EXAMPLE)]
    at = next(i for i, s in enumerate(segments) if s.startswith("DTP*472*"))
    segments[at] = "DTP*472*RD8*20051003-20051004-20051005"
    data = "".join(s + "~" for s in segments).encode()
    assert "ValueError" in _stopped(pyx12(data, tmp_path))
    (issue,) = [i for i in native(data) if i.segment.index == at + 1]
    assert (issue.level, issue.code, issue.element_ref) == ("ele", "8", "DTP03")


def test_pyx12_defect_a_trailer_with_no_envelope_open(tmp_path):
    segments = [s.text for s in segments_of(EXAMPLE) if not s.text.startswith("GS*")]
    data = "".join(s + "~" for s in segments).encode()
    assert "IndexError" in _stopped(pyx12(data, tmp_path))
    issues = native(data)
    # pyx12 cannot place the GE, so (as it does) its reader errors land on the next placed segment
    assert any(i.segment.id == "IEA" and "closes no open functional group" in i.message for i in issues)
    assert any(i.segment.id == "IEA" and "closes no open interchange" in i.message for i in issues)
