"""The 999 written from the native check: pyx12 accepts it, and its IK3/IK4 codes are pyx12's."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from bench.differential import ack_codes
from bench.mutants import mutant
from scrubber.acks.ack999 import NotAcknowledgeable, can_acknowledge, write_999
from scrubber.structure.native.validator import NativeValidator
from scrubber.structure.pyx12_adapter import reference_check
from tests.structure.broken import broken_text, line_of
from tests.structure.native.helpers import pyx12, segments_of

NOW = dt.datetime(2026, 12, 1, 9, 30)


def _native_999(data: bytes) -> str:
    validator = NativeValidator()
    validator.check(segments_of(data))
    out = io.StringIO()
    write_999(validator.ack, out, control=7, now=NOW)
    return out.getvalue()


def _pyx12_999(data: bytes, tmp_path) -> str:
    out = io.StringIO()
    pyx12(data, tmp_path).write_999(out)
    return out.getvalue()


def _segments(text: str) -> list[list[str]]:
    return [s.strip().split("*") for s in text.split("~") if s.strip()]


def test_the_999_rejects_only_the_transaction_with_the_broken_segment(tmp_path):
    text = broken_text()
    ack = _native_999(text.encode())
    segments = _segments(ack)
    verdicts, current = {}, None
    for elements in segments:
        if elements[0] == "AK2":
            current = elements[2]
        elif elements[0] == "IK5":
            verdicts[current] = elements[1]
    assert verdicts == {"0001": "A", "0002": "R", "0003": "A"}
    st = line_of(text, "ST*837*0002")
    ik3 = next(e for e in segments if e[0] == "IK3")
    assert ik3[1:5] == ["CLM", str(line_of(text, "CLM*PCNB") - st + 1), "2300", "8"]
    assert next(e for e in segments if e[0] == "IK4")[1:5] == ["2", "782", "6", "1O0.00"]
    assert next(e for e in segments if e[0] == "AK9")[1:5] == ["P", "3", "3", "2"]
    path = tmp_path / "claims.999"
    path.write_text(ack)
    assert reference_check(path) == (True, [])


@pytest.mark.parametrize("number", range(0, 130, 5))
def test_pyx12_validates_the_999_written_for_a_mutant(number, tmp_path):
    data = mutant(41, number).data
    validator = NativeValidator()
    validator.check(segments_of(data))
    if not can_acknowledge(validator.ack):
        pytest.skip("nothing a 999 could acknowledge")
    path = tmp_path / "claims.999"
    with open(path, "w") as out:
        write_999(validator.ack, out, now=NOW)
    assert reference_check(path) == (True, [])


def test_tr3_examples_get_pyx12s_ik3_and_ik4_codes(tr3_file, tmp_path):
    data = tr3_file.read_bytes()
    assert ack_codes(_native_999(data)) == ack_codes(_pyx12_999(data, tmp_path))


@pytest.mark.parametrize("number", range(0, 260, 4))
def test_mutants_get_pyx12s_ik3_and_ik4_codes(number, tmp_path):
    data = mutant(43, number).data
    result = pyx12(data, tmp_path)
    if any(i.level == "engine" for i in result.errors) or not result.can_acknowledge:
        pytest.skip("pyx12 stopped or has nothing to acknowledge")
    assert ack_codes(_native_999(data)) == ack_codes(_pyx12_999(data, tmp_path))


def test_a_file_without_a_group_cannot_be_acknowledged():
    validator = NativeValidator()
    with pytest.raises(NotAcknowledgeable):
        write_999(validator.ack, io.StringIO())
