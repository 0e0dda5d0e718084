"""`scrubber codes import` on small files in the CDC formats (tabular XML, order file, zip)."""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest
from typer.testing import CliRunner

from scrubber.cli.codes import codes_app
from scrubber.refdata.codesets.icd10 import CodeSets
from scrubber.refdata.codesets.icd10.orderfile import OrderFileError, parse_order_line

TABULAR = """<?xml version="1.0" encoding="utf-8"?>
<ICD10CM.tabular>
  <version>2031</version>
  <introduction><introSection type="title"><title>t</title></introSection></introduction>
  <chapter>
    <name>13</name>
    <desc>Diseases of the musculoskeletal system and connective tissue (M00-M99)</desc>
    <section id="M60-M63">
      <desc>Disorders of muscles (M60-M63)</desc>
      <diag>
        <name>M62</name>
        <desc>Other disorders of muscle</desc>
        <diag>
          <name>M62.8</name>
          <desc>Other specified disorders of muscle</desc>
          <diag>
            <name>M62.81</name>
            <desc>Muscle weakness (generalized)</desc>
            <excludes1><note>muscle weakness in sarcopenia (M62.84)</note></excludes1>
          </diag>
          <diag><name>M62.84</name><desc>Sarcopenia</desc></diag>
          <diag><name>M62.86</name><desc>Made-up new muscle disorder</desc></diag>
        </diag>
      </diag>
    </section>
  </chapter>
</ICD10CM.tabular>
"""


def order_line(number: int, code: str, billable: bool, text: str) -> str:
    return f"{number:05d} {code:<7} {int(billable)} {text[:60]:<60} {text}\n"


ORDER = "".join(
    [
        order_line(1, "M62", False, "Other disorders of muscle"),
        order_line(2, "M628", False, "Other specified disorders of muscle"),
        order_line(3, "M6281", True, "Muscle weakness (generalized)"),
        order_line(4, "M6284", True, "Sarcopenia"),
        order_line(5, "M6286", True, "Made-up new muscle disorder"),
    ]
)


@pytest.fixture
def cdc_files(tmp_path):
    (tmp_path / "icd10cm_tabular_2031.xml").write_text(TABULAR)
    (tmp_path / "icd10cm_order_2031.txt").write_text(ORDER)
    return tmp_path


def test_order_line_layout():
    entry = parse_order_line(order_line(12, "S72001A", True, "Fracture of unsp part of neck of right femur, init"))
    assert (entry.code, entry.billable) == ("S72001A", True)
    with pytest.raises(OrderFileError):
        parse_order_line("M6281 Muscle weakness")


def test_import_tabular_and_order_file(cdc_files, tmp_path):
    data_dir = tmp_path / "data"
    files = [str(cdc_files / "icd10cm_tabular_2031.xml"), str(cdc_files / "icd10cm_order_2031.txt")]
    result = CliRunner().invoke(codes_app, ["import", *files, "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert "FY2031: 5 codes, 3 billable, 1 Excludes1 notes (0 without a code)" in result.output
    sets = CodeSets.load(data_dir)
    fy2031 = sets.for_date(dt.date(2030, 10, 1))
    assert fy2031.label == "ICD-10-CM FY2031"
    assert fy2031.is_billable("M62.86") and fy2031.is_header("M62.8")
    assert fy2031.excluded_together("M62.84", "M62.81")
    assert "carried over from ICD-10-CM FY2026" in fy2031.caveat  # age/sex edits: no MCE in CDC files


def test_import_from_a_zip(cdc_files, tmp_path):
    archive = tmp_path / "icd10cm-2031.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(cdc_files / "icd10cm_tabular_2031.xml", "Table and Index/icd10cm_tabular_2031.xml")
        zf.write(cdc_files / "icd10cm_order_2031.txt", "icd10cm_order_2031.txt")
    data_dir = tmp_path / "data"
    result = CliRunner().invoke(codes_app, ["import", str(archive), "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert (data_dir / "icd10cm_fy2031.json.gz").is_file()


def test_import_of_a_file_that_is_not_cdc_data_fails_in_one_line(tmp_path):
    junk = tmp_path / "icd10cm_order_2031.txt"
    junk.write_text("not an order file\n")
    result = CliRunner().invoke(codes_app, ["import", str(junk), "--data-dir", str(tmp_path / "d")])
    assert result.exit_code == 2
    assert "not an ICD-10-CM order-file line" in result.output


def test_imported_fy2027_replaces_the_provisional_year(cdc_files, tmp_path):
    data_dir = tmp_path / "data"
    tabular = cdc_files / "icd10cm_tabular_2027.xml"
    tabular.write_text(TABULAR.replace("<version>2031</version>", "<version>2027</version>"))
    order = cdc_files / "icd10cm_order_2027.txt"
    order.write_text(ORDER)
    result = CliRunner().invoke(codes_app, ["import", str(tabular), str(order), "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    fy2027 = CodeSets.load(data_dir).for_date(dt.date(2026, 11, 2))
    assert fy2027.label == "ICD-10-CM FY2027"
    assert "carried over from ICD-10-CM FY2027 (provisional" in fy2027.caveat
