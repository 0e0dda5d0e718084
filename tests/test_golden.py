"""The reports stay what they were: the TR3 examples, the demo file and a 10,000-claim bench file.

The golden JSON reports were written by the release before the pipeline was rebuilt (commit a8fe1a8,
`scrubber check --format json --as-of 2026-12-01`, pyx12's TR3 check). The text reports
(``reports/*.txt``) and the sha256 of the HTML reports and of the 10k file's text and HTML reports
(``outputs.json``) were written by commit 7512358, before the rules-only speed work (issue 13),
with the native TR3 check. A refactor or a speed-up must give the same bytes, in one process and
with ``--jobs 2``; a deliberate change of a report rewrites the golden file in the same commit and
says why.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

from bench.files import ensure_file
from scrubber.workflows.check import CheckOptions, run_check
from tests.conftest import ROOT, TR3_FILES

AS_OF = dt.date(2026, 12, 1)
GOLDEN = Path(__file__).parent / "golden" / "reports"
CORPUS = [*TR3_FILES, ROOT / "fixtures" / "examples" / "demo-claims.837"]
# sha256 of `scrubber check --format json --as-of 2026-12-01 bench/out/claims-10000.837` (a8fe1a8),
# with and without the TR3 check (it finds nothing in the generated file).
BENCH_10K_JSON = "6f67dc3e50f8ca70db10061cd87252ba535398ce6e882449d9f162e95443034a"
OUTPUTS = json.loads((Path(__file__).parent / "golden" / "outputs.json").read_text())


def _report(source: str, structure: str, out: Path, fmt: str = "json", jobs: int = 1) -> bytes:
    run_check(CheckOptions(files=[source], format=fmt, output=out, as_of=AS_OF, structure=structure, jobs=jobs))
    return out.read_bytes()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_json_report_equals_the_golden_one(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the report names the file as it was given: a path relative to the repository
    report = _report(path.relative_to(ROOT).as_posix(), "pyx12", tmp_path / "report.json")
    assert report == (GOLDEN / f"{path.name}.json").read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("structure", ["off", "pyx12"])
def test_json_report_of_the_10k_bench_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, structure: str) -> None:
    monkeypatch.chdir(ROOT)
    bench = ensure_file(ROOT / "bench" / "out", 10_000)
    source = bench.path.relative_to(ROOT).as_posix()
    assert hashlib.sha256(_report(source, structure, tmp_path / "report.json")).hexdigest() == BENCH_10K_JSON


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_text_and_html_reports_equal_the_golden_ones(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    source = path.relative_to(ROOT).as_posix()
    text = _report(source, "native", tmp_path / "report.txt", "text")
    assert text.decode() == (GOLDEN / f"{path.name}.txt").read_text()
    assert _sha256(_report(source, "native", tmp_path / "report.html", "html")) == OUTPUTS["html"][path.name]


def test_the_corpus_checked_with_two_jobs_gives_the_golden_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several files with ``--jobs 2``: each file's report is its golden one, in file order."""
    monkeypatch.chdir(ROOT)
    sources = [path.relative_to(ROOT).as_posix() for path in CORPUS]
    out = tmp_path / "reports.txt"
    run_check(CheckOptions(files=sources, format="text", output=out, as_of=AS_OF, structure="native", jobs=2))
    assert out.read_text() == "".join((GOLDEN / f"{path.name}.txt").read_text() for path in CORPUS)


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1, 2])
def test_every_format_of_the_10k_bench_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    """JSON (with and without the native check), text and HTML, in one process and with two jobs."""
    monkeypatch.chdir(ROOT)
    source = ensure_file(ROOT / "bench" / "out", 10_000).path.relative_to(ROOT).as_posix()
    expected = OUTPUTS["bench-10k"]
    assert _sha256(_report(source, "off", tmp_path / "r.json", "json", jobs)) == BENCH_10K_JSON
    assert _sha256(_report(source, "native", tmp_path / "r.json", "json", jobs)) == expected["json-native"]
    assert _sha256(_report(source, "off", tmp_path / "r.txt", "text", jobs)) == expected["text"]
    assert _sha256(_report(source, "off", tmp_path / "r.html", "html", jobs)) == expected["html"]
