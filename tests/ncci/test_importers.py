"""The PTP and MUE importers read files in the CMS layouts (made-up rows, never CMS tables)."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest

from scrubber.refdata.ncci.mue import parse_mue
from scrubber.refdata.ncci.ptp import parse_ptp
from scrubber.refdata.ncci.store import import_tables, open_tables
from scrubber.refdata.ncci.tables import ImportReport, NcciFileError

DATA = Path(__file__).parent / "data"
PTP_TXT = DATA / "ptp_practitioner_sample.txt"
MUE_CSV = DATA / "mue_practitioner_sample.csv"


def test_ptp_text_skips_the_preamble_and_header_and_reads_every_field() -> None:
    report = ImportReport(file="ptp")
    edits = list(parse_ptp(PTP_TXT, report))

    assert [(e.column1, e.column2, e.modifier) for e in edits] == [
        ("11111", "22222", 1),
        ("11111", "33333", 0),
        ("11111", "44444", 1),
        ("11111", "55555", 9),
        ("66666", "77777", 1),
    ]
    first = edits[0]
    assert first.effective == dt.date(2020, 1, 1)
    assert first.deletion is None  # "*" means no deletion date
    assert first.rationale == "Standards of medical / surgical services"
    assert edits[2].deletion == dt.date(2025, 1, 1)
    assert edits[4].prior_1996
    assert report.rows == 5 and report.bad_rows == 1  # "not a data row" after the data started


def test_ptp_csv_saved_from_the_cms_spreadsheet_reads_the_same(tmp_path: Path) -> None:
    csv_file = tmp_path / "ptp.csv"
    csv_file.write_text(
        "Column 1,Column 2,*=in existence prior to 1996,Effective Date,Deletion Date *=no data,"
        "Modifier 0=not allowed 1=allowed 9=not applicable,PTP Edit Rationale\n"
        '11111,22222,,20200101,*,1,"Misuse of column two code, with column one code"\n',
        encoding="utf-8",
    )
    (edit,) = parse_ptp(csv_file)
    assert (edit.column1, edit.column2, edit.modifier) == ("11111", "22222", 1)
    assert edit.rationale == "Misuse of column two code, with column one code"


def test_ptp_zip_as_downloaded_is_read_member_by_member(tmp_path: Path) -> None:
    archive = tmp_path / "ptp.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("ccipra-v000r0-f1.txt", PTP_TXT.read_bytes())
        zf.writestr("readme.pdf", b"%PDF")
    assert len(list(parse_ptp(archive))) == 5


def test_mue_csv_with_a_multiline_quoted_preamble_takes_the_indicator_digit() -> None:
    report = ImportReport(file="mue")
    edits = {e.code: e for e in parse_mue(MUE_CSV, report)}

    assert set(edits) == {"11111", "22222", "33333"}
    assert (edits["11111"].value, edits["11111"].mai) == (1, 2)
    assert edits["22222"].mai == 1 and not edits["22222"].per_date_of_service
    assert edits["33333"].rationale == "Clinical: Data"
    assert report.bad_rows == 1  # J9999 with a non-numeric value


def test_a_superscript_digit_in_an_mue_value_is_a_bad_row(tmp_path: Path) -> None:
    """'²'.isdigit() is true but int('²') raises: the row is bad, the import goes on."""
    table = tmp_path / "mue.csv"
    text = MUE_CSV.read_text(encoding="utf-8").replace("22222,2,", "22222,\u00b2,")
    table.write_text(text, encoding="utf-8")
    report = ImportReport(file="mue")

    assert {e.code for e in parse_mue(table, report)} == {"11111", "33333"}
    assert report.bad_rows == 2


def test_mue_table_of_another_setting_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "opps.csv"
    other.write_text(
        "HCPCS/CPT Code,Outpatient Hospital Services MUE Values,MUE Adjudication Indicator,MUE Rationale\n"
        "11111,1,2 Date of Service Edit: Policy,x\n"
    )
    with pytest.raises(NcciFileError, match="Practitioner Services"):
        list(parse_mue(other))


def test_a_file_without_edit_rows_is_an_error_naming_the_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("just a note\n")
    with pytest.raises(NcciFileError, match=r"empty\.txt: no PTP edit rows"):
        list(parse_ptp(empty))


def test_import_stores_tables_that_later_imports_replace(tmp_path: Path) -> None:
    database = tmp_path / "ncci.sqlite3"
    summary = import_tables(database, [PTP_TXT], [MUE_CSV])
    assert (summary.ptp_rows, summary.mue_rows) == (5, 3)

    tables = open_tables(database)
    (edit,) = tables.ptp_edits("11111", "33333")
    assert edit.modifier == 0 and edit.rationale == "Mutually exclusive procedures"
    assert tables.ptp_edits("33333", "11111") == ()
    assert tables.mue("22222").value == 2
    assert "ptp_practitioner_sample.txt" in tables.describe()

    smaller = tmp_path / "mue2.csv"
    smaller.write_text(
        "HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale\n"
        "44444,4,3 Date of Service Edit: Clinical,x\n"
    )
    summary = import_tables(database, mue_files=[smaller])
    assert summary.ptp_rows is None and summary.mue_rows == 1
    tables = open_tables(database)  # the import cleared the per-process cache
    assert tables.mue("22222") is None and tables.mue("44444").value == 4
    assert len(tables.ptp_edits("11111", "22222")) == 1  # the PTP table was left alone
