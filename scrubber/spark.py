"""Scrub 837P files on Apache Spark into tables: ``files``, ``claims``, ``lines``, ``diagnoses``, ``findings``.

    from scrubber.spark import scrub, spark_session

    spark = spark_session("spark://10.0.0.5:7077")      # or any SparkSession you have
    tables = scrub(spark, ["/shared/claims/2026-12-01/"], config=Path("scrubber.toml"))
    tables.claims.where("status = 'rejected'").show()
    tables.write("/shared/scrubbed/2026-12-01")         # one Parquet dataset per table
    exit_code = tables.outcome().exit_code               # as `scrubber check`: 0, 1 or 2

Install with ``pip install 'scrubber[spark]'`` (PySpark, pyarrow, and pandas, which PySpark's
``mapInArrow`` requires; Java 17). Without it this module still imports; :func:`scrub` raises.

Each file is judged with the same pipeline as ``scrubber check`` (one per executor Python
process, reference data loaded once), and large files are cut into pieces by the ``--jobs``
planner, checked on any executor and merged in file order by the ``--jobs`` merger, so the rows
carry exactly the values of ``scrubber check --format json`` on the same files. A file that is not
X12 or cannot be opened never fails the job: it is a ``files`` row with status ``unreadable``.
Input paths must be readable at the same path by every executor (local paths for ``local[N]``, a
shared file system on a cluster); for storage only Spark reads, pass ``contents=`` a DataFrame of
``path`` and ``content`` (``spark.read.format("binaryFile")``): each file is then checked whole.

Tables (keys: ``file_index``/``file`` for a file, plus ``claim_index`` for a claim; full column
documentation: :func:`schema_markdown`, and the README):

- ``files``: file_index, file, sha256, size, status (accepted, rejected, unreadable, failed),
  error, claims, accepted, rejected, file_findings, findings_by_rule, pieces
- ``claims``: file_index, file, sha256, claim_index, claim_id, status, isa13, gs06, st02,
  service_date, payer_id, code_set, rules
- ``lines``: file_index, file, sha256, claim_index, claim_id, line, procedure, modifiers, charge,
  units, pointers, service_date
- ``diagnoses``: file_index, file, sha256, claim_index, claim_id, position, code, qualifier
- ``findings``: file_index, file, sha256, claim_index, claim_id, scope (claim or file),
  finding_index, rule, name, severity, message, codes, segment, st_segment, line, offset, loop,
  element, column, length, segment_text, reference, fix

``findings.segment_text`` quotes claim segments (PHI), as the JSON report does; the command line
writes the tables owner-only.
"""

from __future__ import annotations

from scrubber.workflows.spark import (
    TABLE_NAMES,
    TABLES,
    JavaMissing,
    Outcome,
    ScrubTables,
    SparkMissing,
    expand_paths,
    schema_markdown,
    scrub,
    spark_session,
)

__all__ = [
    "TABLES",
    "TABLE_NAMES",
    "JavaMissing",
    "Outcome",
    "ScrubTables",
    "SparkMissing",
    "expand_paths",
    "schema_markdown",
    "scrub",
    "spark_session",
]
