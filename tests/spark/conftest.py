"""The Spark tests' corpus and session.

The corpus: the TR3 examples, the demo file, a generated file, a file that is not X12, a path
that does not exist, and files large enough to be cut into several pieces of :data:`PIECE` bytes
(clean, one broken way each with problems after the first piece, and one transaction so large it
is cut before subscribers). The session: ``local[2]``, started once for the module that asks.
"""

from __future__ import annotations

import datetime as dt
import functools
import shutil
from pathlib import Path

import pytest

from scrubber.synthetic import random_claims, render_837
from tests.conftest import ROOT, TR3_FILES
from tests.perf.test_parallel_structure import BROKEN, _base_text

AS_OF = dt.date(2026, 11, 1)
PIECE = 8 << 10  # bytes per piece: files of a hundred claims are cut into several
DEMO = ROOT / "fixtures" / "examples" / "demo-claims.837"
PHI_MARKERS = ("PUBLIC", "MBR0")  # patient last name and member ids of the generated files


def _write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("latin-1"))
    return path


def one_big_transaction(directory: Path) -> Path:
    """150 claims in one ST, an error in the billing provider's block: cut before HL*22s, and the
    error reaches the claims of every piece (the merger re-checks with the HL context)."""
    text = render_837(list(random_claims(150, seed=4)), claims_per_transaction=150)
    text = text.replace("NM1*85*2*BILLING CLINIC*****XX*", "NM1*85*2*BILLING CLINIC*****ZZ*", 1)
    return _write(directory / "one-big-transaction.837", text)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("spark-corpus")
    files: dict[str, Path] = {}
    for path in TR3_FILES:
        files[f"tr3/{path.stem}"] = shutil.copy(path, directory / path.name)
    files["demo"] = shutil.copy(DEMO, directory / DEMO.name)
    generated = render_837(list(random_claims(200, seed=5, faulty_share=0.3)))
    files["generated"] = _write(directory / "generated.837", generated)
    files["junk"] = _write(directory / "junk.837", "NOT X12 AT ALL\n")
    files["missing"] = directory / "no-such-file.837"
    base = _base_text()
    files["cut/clean"] = _write(directory / "cut-clean.837", base)
    for name, (spoil, _) in BROKEN.items():
        files[f"cut/{name}"] = _write(directory / f"cut-{name}.837", spoil(base))
    files["cut/one-transaction"] = one_big_transaction(directory)
    return {name: Path(path) for name, path in files.items()}


@functools.cache
def spark_unavailable() -> str | None:
    """Why Spark cannot run here (the extra or Java missing), or None: the reason a test skips with."""
    from scrubber.workflows.spark import SparkMissing, java_problem, require_pyspark

    try:
        require_pyspark()
    except SparkMissing as error:
        return f"{error} (./scripts/test installs it)"
    problem = java_problem()
    return f"Spark needs Java: {problem} (./scripts/test installs it when run as root)" if problem else None


@pytest.fixture(scope="session")
def spark_available() -> None:
    """Skip, saying why, where the spark extra or Java 17+ is missing; ./scripts/test installs both."""
    reason = spark_unavailable()
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="session")
def spark(spark_available: None):
    """A local[2] session for the whole test run (a JVM start costs seconds)."""
    from scrubber.spark import spark_session

    session = spark_session("local[2]", app_name="scrubber-tests")
    yield session
    session.stop()
