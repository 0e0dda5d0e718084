"""`scrubber codes show` for coders."""

from __future__ import annotations

from typer.testing import CliRunner

from scrubber.cli.codes import codes_app


def show(*args: str):
    return CliRunner().invoke(codes_app, ["show", *args])


def test_show_billable_code_with_notes_and_partners():
    result = show("R53.1", "--date", "2026-01-15")
    assert result.exit_code == 0
    assert "R53.1  Weakness" in result.output
    assert "billable; ICD-10-CM FY2026" in result.output
    assert "muscle weakness (generalized) (M62.81)" in result.output
    assert "Excludes1 partners (never on the same claim): M62.81, M62.84, R54" in result.output


def test_show_header_lists_billable_codes_below():
    result = show("M62.8", "--date", "2026-01-15")
    assert "header (not billable" in result.output
    assert "M62.81" in result.output


def test_show_unknown_code_exits_1():
    result = show("S30.1XXA", "--date", "2025-11-01")
    assert result.exit_code == 1
    assert "not a code in ICD-10-CM FY2026" in result.output
