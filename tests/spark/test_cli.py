"""`scrubber spark check` as a user runs it: local[2], then a standalone cluster on loopback.

Each run's Parquet tables are read back (pyarrow) and compared with `scrubber check --format json`
on the same files; exit codes and the stderr lines are those of `scrubber check`; the tables are
owner-only; stdout and stderr carry no Spark log lines and no claim data.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.spark.conftest import AS_OF, PHI_MARKERS, PIECE
from tests.spark.expected import assert_same_tables, expected_tables, json_reports, modes_under, parquet_tables

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("spark_available")]  # JVMs and Spark jobs


def _inputs(corpus: dict[str, Path]) -> list[Path]:
    names = ["demo", "junk", "missing", "generated", "cut/clean", "cut/repeated-isa13", "cut/one-transaction"]
    return [corpus[name] for name in names]


def _spark_check(paths: list[Path], out: Path, *options: str):  # type: ignore[no-untyped-def]
    args = ["spark", "check", *map(str, paths), "--out", str(out), "--as-of", AS_OF.isoformat()]
    return run_cli(*args, "--piece-size", str(PIECE), *options)


def _quiet(stderr: str, stdout: str) -> None:
    """stderr: scrubber's one-line errors and structlog JSON lines only; nothing with PHI anywhere."""
    for line in stderr.splitlines():
        if not line.strip() or line.startswith("scrubber: error: "):
            continue
        event = json.loads(line)  # not a Spark/JVM log line
        assert event["level"] in ("warning", "error", "info"), line
    for marker in PHI_MARKERS:
        assert marker not in stderr and marker not in stdout


def _same_as_check(tmp_path: Path, paths: list[Path], out: Path) -> None:
    documents = json_reports(paths, tmp_path / "report.json", structure="native", as_of=AS_OF)
    assert_same_tables(parquet_tables(out), expected_tables(documents))


def test_local_run_writes_the_tables_and_exits_as_check(tmp_path: Path, corpus: dict[str, Path]) -> None:
    paths, out = _inputs(corpus), tmp_path / "tables"
    result = _spark_check(paths, out, "--master", "local[2]")
    assert result.code == 2, result.stderr  # a file is not X12
    check = run_cli("check", *map(str, paths), "--format", "json", "--output", str(tmp_path / "check.json"))
    assert check.code == result.code

    def errors(stderr: str) -> list[str]:
        return [line for line in stderr.splitlines() if line.startswith("scrubber: error: ")]

    assert errors(result.stderr) == errors(check.stderr)  # one line per unreadable file, as check says it
    assert len(errors(result.stderr)) == 2
    assert result.stdout.startswith("7 files (") and "2 unreadable" in result.stdout
    _quiet(result.stderr, result.stdout)
    _same_as_check(tmp_path, paths, out)
    assert modes_under(out) <= {0o600, 0o700}  # the tables quote claim data

    again = _spark_check(paths, out, "--master", "local[2]")
    assert again.code == 2 and "already holds files, claims" in again.stderr
    accepted = corpus["tr3/drug-administered-in-the-physician-office"]
    assert _spark_check([accepted], tmp_path / "one", "--master", "local[1]").code == 0


def test_a_standalone_cluster_on_loopback(tmp_path: Path, corpus: dict[str, Path]) -> None:
    """Master and two one-core workers from PySpark's spark-class; the job through --master spark://."""
    from scrubber.workflows.spark.standalone import local_cluster

    paths, out = _inputs(corpus), tmp_path / "tables"
    with local_cluster(tmp_path / "cluster", workers=2, cores=1, memory="1536m") as cluster:
        result = _spark_check(
            paths, out, "--master", cluster.master_url, "--conf", "spark.executor.memory=1g", "--partitions", "6"
        )
        assert result.code == 2, result.stderr
    _quiet(result.stderr, result.stdout)
    _same_as_check(tmp_path, paths, out)
    ran = [w for w in ("worker-0", "worker-1") if any((tmp_path / "cluster" / w).glob("app-*/*/stderr"))]
    assert ran == ["worker-0", "worker-1"]  # an executor on each worker
