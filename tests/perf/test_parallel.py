"""`--jobs N` gives the report a one-process run gives: same claims, findings and positions."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from scrubber.synthetic import random_claims, render_837
from scrubber.workflows.check import CheckOptions, run_check
from scrubber.workflows.parallel.planner import plan
from tests.conftest import slow

AS_OF = dt.date(2026, 11, 1)


def _write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("latin-1"))
    return path


def _report(tmp_path: Path, files: list[Path], jobs: int, fmt: str = "json") -> tuple[int, str]:
    out = tmp_path / f"report-{jobs}.{fmt}"
    code = run_check(
        CheckOptions(files=[str(f) for f in files], format=fmt, output=out, as_of=AS_OF, structure="off", jobs=jobs)
    )
    return code, out.read_text()


@pytest.fixture
def multi_st(tmp_path: Path) -> Path:
    claims = list(random_claims(500, seed=3, faulty_share=0.3))
    return _write(tmp_path / "multi.837", render_837(claims, claims_per_transaction=20, transactions_per_interchange=4))


@pytest.fixture
def huge_st(tmp_path: Path) -> Path:
    claims = list(random_claims(700, seed=4, faulty_share=0.3))
    return _write(tmp_path / "huge.837", render_837(claims, claims_per_transaction=700))


def test_multi_st_file_is_split_at_transactions(multi_st: Path) -> None:
    with multi_st.open("rb") as stream:
        layout = plan(stream, 2, piece_size=32 << 10)
    assert len(layout.boundaries) > 2
    assert {b.kind for b in layout.boundaries} == {"st"}


@pytest.mark.parametrize("fmt", ["json", slow("text")])
def test_jobs_2_equals_jobs_1_on_a_multi_st_file(tmp_path: Path, multi_st: Path, fmt: str) -> None:
    assert _report(tmp_path, [multi_st], 2, fmt) == _report(tmp_path, [multi_st], 1, fmt)


def test_a_huge_transaction_is_split_at_subscribers(huge_st: Path) -> None:
    with huge_st.open("rb") as stream:
        layout = plan(stream, 2, piece_size=32 << 10)
    assert len(layout.boundaries) > 2
    assert {b.kind for b in layout.boundaries} == {"hl"}


def test_split_inside_a_huge_st_gives_the_same_report(tmp_path: Path, huge_st: Path) -> None:
    assert _report(tmp_path, [huge_st], 3) == _report(tmp_path, [huge_st], 1)


def test_many_files_come_back_in_order(tmp_path: Path, multi_st: Path, huge_st: Path) -> None:
    broken = _write(tmp_path / "broken.837", "NOT X12 AT ALL")
    files = [huge_st, broken, multi_st, huge_st]
    code, report = _report(tmp_path, files, 2)
    assert (code, report) == _report(tmp_path, files, 1)
    assert code == 2


def test_a_wrong_guess_is_rechecked_not_reported(tmp_path: Path) -> None:
    """An empty segment and broken HL numbers throw the plan off; the report must not change."""
    text = render_837(list(random_claims(800, seed=5, faulty_share=0.3)), claims_per_transaction=800)
    text = text.replace("~\nDTP", "~~\nDTP", 1).replace("HL*300*", "HL*3000*", 1).replace("SBR*P*18*", "SBR*P*", 2)
    odd = _write(tmp_path / "odd.837", text)
    assert _report(tmp_path, [odd], 2) == _report(tmp_path, [odd], 1)


def test_a_superscript_digit_in_hl01_is_no_cut_point_and_no_crash(tmp_path: Path) -> None:
    """'²' (byte 0xB2 read as Latin-1) passes str.isdigit() but not int(): the planner must not
    take an HL numbered with it as a place to cut, and the report must equal one process's."""
    text = render_837(list(random_claims(700, seed=4, faulty_share=0.3)), claims_per_transaction=700)
    text = re.sub(r"HL\*(\d+)\*", lambda m: "HL*" + m.group(1).replace("2", "\xb2") + "*", text)
    assert text.count("HL*\xb2") and text.count("\xb2*")
    odd = _write(tmp_path / "odd.837", text)
    with odd.open("rb") as stream:
        layout = plan(stream, 2, piece_size=32 << 10)
    assert len(layout.boundaries) > 2 and {b.kind for b in layout.boundaries} == {"hl"}
    code, report = _report(tmp_path, [odd], 2)
    assert (code, report) == _report(tmp_path, [odd], 1) and code == 1
