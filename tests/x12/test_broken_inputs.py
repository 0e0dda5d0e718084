"""The broken files of tests/broken_files.py through the library and the CLI (path, standard
input, --jobs): an unreadable file is one line and exit 2, a readable one a complete report with
the damage located, and nothing ever a traceback. The sweep and the service have their own."""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path

import pytest

from scrubber.errors import UnreadableInput
from scrubber.workflows.api import Scrubber
from tests.broken_files import BROKEN, Broken
from tests.conftest import case


@cache
def scrubber(structure: str) -> Scrubber:
    return Scrubber(structure=structure)  # type: ignore[arg-type]


def _rules(report) -> set[str]:
    return {f.rule for f in report.file_findings} | {f.rule for c in report.claims for f in c.findings}


@pytest.mark.parametrize("structure", ["off", "native", "pyx12"])
@pytest.mark.parametrize("name", list(BROKEN))
def test_the_library(tmp_path: Path, name: str, structure: str) -> None:
    broken = BROKEN[name]
    path = tmp_path / f"{name}.837"
    path.write_bytes(broken.data)
    for source in (broken.data, path, io.BytesIO(broken.data)):
        if not broken.readable:
            with pytest.raises(UnreadableInput, match=broken.error):
                scrubber(structure).report(source)
            continue
        report = scrubber(structure).report(source)
        assert tuple(c.claim_id for c in report.claims) == broken.claims
        assert broken.rule in _rules(report) and report.status == "rejected"


def _check_cli(result, broken: Broken) -> dict | None:
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    if not broken.readable:
        assert result.code == 2
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith("scrubber: error: ") and broken.error in line
        report = json.loads(result.stdout)  # still one whole JSON document, saying why
        assert (report["status"], report["claims"]) == ("unreadable", []) and broken.error in report["error"]
        return report
    assert result.code == 1, result.stderr
    report = json.loads(result.stdout)
    assert tuple(c["claim_id"] for c in report["claims"]) == broken.claims
    return report


# A quick run takes an unreadable file by path and a readable one on standard input; the library
# test above takes every file quickly, and the full suite every file both ways here.
QUICK_CLI = {("binary", "path"), ("truncated", "stdin")}


@pytest.mark.parametrize(
    ("name", "how"),
    [case(name, how, quick=(name, how) in QUICK_CLI) for how in ("path", "stdin") for name in BROKEN],
)
def test_the_cli(tmp_path: Path, cli, name: str, how: str) -> None:
    broken = BROKEN[name]
    path = tmp_path / f"{name}.837"
    path.write_bytes(broken.data)
    if how == "path":
        result = cli("check", "--format", "json", str(path))
    else:
        result = cli("check", "--format", "json", "-", stdin=broken.data)
    _check_cli(result, broken)


def test_jobs_gives_one_answer_per_file_like_one_process(tmp_path: Path, cli) -> None:
    paths = []
    for name, broken in BROKEN.items():
        paths.append(tmp_path / f"{name}.837")
        paths[-1].write_bytes(broken.data)
    runs = {jobs: cli("check", "--jobs", jobs, "--format", "json", *map(str, paths)) for jobs in ("1", "2")}
    for result in runs.values():
        assert result.code == 2 and "Traceback" not in result.stderr and "internal error" not in result.stderr
        reports = json.loads(result.stdout)
        assert len(reports) == len(BROKEN)
        for report, broken in zip(reports, BROKEN.values(), strict=True):
            if broken.readable:
                assert tuple(c["claim_id"] for c in report["claims"]) == broken.claims
                assert report["status"] == "rejected"
            else:
                assert report["status"] == "unreadable"
    assert _without_timings(runs["1"].stdout) == _without_timings(runs["2"].stdout)


def _without_timings(stdout: str) -> list:
    reports = json.loads(stdout)
    for report in reports:
        report.pop("checked_at", None)
        report.pop("seconds", None)
    return reports
