"""The service answers with the bytes ``scrubber check`` writes for the same file and options."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bench.serving import Server
from scrubber.workflows.check import CheckOptions, run_check
from tests.conftest import ROOT, TR3_FILES, slow
from tests.service.conftest import AS_OF, DEMO
from tests.test_golden import GOLDEN

CORPUS = [*TR3_FILES, DEMO]
IDS = [p.name for p in CORPUS]


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def cli_report(path: Path, out: Path, fmt: str = "json", structure: str = "native") -> bytes:
    """What `scrubber check --format FMT --as-of AS_OF FILE` writes (FILE relative to the repository)."""
    run_check(
        CheckOptions(
            files=[relative(path)], format=fmt, output=out, as_of=dt.date.fromisoformat(AS_OF), structure=structure
        )
    )
    return out.read_bytes()


def post(http: httpx.Client, server: Server, body: bytes, **params: str) -> httpx.Response:
    return http.post("/v1/check", params={"as_of": AS_OF, **params}, content=body, headers=server.headers())


@pytest.mark.parametrize("path", CORPUS, ids=IDS)
def test_json_report_equals_the_cli_one(
    path: Path, server: Server, http: httpx.Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    response = post(http, server, path.read_bytes(), name=relative(path))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    expected = cli_report(path, tmp_path / "report.json")
    assert response.content == expected
    report = response.json()
    assert response.headers["x-scrubber-status"] == report["status"]
    assert response.headers["x-scrubber-claims"] == str(report["summary"]["claims"])


@pytest.mark.parametrize("path", CORPUS, ids=IDS)
def test_pyx12_structure_gives_the_golden_report(path: Path, server: Server, http: httpx.Client) -> None:
    """The golden reports (pyx12's TR3 check, as of 2026-12-01) come back byte for byte."""
    response = post(http, server, path.read_bytes(), name=relative(path), structure="pyx12")
    assert response.status_code == 200, response.text
    assert response.content == (GOLDEN / f"{path.name}.json").read_bytes()


@pytest.mark.parametrize("fmt", ["text", "html"])
def test_text_and_html_equal_the_cli(
    fmt: str, server: Server, http: httpx.Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    response = post(http, server, DEMO.read_bytes(), name=relative(DEMO), format=fmt)
    assert response.status_code == 200
    assert response.headers["content-type"] == f"text/{'plain' if fmt == 'text' else 'html'}; charset=utf-8"
    assert response.content == cli_report(DEMO, tmp_path / f"report.{fmt}", fmt)


def test_an_unnamed_body_is_named_like_standard_input(server: Server, http: httpx.Client) -> None:
    """Without ?name= the report names the file '-', as `scrubber check - < FILE` does."""
    cli = subprocess.run(
        [sys.executable, "-m", "scrubber", "check", "-", "--format", "json", "--as-of", AS_OF],
        input=DEMO.read_bytes(),
        capture_output=True,
        cwd=ROOT,
        timeout=300,
    )
    assert cli.returncode == 1  # rejected claims
    response = post(http, server, DEMO.read_bytes())
    assert response.status_code == 200  # rejected claims are a normal answer
    assert response.json()["file"] == "-"
    assert response.content == cli.stdout


def _masked(x12: bytes) -> str:
    """An acknowledgment with the times and control numbers it was written at masked."""
    text = x12.decode()
    text = re.sub(r"^(ISA(?:\*[^*]*){8})\*\d{6}\*\d{4}((?:\*[^*]*){2})\*\d{9}", r"\1*D*T\2*N", text)
    text = re.sub(r"(GS\*[^*]*\*[^*]*\*[^*]*)\*\d{8}\*\d{4,8}\*\d+", r"\1*D*T*N", text)
    text = re.sub(r"(GE\*\d+)\*\d+", r"\1*N", text)
    text = re.sub(r"(IEA\*\d+)\*\d{9}", r"\1*N", text)
    return re.sub(r"(BHT\*[^*]*\*[^*]*\*[^*]*)\*\d{8}\*\d{4,8}", r"\1*D*T", text)


@pytest.mark.parametrize(("ack", "option"), [("999", "--ack999"), slow("277ca", "--ack277")])  # a CLI run each
def test_acknowledgments_equal_the_cli_ones(
    ack: str, option: str, server: Server, http: httpx.Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    response = post(http, server, DEMO.read_bytes(), name=relative(DEMO), ack=ack)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/edi-x12"
    cli = subprocess.run(
        [sys.executable, "-m", "scrubber", "check", relative(DEMO), "--as-of", AS_OF, option, str(tmp_path / "ack"),
         "-o", str(tmp_path / "report.txt")],
        capture_output=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert cli.returncode == 1, cli.stderr
    expected = (tmp_path / "ack").read_bytes()
    assert response.content.startswith(b"ISA*")
    assert _masked(response.content) == _masked(expected)
