"""NCCI001/NCCI002 against a made-up PTP table and MUE table in the CMS layouts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from scrubber.refdata.ncci.store import NcciTables, import_tables, open_tables
from scrubber.rules.base import RuleContext
from scrubber.rules.ncci import PtpConflict
from tests.builders import ClaimSpec, LineSpec, build_claim

DATA = Path(__file__).parent / "data"
DAY = dt.date(2026, 3, 2)


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> NcciTables:
    database = tmp_path_factory.mktemp("ncci") / "ncci.sqlite3"
    import_tables(database, [DATA / "ptp_practitioner_sample.txt"], [DATA / "mue_practitioner_sample.csv"])
    return open_tables(database)


def ptp(tables: NcciTables, *lines: LineSpec, day: dt.date = DAY) -> list:
    claim = build_claim(ClaimSpec(lines=list(lines), service_date=day))
    return list(PtpConflict().check(claim, RuleContext(as_of=day, ncci=tables)))


def test_a_pair_on_the_same_day_is_caught_on_the_column_two_line(tables: NcciTables) -> None:
    (finding,) = ptp(tables, LineSpec("22222"), LineSpec("11111"))
    assert finding.rule == "NCCI001"
    assert finding.codes == ["11111", "22222"]
    assert finding.location.segment and "line 1" in finding.message  # 22222 is line 1
    assert "modifier indicator 1" in finding.message
    assert "ptp_practitioner_sample.txt" in finding.reference
