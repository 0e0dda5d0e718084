"""Scrubbing on Apache Spark: the implementation behind :mod:`scrubber.spark` (see its docstring).

Modules: :mod:`.schema` (the five tables' columns, once), :mod:`.job` (the options every executor
gets; its per-process pipeline), :mod:`.stages` (what runs on executors: plan, check, merge),
:mod:`.records` (events -> rows), :mod:`.tables` (the driver: stages chained, tables cut),
:mod:`.session` (a quiet session for the CLI), :mod:`.standalone` (a loopback standalone cluster
for tests and benchmarks). pyspark and pyarrow are imported only inside functions, so these
modules import without the ``spark`` extra.
"""

from __future__ import annotations

from scrubber.workflows.spark.schema import TABLE_NAMES, TABLES, schema_markdown
from scrubber.workflows.spark.session import JavaMissing, SparkMissing, java_problem, require_pyspark, spark_session
from scrubber.workflows.spark.tables import Outcome, ScrubTables, expand_paths, print_unreadable, scrub

__all__ = [
    "TABLES",
    "TABLE_NAMES",
    "JavaMissing",
    "Outcome",
    "ScrubTables",
    "SparkMissing",
    "expand_paths",
    "java_problem",
    "print_unreadable",
    "require_pyspark",
    "schema_markdown",
    "scrub",
    "spark_session",
]
