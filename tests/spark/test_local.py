"""`scrubber.spark` on ``local[2]``: every table equals `scrubber check --format json` on the same files.

The corpus (conftest) holds the TR3 examples, the demo, a generated file, a file that is not X12,
a missing path, and files cut into 5 or more pieces of 8 KiB, broken ones among them whose errors
span pieces (repeated control numbers, counts over several pieces, an error in an HL context
shared by later pieces): the merger's re-checks run on the executors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.spark.conftest import AS_OF, PIECE
from tests.spark.expected import assert_same_tables, expected_tables, json_reports

pytestmark = pytest.mark.slow  # a JVM and Spark jobs


def _collect(tables: Any) -> dict[str, list[dict[str, Any]]]:
    return {name: [row.asDict(recursive=True) for row in frame.collect()] for name, frame in tables.tables().items()}


def test_every_table_equals_the_json_report(spark: Any, tmp_path: Path, corpus: dict[str, Path]) -> None:
    from scrubber.spark import scrub

    paths = list(corpus.values())
    tables = scrub(spark, paths, as_of=AS_OF, piece_size=PIECE, min_piece_size=PIECE)
    try:
        actual = _collect(tables)
        outcome = tables.outcome()
    finally:
        tables.unpersist()
    documents = json_reports(paths, tmp_path / "report.json", structure="native", as_of=AS_OF)
    assert_same_tables(actual, expected_tables(documents))
    pieces = {row["file"]: row["pieces"] for row in actual["files"]}
    assert all(pieces[str(corpus[name])] >= 5 for name in corpus if name.startswith("cut/"))
    assert outcome.exit_code == 2  # the junk file and the missing path
    assert [name for name, _ in outcome.unreadable] == [str(corpus["junk"]), str(corpus["missing"])]
    assert outcome.claims == sum(len(d.get("claims", [])) for d in documents)


def test_pyx12_and_contents(spark: Any, tmp_path: Path, corpus: dict[str, Path]) -> None:
    """pyx12 as the TR3 check (whole files); and a DataFrame of contents (Spark's binaryFile source)."""
    from scrubber.spark import scrub

    paths = [corpus["demo"], corpus["junk"], corpus["cut/repeated-st02"], corpus["tr3/ambulance"]]
    tables = scrub(spark, paths, structure="pyx12", as_of=AS_OF)
    try:
        actual = _collect(tables)
    finally:
        tables.unpersist()
    documents = json_reports(paths, tmp_path / "pyx12.json", structure="pyx12", as_of=AS_OF)
    assert_same_tables(actual, expected_tables(documents))

    readable = [p for p in paths if p != corpus["junk"]]
    contents = spark.read.format("binaryFile").load([str(p) for p in readable])
    names = {Path(row["path"].removeprefix("file:")).name: row["path"] for row in contents.select("path").collect()}
    tables = scrub(spark, contents=contents, as_of=AS_OF)
    try:
        actual = _collect(tables)
    finally:
        tables.unpersist()
    documents = json_reports(readable, tmp_path / "contents.json", structure="native", as_of=AS_OF)
    expected = expected_tables(documents, indexed=False, names=[names[p.name] for p in readable])
    assert_same_tables(actual, expected)
