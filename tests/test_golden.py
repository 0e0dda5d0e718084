"""The JSON reports stay what they were: the TR3 examples, the demo file and a 10,000-claim bench file.

The golden reports were written by the release before the pipeline was rebuilt (commit a8fe1a8,
`scrubber check --format json --as-of 2026-12-01`, pyx12's TR3 check). A refactor or a speed-up
must give the same bytes; a deliberate change of a report rewrites the golden file in the same
commit and says why.
"""

from __future__ import annotations

import datetime as dt
import hashlib
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


def _report(source: str, structure: str, out: Path) -> bytes:
    run_check(CheckOptions(files=[source], format="json", output=out, as_of=AS_OF, structure=structure))
    return out.read_bytes()


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
