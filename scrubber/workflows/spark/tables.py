"""The driver's side: the stages chained into DataFrames, and the five tables cut from their rows.

:func:`scrub` builds the plan (nothing runs until a table is read or written): input files ->
plan -> check (pieces spread round-robin over ``partitions``; cached: claim rows and state rows)
-> merge (state rows only, shuffled by file, sorted by piece; cached: file, piece and re-checked
claim rows) -> the tables. A claim row counts when its piece row says its stage's rows count; it
takes its position in the file from there (a broadcast join with the small table of pieces).
Writing all five tables reads the caches, so every file is checked once.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrubber.exitcodes import EXIT_ACCEPTED, EXIT_REJECTED, EXIT_UNREADABLE
from scrubber.pipeline import DEFAULT_STRUCTURE, StructureMode
from scrubber.workflows.spark import stages
from scrubber.workflows.spark.job import Job
from scrubber.workflows.spark.schema import TABLES, Table, records_schema
from scrubber.workflows.spark.session import require_pyspark

UNREADABLE_STATUSES = ("unreadable", "failed")


@dataclass
class ScrubTables:
    """The five DataFrames of one scrub (lazy; cached on first use) and what they add up to."""

    caches: list[Any]  # the stages' rows, persisted: every table is cut from them
    files: Any
    claims: Any
    lines: Any
    diagnoses: Any
    findings: Any

    def tables(self) -> dict[str, Any]:
        """Name -> DataFrame, in the documented order."""
        return {table.name: getattr(self, table.name) for table in TABLES}

    def write(self, out: str | os.PathLike[str], *, mode: str = "errorifexists") -> dict[str, str]:
        """Write each table as a Parquet dataset ``out/<table>``; return name -> path."""
        base = os.fspath(out).rstrip("/")
        written = {}
        for name, frame in self.tables().items():
            path = f"{base}/{name}"
            frame.write.mode(mode).parquet(path)
            written[name] = path
        return written

    def outcome(self, limit: int = 100) -> Outcome:
        """Files by status, claim counts, and the first ``limit`` unreadable or failed files.

        One small query over the files table (a second one only when a file is unreadable).
        """
        from pyspark.sql import functions as F

        rows = (
            self.files.groupBy("status")
            .agg(F.count("*").alias("files"), *(F.sum(c).alias(c) for c in ("claims", "accepted", "rejected")))
            .collect()
        )
        counts = {row["status"]: int(row["files"]) for row in rows}
        claims, accepted, rejected = (sum(int(row[c] or 0) for row in rows) for c in ("claims", "accepted", "rejected"))
        bad: list[tuple[str, str]] = []
        if any(counts.get(status) for status in UNREADABLE_STATUSES):
            bad = [
                (r["file"], r["error"])
                for r in self.files.where(F.col("status").isin(*UNREADABLE_STATUSES))
                .orderBy(F.col("file_index").asc_nulls_last(), "file")
                .select("file", "error")
                .limit(limit)
                .collect()
            ]
        return Outcome(counts, claims, accepted, rejected, bad)

    def unpersist(self) -> None:
        for frame in self.caches:
            frame.unpersist()


@dataclass
class Outcome:
    """What a scrub came to: files by status, claim counts, the unreadable files (some of them)."""

    files: dict[str, int]
    claims: int
    accepted: int
    rejected: int
    unreadable: list[tuple[str, str]]

    @property
    def exit_code(self) -> int:
        """As ``scrubber check``: 2 a file unreadable (or failed), 1 one rejected, else 0."""
        if any(self.files.get(status) for status in UNREADABLE_STATUSES):
            return EXIT_UNREADABLE
        return EXIT_REJECTED if self.files.get("rejected") else EXIT_ACCEPTED


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """Paths as given, a directory replaced by the regular files under it (sorted, no dot files).

    Anything else (a missing path, a FIFO) stays: the check reports it as unreadable.
    """
    found: list[str] = []
    for path in map(os.fspath, paths):
        if not os.path.isdir(path):
            found.append(path)
            continue
        for root, folders, names in os.walk(path):
            folders[:] = sorted(f for f in folders if not f.startswith("."))
            found.extend(os.path.join(root, n) for n in sorted(names) if not n.startswith("."))
    return found


def parallelism(spark: Any) -> int:
    """The cores Spark would use by default (Spark Connect has no SparkContext: then the setting)."""
    try:
        return int(spark.sparkContext.defaultParallelism)
    except Exception:
        return int(spark.conf.get("spark.default.parallelism", "2"))


def scrub(
    spark: Any,
    paths: Sequence[str | os.PathLike[str]] = (),
    *,
    contents: Any = None,
    config: Path | None = None,
    structure: StructureMode = DEFAULT_STRUCTURE,
    as_of: dt.date | None = None,
    partitions: int | None = None,
    piece_size: int | None = None,
    min_piece_size: int | None = None,
    log_level: str = "warning",
) -> ScrubTables:
    """Scrub files on ``spark``'s executors into the five tables (see :mod:`scrubber.spark`).

    ``paths``: files (or directories of files) every executor can open at the same path: a
    local path for ``local[N]``, a shared file system on a cluster. Large files are cut into
    pieces. ``contents``: a DataFrame with ``path`` and ``content`` columns (e.g.
    ``spark.read.format("binaryFile").load(...)``), for storage only Spark can read; each file is
    checked whole. ``partitions``: how many tasks the pieces are spread over (default: four per
    core). ``piece_size``/``min_piece_size``: bounds of a piece in bytes (default 1 MiB / 64 KiB).
    The configuration is read here; a bad one raises :class:`~scrubber.errors.SetupError`.
    """
    require_pyspark()
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    cores = parallelism(spark)
    job = Job.make(
        config=config,
        structure=structure,
        as_of=as_of,
        parallelism=cores,
        piece_size=piece_size,
        min_piece_size=min_piece_size,
        log_level=log_level,
    )
    ddl = _ddl(records_schema())
    early, late = [], []
    names = expand_paths(paths)
    if names:
        checked = _checked(spark, job, names, partitions or 4 * cores, ddl).persist(StorageLevel.MEMORY_AND_DISK)
        states = checked.where(F.col("kind") == "state").select("file_index", "piece", "state")
        merge = functools.partial(stages.merge_files, job)
        by_file = states.repartition(min(len(names), partitions or 4 * cores), "file_index")
        early.append(checked)
        late.append(by_file.sortWithinPartitions("file_index", "piece").mapInArrow(merge, ddl))
    if contents is not None:
        late.append(contents.select("path", "content").mapInArrow(functools.partial(stages.check_contents, job), ddl))
    if not late:
        raise ValueError("nothing to scrub: no paths and no contents")
    merged = functools.reduce(lambda a, b: a.unionByName(b), late).persist(StorageLevel.MEMORY_AND_DISK)
    return _cut([*early, merged], early[0] if early else None, merged)


def _ddl(arrow_schema: Any) -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(arrow_schema)


def _checked(spark: Any, job: Job, names: list[str], partitions: int, ddl: Any) -> Any:
    """Stages 1 and 2 for files on a shared path: claim rows and state rows."""
    from scrubber.workflows.spark.schema import tasks_schema

    rows = [(index, name, os.path.abspath(name)) for index, name in enumerate(names)]
    inputs = spark.createDataFrame(rows, "file_index int, file string, path string")
    inputs = inputs.repartition(min(len(rows), partitions))
    tasks = inputs.mapInArrow(functools.partial(stages.plan_files, job), _ddl(tasks_schema()))
    return tasks.repartition(partitions).mapInArrow(functools.partial(stages.check_pieces, job), ddl)


def _cut(caches: list[Any], checked: Any | None, merged: Any) -> ScrubTables:
    """The five tables from the checking stage's claim rows and the merging stage's rows."""
    from pyspark.sql import functions as F

    kind = F.col("kind")
    claim_rows = merged.where(kind == "claim")
    if checked is not None:
        claim_rows = checked.where(kind == "claim").unionByName(claim_rows)
    pieces = merged.where(kind == "piece").select("file_index", "file", "piece", "offset", "from_merge").alias("p")
    counted = claim_rows.drop("offset").alias("c")
    same = [
        F.col("c.file_index").eqNullSafe(F.col("p.file_index")),
        F.col("c.file") == F.col("p.file"),
        F.col("c.piece") == F.col("p.piece"),
        F.col("c.from_merge") == F.col("p.from_merge"),
    ]
    claims = (
        counted.join(F.broadcast(pieces), same, "inner")
        .select("c.*", "p.offset")
        .withColumn("claim_index", F.col("offset") + F.col("claim_seq"))
    )
    files = merged.where(kind == "file")
    keys = ["file_index", "file", "sha256", "claim_index", "claim_id"]
    found = [claims.select(*keys, F.lit("claim").alias("scope"), "findings")]
    found.append(files.select(*keys, F.lit("file").alias("scope"), "findings"))
    findings = found[0].unionByName(found[1])
    frames = {
        "files": files.withColumn("file_findings", F.size("findings")),
        "claims": claims.withColumn("rules", F.transform("findings", lambda f: f["rule"])),
        "lines": claims.select(*keys, F.explode("lines").alias("x")).select(*keys, "x.*"),
        "diagnoses": claims.select(*keys, F.posexplode("diagnoses").alias("p", "x")).select(
            *keys, (F.col("p") + 1).alias("position"), "x.*"
        ),
        "findings": findings.select(*keys, "scope", F.posexplode("findings").alias("finding_index", "x")).select(
            *keys, "scope", "finding_index", "x.*"
        ),
    }
    return ScrubTables(caches, **{t.name: _typed(frames[t.name], t) for t in TABLES})


def _typed(frame: Any, table: Table) -> Any:
    """The documented columns, in order, of the documented types."""
    from pyspark.sql import functions as F

    return frame.select(*(F.col(c.name).cast(c.type).alias(c.name) for c in table.columns))


def print_unreadable(outcome: Outcome, stream: Any = None) -> None:
    """One ``scrubber: error: FILE: reason`` line per unreadable file, as ``scrubber check`` prints."""
    stream = stream or sys.stderr
    for name, error in outcome.unreadable:
        print(f"scrubber: error: {name}: {error}", file=stream)
    shown = len(outcome.unreadable)
    total = sum(outcome.files.get(s, 0) for s in UNREADABLE_STATUSES)
    if total > shown:
        print(
            f"scrubber: error: ... and {total - shown} more unreadable or failed files (see the files table)",
            file=stream,
        )
