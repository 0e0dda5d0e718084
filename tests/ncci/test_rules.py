"""NCCI001/NCCI002 against a made-up PTP table and MUE table in the CMS layouts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from scrubber.refdata.ncci.store import NcciTables, import_tables, open_tables
from scrubber.rules.base import RuleContext
from scrubber.rules.ncci import MueExceeded, PtpConflict
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


def test_modifier_59_bypasses_only_where_the_indicator_is_1(tables: NcciTables) -> None:
    assert ptp(tables, LineSpec("11111"), LineSpec("22222", modifiers=["59"])) == []
    (finding,) = ptp(tables, LineSpec("11111"), LineSpec("33333", modifiers=["59"]))
    assert "modifier indicator 0" in finding.message


def test_anatomic_and_x_modifiers_bypass_an_indicator_1_edit(tables: NcciTables) -> None:
    assert ptp(tables, LineSpec("11111", modifiers=["RT"]), LineSpec("22222", modifiers=["LT"])) == []
    assert ptp(tables, LineSpec("11111"), LineSpec("22222", modifiers=["XS"])) == []
    assert len(ptp(tables, LineSpec("11111"), LineSpec("22222", modifiers=["26"]))) == 1


def test_indicator_9_and_deleted_edits_do_not_apply(tables: NcciTables) -> None:
    assert ptp(tables, LineSpec("11111"), LineSpec("55555")) == []
    assert ptp(tables, LineSpec("11111"), LineSpec("44444")) == []  # deleted 2025-01-01
    assert len(ptp(tables, LineSpec("11111"), LineSpec("44444"), day=dt.date(2024, 12, 31))) == 1


def test_an_edit_not_yet_effective_and_different_dates_do_not_apply(tables: NcciTables) -> None:
    assert ptp(tables, LineSpec("11111"), LineSpec("22222"), day=dt.date(2019, 12, 31)) == []
    other_day = LineSpec("22222", service_date=dt.date(2026, 3, 3))
    assert ptp(tables, LineSpec("11111"), other_day) == []


def test_bypass_modifiers_come_from_the_rule_options(tables: NcciTables) -> None:
    claim = build_claim(ClaimSpec(lines=[LineSpec("11111"), LineSpec("22222", modifiers=["59"])], service_date=DAY))
    ctx = RuleContext(as_of=DAY, ncci=tables, options={"NCCI001": {"bypass_modifiers": ["XU"]}})
    assert len(list(PtpConflict().check(claim, ctx))) == 1


def mue(tables: NcciTables, *lines: LineSpec) -> list:
    claim = build_claim(ClaimSpec(lines=list(lines), service_date=DAY))
    return list(MueExceeded().check(claim, RuleContext(as_of=DAY, ncci=tables)))


def test_units_on_one_line_above_the_mue(tables: NcciTables) -> None:
    (finding,) = mue(tables, LineSpec("22222", units="3"))
    assert finding.rule == "NCCI002" and finding.location.element == "SV104"
    assert "3 units of 22222, above its MUE of 2" in finding.message
    assert mue(tables, LineSpec("22222", units="2")) == []


def test_date_of_service_mue_sums_lines_but_a_line_edit_does_not(tables: NcciTables) -> None:
    (finding,) = mue(tables, LineSpec("11111"), LineSpec("11111", modifiers=["76"]))
    assert "lines 1, 2 on 2026-03-02 have 2 units" in finding.message
    assert mue(tables, LineSpec("22222", units="2"), LineSpec("22222", units="2", modifiers=["RT"])) == []


def test_without_imported_tables_the_rules_find_nothing() -> None:
    claim = build_claim(ClaimSpec(lines=[LineSpec("11111"), LineSpec("22222")]))
    ctx = RuleContext(as_of=DAY)
    assert list(PtpConflict().check(claim, ctx)) == [] and list(MueExceeded().check(claim, ctx)) == []
