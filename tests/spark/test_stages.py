"""The executor stages without Spark: plan, check, sort and merge Arrow batches in this process.

Quick tier: the same functions Spark runs (``mapInArrow`` hands them Arrow batches), on the whole
corpus cut into small pieces, compared with the JSON report. The Spark tests (slow) then show that
Spark moves the batches between them as this test does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scrubber.workflows.spark import job as job_module
from scrubber.workflows.spark import stages
from scrubber.workflows.spark.job import Job
from scrubber.workflows.spark.schema import TABLES
from tests.perf.test_parallel_structure import BROKEN
from tests.spark.conftest import AS_OF, PIECE
from tests.spark.expected import assert_same_tables, expected_tables, json_reports

pa = pytest.importorskip("pyarrow")
pc = pytest.importorskip("pyarrow.compute")


@pytest.fixture(autouse=True)
def _keep_test_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    """Executors point structlog at stderr; in this process that would outlive the test."""
    monkeypatch.setattr(job_module, "_quiet_logs", lambda level: None)
    monkeypatch.setattr(job_module, "_built", None)


def _run(job: Job, paths: list[Path], partitions: int = 3) -> list[dict[str, Any]]:
    """plan -> check (round-robin over ``partitions``) -> state rows sorted by (file, piece) -> merge.

    Returns the rows the tables are cut from: the checking stage's claim rows and the merging
    stage's rows.
    """
    inputs = pa.RecordBatch.from_pydict(
        {"file_index": list(range(len(paths))), "file": [str(p) for p in paths], "path": [str(p) for p in paths]}
    )
    tasks = pa.Table.from_batches(list(stages.plan_files(job, [inputs]))).to_batches(max_chunksize=1)
    shares = [tasks[i::partitions] for i in range(partitions)]
    checked = pa.Table.from_batches([batch for share in shares for batch in stages.check_pieces(job, share)])
    states = checked.filter(pc.equal(checked["kind"], "state"))
    states = states.sort_by([("file_index", "ascending"), ("piece", "ascending")])
    merged = pa.Table.from_batches(list(stages.merge_files(job, states.to_batches(max_chunksize=7))))
    early = checked.filter(pc.equal(checked["kind"], "claim")).to_pylist()
    return early + merged.to_pylist()


def cut(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The five tables from stage rows, as :func:`scrubber.workflows.spark.tables._cut` selects them."""
    out: dict[str, list[dict[str, Any]]] = {t.name: [] for t in TABLES}
    columns = {t.name: t.names for t in TABLES}
    pieces = {
        (r["file_index"], r["file"], r["piece"], r["from_merge"]): r["offset"] for r in records if r["kind"] == "piece"
    }
    for record in records:
        if record["kind"] == "claim":
            offset = pieces.get((record["file_index"], record["file"], record["piece"], record["from_merge"]))
            if offset is None:
                continue  # a stage's rows that do not count
            record = {**record, "claim_index": offset + record["claim_seq"]}
        elif record["kind"] != "file":
            continue
        keys = {k: record[k] for k in ("file_index", "file", "sha256", "claim_index", "claim_id")}
        if record["kind"] == "file":
            row = {**record, "file_findings": len(record["findings"])}
            out["files"].append({c: row[c] for c in columns["files"]})
        else:
            row = {**record, "rules": [f["rule"] for f in record["findings"]]}
            out["claims"].append({c: row[c] for c in columns["claims"]})
            out["lines"] += [{c: {**keys, **line}[c] for c in columns["lines"]} for line in record["lines"]]
            out["diagnoses"] += [
                {c: {**keys, "position": n, **d}[c] for c in columns["diagnoses"]}
                for n, d in enumerate(record["diagnoses"], start=1)
            ]
        out["findings"] += [
            {c: {**keys, "scope": record["kind"], "finding_index": i, **f}[c] for c in columns["findings"]}
            for i, f in enumerate(record["findings"])
        ]
    return out


