"""Rules, codes and the report schema as the CLI says them; metrics; request logs without PHI."""

from __future__ import annotations

import json
import re
import time

import httpx
import pytest

from bench.serving import Server
from scrubber.report.report_schema import SCHEMA_FILE
from scrubber.workflows.codes import CodeLookup
from tests.conftest import run_cli, slow
from tests.service.conftest import AS_OF, DEMO

BODY = DEMO.read_bytes()


def test_rules_are_what_the_cli_lists(server: Server, http: httpx.Client) -> None:
    response = http.get("/v1/rules", headers=server.headers())
    assert response.status_code == 200
    cli = run_cli("rules", "--format", "json")
    assert response.json() == json.loads(cli.stdout)


def test_one_rule_is_what_the_cli_explains(server: Server, http: httpx.Client) -> None:
    response = http.get("/v1/rules/CLM007", headers=server.headers())
    assert response.status_code == 200
    assert response.json() == json.loads(run_cli("rules", "CLM007", "--format", "json").stdout)
    assert "What it checks" in response.json()["doc"]


@pytest.mark.parametrize("code", ["M62.81", slow("M62"), slow("R53.1")])  # a CLI run each
def test_a_code_lookup_says_what_codes_show_prints(code: str, server: Server, http: httpx.Client) -> None:
    response = http.get(f"/v1/codes/{code}", params={"date": "2026-03-02"}, headers=server.headers())
    assert response.status_code == 200, response.text
    found = response.json()
    assert found["date"] == "2026-03-02"
    assert found["code_set"] == "ICD-10-CM FY2026"
    lookup = CodeLookup(**{k: v for k, v in found.items() if k != "date"})
    cli = run_cli("codes", "show", code, "--date", "2026-03-02")
    assert lookup.lines() == cli.stdout.splitlines()
    assert http.get("/v1/codes/M6281", headers=server.headers()).json()["billable"] is True


def test_the_report_schema_is_served(server: Server, http: httpx.Client) -> None:
    response = http.get("/v1/schema/report", headers=server.headers())
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/schema+json"
    assert response.content == SCHEMA_FILE.read_bytes()


def test_openapi_describes_the_report_and_the_errors(http: httpx.Client) -> None:
    document = http.get("/openapi.json").json()
    check = document["paths"]["/v1/check"]["post"]
    assert set(check["requestBody"]["content"]) == {"application/edi-x12", "text/plain", "application/octet-stream"}
    assert check["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/FileReport"
    }
    for status in ("401", "413", "415", "422"):
        assert check["responses"][status]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorDocument"
        }
    assert "FileReport" in document["components"]["schemas"]
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def _sample(metrics: str, name: str, **labels: str) -> float:
    """A sample's value; 0 when the series is not there yet."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = rf"^{re.escape(name)}\{{{re.escape(wanted)}\}} (\S+)$" if labels else rf"^{re.escape(name)} (\S+)$"
    found = re.search(pattern, metrics, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def test_metrics_count_requests_claims_and_findings(server: Server, http: httpx.Client) -> None:
    before = http.get("/metrics", headers=server.headers()).text
    for _ in range(2):
        response = http.post("/v1/check", params={"as_of": AS_OF}, content=BODY, headers=server.headers())
        assert response.status_code == 200
    after = http.get("/metrics", headers=server.headers())
    assert after.headers["content-type"].startswith("text/plain; version=")
    time.sleep(0.3)  # a request is counted when its response has ended, just after the client has it
    text = http.get("/metrics", headers=server.headers()).text

    def grew(name: str, by: float, **labels: str) -> None:
        assert _sample(text, name, **labels) - _sample(before, name, **labels) == by

    grew("scrubber_claims_checked_total", 6, status="rejected")
    grew("scrubber_claims_checked_total", 6, status="accepted")
    grew("scrubber_findings_total", 2, rule="ICD004")
    grew("scrubber_http_requests_total", 2, method="POST", route="/v1/check", status="200")
    assert _sample(text, "scrubber_http_request_duration_seconds_count", route="/v1/check") >= 2
    assert _sample(text, "scrubber_ready") == 1.0
    assert "scrubber_check_duration_seconds_bucket" in text


PHI = [
    "PUBLIC", "JOHN", "MBR0000000", "19480709", "19510214", "19600101", "19700501", "19900120", "1 MAIN ST",
]  # fmt: skip


def test_logs_and_metrics_carry_no_phi(server: Server, http: httpx.Client) -> None:
    """After reports, acknowledgments, jobs and errors on the demo file, no patient data in the log or metrics."""
    assert all(value.encode() in BODY for value in PHI)  # the demo file does hold them
    for params in ({}, {"format": "text"}, {"format": "html"}, {"ack": "999"}, {"ack": "277ca"}):
        http.post("/v1/check", params={"as_of": AS_OF, **params}, content=BODY, headers=server.headers())
    http.post("/v1/check", content=BODY.replace(b"ISA", b"XYZ", 1), headers=server.headers())
    http.post("/v1/check", content=BODY, headers={"Content-Type": "image/png", **server.headers()})
    location = http.post("/v1/jobs", content=BODY, headers=server.headers()).headers["location"]
    while http.get(location, headers=server.headers()).json()["status"] in ("queued", "running"):
        time.sleep(0.1)
    time.sleep(0.5)  # the last log lines
    log = server.log()
    metrics = http.get("/metrics", headers=server.headers()).text
    for value in PHI:
        assert value not in log
        assert value not in metrics
    assert server.token not in log
    requests = [json.loads(line) for line in log.splitlines() if '"http.request"' in line]
    assert {r["route"] for r in requests} >= {"/v1/check", "/v1/jobs", "/v1/jobs/{job_id}", "/metrics"}
    assert all(set(r) <= {"method", "route", "status", "bytes_out", "seconds", "client", "claims", "event",
                          "level", "timestamp"} for r in requests)  # fmt: skip
