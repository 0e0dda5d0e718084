"""`scrubber check`: exit codes, the JSON contract, standard input, output files, logs."""

from __future__ import annotations

import json
import os
import stat

from scrubber.synthetic import ClaimSpec, LineSpec, render_837
from tests.conftest import TR3_DIR

CLEAN = render_837([ClaimSpec(claim_id="OK1"), ClaimSpec(claim_id="OK2")]).encode()
WITH_BAD_POINTER = render_837(
    [ClaimSpec(claim_id="OK1"), ClaimSpec(claim_id="BAD1", lines=[LineSpec(pointers=[1])], total="1.00")]
).encode()


def test_exit_0_when_every_claim_is_accepted(tmp_path, cli):
    path = tmp_path / "clean.837"
    path.write_bytes(CLEAN)
    result = cli("check", str(path))
    assert result.code == 0, result.stderr
    assert "claim OK1: accepted" in result.stdout and "2 claims, 2 accepted, 0 rejected" in result.stdout


def test_exit_1_when_a_file_is_rejected(tmp_path, cli):
    path = tmp_path / "broken.837"
    path.write_bytes(CLEAN.replace(b"IEA*1*", b"IEA*2*"))
    result = cli("check", "--format", "json", "--no-structure", str(path))
    assert result.code == 1
    report = json.loads(result.stdout)
    assert report["status"] == "rejected"
    assert [f["rule"] for f in report["file_findings"]] == ["ENV001"]


def test_json_contract_keys(cli):
    path = TR3_DIR / "commercial-health-insurance.edi"
    result = cli("check", "--format", "json", str(path))
    report = json.loads(result.stdout)
    assert report["schema"] == "scrubber.report/1"
    assert {"schema", "file", "sha256", "summary", "file_findings", "claims"} <= set(report)
    assert report["file"] == str(path)
    import hashlib

    assert report["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert report["summary"]["claims"] == 1
    (claim,) = report["claims"]
    assert {"claim_id", "status", "control", "service_date", "diagnoses", "lines", "findings"} <= set(claim)
    assert claim["control"] == {"isa13": "000010216", "gs06": "20213", "st02": "0021"}
    assert claim["service_date"] == "2006-10-03"
    assert claim["diagnoses"][0] == {"code": "034.0", "qualifier": "BK"}
    assert claim["lines"][0] == {
        "line": 1,
        "procedure": "99213",
        "modifiers": [],
        "charge": "40",
        "units": "1",
        "pointers": [1],
        "service_date": "2006-10-03",
    }


def test_standard_input(cli):
    result = cli("check", "--format", "json", "-", stdin=CLEAN)
    assert result.code == 0
    report = json.loads(result.stdout)
    assert report["file"] == "-" and [c["claim_id"] for c in report["claims"]] == ["OK1", "OK2"]


def test_several_files_make_a_json_array(tmp_path, cli):
    paths = []
    for n in range(3):
        path = tmp_path / f"f{n}.837"
        path.write_bytes(CLEAN)
        paths.append(str(path))
    result = cli("check", "--format", "json", *paths)
    reports = json.loads(result.stdout)
    assert [r["file"] for r in reports] == paths


def test_output_file_is_owner_only(tmp_path, cli):
    out = tmp_path / "out" / "report.json"
    out.parent.mkdir()
    result = cli("check", "--format", "json", "--output", str(out), "-", stdin=CLEAN)
    assert result.code == 0 and result.stdout == ""
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert json.loads(out.read_text())["claims"][0]["claim_id"] == "OK1"
    assert [p.name for p in out.parent.iterdir()] == ["report.json"]  # no temporary file left behind


def test_usage_errors_exit_2(cli):
    assert cli("check").code == 2
    result = cli("check", "--format", "pdf", str(TR3_DIR / "ambulance.edi"))
    assert result.code == 2 and "Traceback" not in result.stderr


def test_logs_are_json_events_without_phi(tmp_path, cli):
    path = tmp_path / "claims.837"
    path.write_bytes(TR3_DIR.joinpath("commercial-health-insurance.edi").read_bytes())
    result = cli("check", "--format", "json", str(path))
    events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    (event,) = [e for e in events if e["event"] == "file.checked"]
    assert event["file"] == str(path) and event["claims"] == 1 and event["level"] == "info"
    # The file's patient, subscriber, member id and birth dates must not reach the log.
    for secret in ("SMITH", "JANE", "TED", "JS00111223333", "19430501", "19730501", "1943-05-01"):
        assert secret not in result.stderr


def test_text_report_points_at_the_segment(tmp_path, cli):
    text = render_837([ClaimSpec(claim_id="X1")], line_break="\n").replace("DTP*472*D8*20260302", "DTP*472*D8*2026030")
    path = tmp_path / "claims.837"
    path.write_text(text)
    result = cli("check", str(path))
    assert result.code == 1
    lines = result.stdout.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("ENV008 error:"))
    assert "2026030" in lines[head]
    line_no = text.splitlines().index("DTP*472*D8*2026030~") + 1
    assert f"--> {path} segment {line_no} (claim X1, loop 2400, DTP03)" in lines[head + 1]
    excerpt, carets = lines[head + 3], lines[head + 4]
    assert excerpt.endswith("DTP*472*D8*2026030")
    start = excerpt.index("DTP*472*D8*2026030") + len("DTP*472*D8*")
    assert carets.index("^") == start and carets.count("^") == len("2026030")