def _job(structure: str = "native") -> Job:
    return Job.make(
        config=None, structure=structure, as_of=AS_OF, parallelism=2, piece_size=PIECE, min_piece_size=PIECE
    )


def test_stages_give_the_json_reports_rows(tmp_path: Path, corpus: dict[str, Path]) -> None:
    paths = list(corpus.values())
    records = _run(_job(), paths)
    documents = json_reports(paths, tmp_path / "report.json", structure="native", as_of=AS_OF)
    assert_same_tables(cut(records), expected_tables(documents))
    pieces = {r["file"]: r["pieces"] for r in records if r["kind"] == "file"}
    assert all(pieces[str(corpus[name])] >= 5 for name in corpus if name.startswith("cut/"))
    rechecked = {r["file"] for r in records if r["kind"] == "piece" and r["from_merge"]}
    for name in ("cut/repeated-st02", "cut/repeated-isa13", "cut/repeated-gs06", "cut/one-transaction"):
        assert str(corpus[name]) in rechecked, f"{name}: the merger checked no piece again"
    assert str(corpus["cut/clean"]) not in rechecked
    tables = cut(records)
    for name, (_, rule) in BROKEN.items():
        rules = {f["rule"] for f in tables["findings"] if f["file"] == str(corpus[f"cut/{name}"])}
        assert any(r.startswith(rule) for r in rules), f"{name}: no {rule} finding"


def test_a_piece_the_checker_breaks_on_fails_its_file_only(
    tmp_path: Path, corpus: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug on one file: that file's row says failed, with the exception type and place and no
    message (it could quote claim data); every other file is judged as usual."""
    broken = corpus["cut/clean"]
    real = stages.check_piece

    def check_piece(task):  # type: ignore[no-untyped-def]
        if task.path == str(broken) and task.number == 2:
            raise KeyError("PUBLIC JOHN")  # a message with claim data in it
        return real(task)

    monkeypatch.setattr(stages, "check_piece", check_piece)
    paths = [corpus["demo"], broken, corpus["generated"]]
    records = _run(_job(), paths)
    files = {r["file"]: r for r in records if r["kind"] == "file"}
    assert files[str(broken)]["status"] == "failed"
    assert not [c for c in cut(records)["claims"] if c["file"] == str(broken)]  # no claims of a failed file
    assert files[str(broken)]["error"].startswith("internal error: KeyError at ")
    assert "PUBLIC" not in files[str(broken)]["error"]
    assert files[str(corpus["demo"])]["status"] == "rejected"
    assert files[str(corpus["generated"])]["claims"] == 200


def test_pyx12_reads_whole_files(tmp_path: Path, corpus: dict[str, Path]) -> None:
    paths = [corpus["demo"], corpus["junk"], corpus["cut/bad-element"]]
    records = _run(_job("pyx12"), paths)
    assert {r["pieces"] for r in records if r["kind"] == "file"} == {1}
    documents = json_reports(paths, tmp_path / "report.json", structure="pyx12", as_of=AS_OF)
    assert_same_tables(cut(records), expected_tables(documents))


def test_contents_are_checked_whole(tmp_path: Path, corpus: dict[str, Path]) -> None:
    paths = [corpus["demo"], corpus["junk"], corpus["tr3/ambulance"]]
    batch = pa.RecordBatch.from_pydict(
        {"path": [f"file:{p}" for p in paths], "content": [p.read_bytes() for p in paths]},
        schema=pa.schema([("path", pa.string()), ("content", pa.binary())]),
    )
    records = list(stages.check_contents(_job(), [batch]))
    rows = pa.Table.from_batches(records).to_pylist()
    documents = json_reports(paths, tmp_path / "report.json", structure="native", as_of=AS_OF)
    expected = expected_tables(documents, indexed=False, names=[f"file:{p}" for p in paths])
    assert_same_tables(cut(rows), expected)
