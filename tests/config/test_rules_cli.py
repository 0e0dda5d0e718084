"""`scrubber rules [ID]` and `scrubber ncci import`, through typer as the lead mounts them."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from scrubber.cli.ncci import ncci_app
from scrubber.cli.rules import rules_command
from scrubber.refdata.ncci.store import open_tables

DATA = Path(__file__).parent.parent / "ncci" / "data"

app = typer.Typer()
app.command("rules")(rules_command)
app.add_typer(ncci_app, name="ncci")
runner = CliRunner()


def test_rules_lists_the_catalogue_with_configured_severities(tmp_path: Path) -> None:
    config = tmp_path / "scrubber.toml"
    config.write_text('[rules]\ndisable = ["CLM003"]\nseverity = { CLM008 = "error" }\n')
    result = runner.invoke(app, ["rules", "--config", str(config)])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()}
    assert "PAIR001" in lines and "NCCI002" in lines and "ENV001" in lines
    assert " off " in lines["CLM003"]
    assert " error " in lines["CLM008"] and "(default warning)" in lines["CLM008"]


def test_rules_json_shows_payer_severities(tmp_path: Path) -> None:
    config = tmp_path / "scrubber.toml"
    config.write_text('[payers.P1]\nseverity = { PAIR001 = "error" }\n')
    for payer, expected in (("P1", "error"), ("P2", "warning")):
        result = runner.invoke(app, ["rules", "--config", str(config), "--payer", payer, "--format", "json"])
        rows = {row["code"]: row for row in json.loads(result.output)}
        assert rows["PAIR001"]["severity"] == expected


def test_rules_id_prints_the_doc_page() -> None:
    result = runner.invoke(app, ["rules", "clm006"])
    assert result.exit_code == 0
    assert result.output.startswith("CLM006 invalid-npi\n")
    for heading in ("What it checks:", "Why payers reject it:", "Example:", "Fix:", "Configuration:", "References:"):
        assert heading in result.output


def test_unknown_rule_and_bad_config_are_one_line_errors(tmp_path: Path) -> None:
    result = runner.invoke(app, ["rules", "XYZ123"])
    assert result.exit_code == 2 and "no rule 'XYZ123'" in result.output
    config = tmp_path / "scrubber.toml"
    config.write_text("[rules]\nignore = []\n")
    result = runner.invoke(app, ["rules", "--config", str(config)])
    assert result.exit_code == 2
    assert result.output.strip() == f"scrubber: error: {config}: rules.ignore: unknown key"


def test_ncci_import_writes_the_store(tmp_path: Path) -> None:
    database = tmp_path / "data" / "ncci.sqlite3"
    result = runner.invoke(
        app,
        [
            "ncci", "import",
            "--ptp", str(DATA / "ptp_practitioner_sample.txt"),
            "--mue", str(DATA / "mue_practitioner_sample.csv"),
            "--database", str(database),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "PTP edits: 5" in result.output and "MUE values: 3" in result.output
    assert "1 row(s) not understood" in result.output
    assert open_tables(database).mue("11111").value == 1


def test_ncci_import_needs_files_and_reports_bad_ones_in_one_line(tmp_path: Path) -> None:
    assert runner.invoke(app, ["ncci", "import", "--database", str(tmp_path / "x")]).exit_code == 2
    missing = tmp_path / "missing.txt"
    result = runner.invoke(app, ["ncci", "import", "--ptp", str(missing), "--database", str(tmp_path / "db")])
    assert result.exit_code == 2 and result.output.strip() == f"scrubber: error: {missing}: file not found"


def test_ncci_status_names_the_imported_files(tmp_path: Path) -> None:
    database = tmp_path / "ncci.sqlite3"
    runner.invoke(
        app, ["ncci", "import", "--mue", str(DATA / "mue_practitioner_sample.csv"), "--database", str(database)]
    )
    result = runner.invoke(app, ["ncci", "status", "--database", str(database)])
    assert (
        result.exit_code == 0 and "MUE: mue_practitioner_sample.csv" in result.output and "PTP: none" in result.output
    )
    missing = runner.invoke(app, ["ncci", "status", "--database", str(tmp_path / "none.sqlite3")])
    assert missing.exit_code == 2 and "run `scrubber ncci import`" in missing.output
