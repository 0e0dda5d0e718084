"""End to end: `scrubber policies import|status|show`, then `scrubber check` on small 837P files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from scrubber.refdata.coverage.synthetic import write_download
from scrubber.synthetic import ClaimSpec, LineSpec, render_837
from tests.coverage.conftest import standard_articles

DAY = dt.date(2026, 3, 2)


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    """An environment whose default data and config folders are empty scratch folders."""
    return {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}


@pytest.fixture
def download(tmp_path: Path) -> Path:
    return write_download(standard_articles(), tmp_path / "current_article.zip")


def claims_file(tmp_path: Path, name: str = "claims.837", day: dt.date = DAY) -> Path:
    specs = [
        ClaimSpec(claim_id="UNSUPPORTED", diagnoses=["I10"], lines=[LineSpec("93880")], service_date=day),
        ClaimSpec(claim_id="SUPPORTED", diagnoses=["I65.21"], lines=[LineSpec("93882")], service_date=day),
        ClaimSpec(
            claim_id="NONCOVERED",
            diagnoses=["M62.81", "R91.1"],
            lines=[LineSpec("71250", pointers=[1, 2])],
            service_date=day,
            payer_id="MEDICARE01",
        ),
    ]
    path = tmp_path / name
    path.write_text(render_837(specs))
    return path


def pair_findings(stdout: str) -> dict[str, list[tuple[str, str]]]:
    report = json.loads(stdout)
    reports = report if isinstance(report, list) else [report]
    found: dict[str, list[tuple[str, str]]] = {}
    for r in reports:
        for c in r["claims"]:
            found.setdefault(c["claim_id"], []).extend(
                (f["severity"], f["reference"].split(' "')[0]) for f in c["findings"] if f["rule"] == "PAIR001"
            )
    return found


def test_import_status_show_then_check(cli, tmp_path: Path, home: dict, download: Path) -> None:
    imported = cli("policies", "import", str(download), env=home)
    assert imported.code == 0, imported.stderr
    assert "articles: 2" in imported.stdout
    database = Path(home["XDG_DATA_HOME"]) / "scrubber" / "coverage.sqlite3"  # beside ncci.sqlite3
    assert database.is_file()

    status = cli("policies", "status", env=home)
    assert status.code == 0 and "current_article.zip" in status.stdout and "5 covered" in status.stdout
    shown = cli("policies", "show", "93880", "--date", "2026-03-02", env=home)
    assert "billing and coding article A50002, version 2" in shown.stdout and "applies to 93880 93882" in shown.stdout

    checked = cli("check", "-f", "json", "--no-structure", str(claims_file(tmp_path)), env=home)
    found = pair_findings(checked.stdout)
    assert found["UNSUPPORTED"] == [("warning", "LCD L39002, billing and coding article A50002, version 2")]
    assert found["SUPPORTED"] == []
    # M62.81 is non-covered, but R91.1 (also pointed) is covered (and in the default pack): a note only
    assert found["NONCOVERED"] == [("info", "LCD L39001, billing and coding article A50001, version 4")]
    assert checked.code == 0  # warnings and notes do not reject


@pytest.mark.slow  # three CLI runs; test_rule.py judges only the configured payers quickly
def test_configured_store_and_payers(cli, tmp_path: Path, home: dict, download: Path) -> None:
    store = tmp_path / "elsewhere" / "articles.sqlite3"
    assert cli("policies", "import", str(download), "--database", str(store), env=home).code == 0
    config = tmp_path / "scrubber.toml"
    config.write_text(
        '[policies]\ncoverage_database = "elsewhere/articles.sqlite3"\n'
        '[policies.coverage]\npayers = ["MEDICARE01"]\n'
        '[payers.MEDICARE01]\nseverity = { PAIR001 = "error" }\n'
    )
    checked = cli("check", "-f", "json", "--no-structure", "-c", str(config), str(claims_file(tmp_path)), env=home)
    found = pair_findings(checked.stdout)
    assert found["UNSUPPORTED"] == []  # PAYER01: the articles do not judge its claims
    assert found["NONCOVERED"] == [("error", "LCD L39001, billing and coding article A50001, version 4")]
    assert checked.code == 1
    status = cli("policies", "status", "--config", str(config), env=home)
    assert str(store) in status.stdout


@pytest.mark.slow  # four CLI runs; tests/coverage/test_store.py checks a forked worker's store quickly
def test_forked_workers_judge_like_one_process(cli, tmp_path: Path, home: dict, download: Path) -> None:
    assert cli("policies", "import", str(download), env=home).code == 0
    files = [str(claims_file(tmp_path, f"claims-{n}.837", DAY + dt.timedelta(days=n))) for n in range(3)]
    one = cli("check", "-f", "json", "--no-structure", *files, env=home)
    two = cli("check", "-f", "json", "--no-structure", "--jobs", "2", *files, env=home)
    assert pair_findings(one.stdout) == pair_findings(two.stdout)
    assert (
        pair_findings(two.stdout)["UNSUPPORTED"]
        == [("warning", "LCD L39002, billing and coding article A50002, version 2")] * 3
    )


def _one_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    (line,) = [x for x in stderr.splitlines() if x.startswith("scrubber: error:")]
    return line


@pytest.mark.slow  # three CLI runs; tests/coverage/test_import.py keeps the store on a failed import quickly
def test_a_broken_download_is_one_line_exit_2_and_keeps_the_store(cli, tmp_path, home, download) -> None:
    assert cli("policies", "import", str(download), env=home).code == 0
    broken = write_download(
        standard_articles(), tmp_path / "broken.zip", rename={("article_x_hcpc_code", "hcpc_code_id"): "hcpc_code"}
    )
    result = cli("policies", "import", str(broken), env=home)
    assert result.code == 2
    line = _one_line(result.stderr)
    assert "article_x_hcpc_code.csv" in line and "'hcpc_code_id'" in line
    assert "articles: 2" in cli("policies", "status", env=home).stdout


def test_missing_store_errors(cli, tmp_path: Path, home: dict) -> None:
    status = cli("policies", "status", env=home)
    assert status.code == 2 and "scrubber policies import" in _one_line(status.stderr)

    config = tmp_path / "scrubber.toml"
    config.write_text('[policies]\ncoverage_database = "nowhere.sqlite3"\n')
    checked = cli("check", "--no-structure", "-c", str(config), str(claims_file(tmp_path)), env=home)
    assert checked.code == 2
    line = _one_line(checked.stderr)
    assert "policies.coverage_database" in line and "nowhere.sqlite3" in line


def test_unknown_coverage_keys_are_refused(cli, tmp_path: Path, home: dict) -> None:
    config = tmp_path / "scrubber.toml"
    config.write_text('[policies.coverage]\npayer = ["X"]\n')
    checked = cli("check", "--no-structure", "-c", str(config), str(claims_file(tmp_path)), env=home)
    assert checked.code == 2 and "policies.coverage.payer: unknown key" in _one_line(checked.stderr)
