"""The five tables' columns, written once: the Spark schema, the casts and the documentation.

Every column is declared here with its Spark type and what it means; the tables are selected and
cast from this list (:mod:`.tables`), the README's schema section is checked against it by a test,
and :func:`schema_markdown` prints it. Values are the JSON report's (``scrubber.report/1``): the
same strings (a charge stays ``"250.00"`` as written in the file, a location's ``loop`` stays ``""``
when the JSON has ``""``); only a service date becomes a ``date``.

Rows between the stages travel as Arrow batches (:func:`tasks_schema`, :func:`records_schema`);
pyarrow is imported when they are built, so ``import scrubber.spark`` works without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Spark SQL type, as DataFrame.schema.simpleString() writes it
    doc: str


@dataclass(frozen=True)
class Table:
    name: str
    doc: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def simple_string(self) -> str:
        """The table's schema as ``DataFrame.schema.simpleString()`` prints it."""
        return "struct<" + ",".join(f"{c.name}:{c.type}" for c in self.columns) + ">"


_FILE_KEYS = (
    Column("file_index", "int", "position of the file among the inputs (0-based); null for a DataFrame of contents"),
    Column("file", "string", "the path as given (the JSON report's `file`)"),
    Column("sha256", "string", "of the file's bytes (null when they could not be read)"),
)
_CLAIM_KEYS = (
    Column("claim_index", "int", "position of the claim in its file (0-based, the JSON report's claim order)"),
    Column("claim_id", "string", "CLM01"),
)

FILES = Table(
    "files",
    "one row per input file, unreadable ones included",
    (
        *_FILE_KEYS,
        Column("size", "bigint", "bytes (null when the file could not be opened)"),
        Column("status", "string", "accepted, rejected, unreadable (not X12, cannot be opened) or failed (a bug)"),
        Column("error", "string", "why the file is unreadable or failed; null otherwise"),
        Column("claims", "int", "summary: claims in the file"),
        Column("accepted", "int", "summary: accepted claims"),
        Column("rejected", "int", "summary: rejected claims"),
        Column(
            "file_findings",
            "int",
            "findings that belong to the file, not to a claim (the `findings` rows of scope file)",
        ),
        Column("findings_by_rule", "map<string,int>", "summary: findings per rule code, claims' and file's"),
        Column("pieces", "int", "pieces the file was checked in (1: whole)"),
    ),
)
CLAIMS = Table(
    "claims",
    "one row per claim",
    (
        *_FILE_KEYS,
        *_CLAIM_KEYS,
        Column("status", "string", "accepted or rejected (rejected: an error finding)"),
        Column("isa13", "string", "interchange control number"),
        Column("gs06", "string", "group control number"),
        Column("st02", "string", "transaction set control number"),
        Column("service_date", "date", "earliest date of service on the claim"),
        Column("payer_id", "string", "NM1*PR payer id"),
        Column("code_set", "string", "ICD-10-CM version that judged the claim, e.g. ICD-10-CM FY2026"),
        Column("rules", "array<string>", "rule codes of the claim's findings, in finding order"),
    ),
)
LINES = Table(
    "lines",
    "one row per service line (loop 2400)",
    (
        *_FILE_KEYS,
        *_CLAIM_KEYS,
        Column("line", "int", "LX01"),
        Column("procedure", "string", "SV101-2"),
        Column("modifiers", "array<string>", "SV101-3..6"),
        Column("charge", "string", "SV102 as written"),
        Column("units", "string", "SV104 as written"),
        Column("pointers", "array<int>", "SV107 diagnosis pointers"),
        Column("service_date", "date", "DTP*472 (null when absent)"),
    ),
)
DIAGNOSES = Table(
    "diagnoses",
    "one row per HI diagnosis code",
    (
        *_FILE_KEYS,
        *_CLAIM_KEYS,
        Column("position", "int", "1-based position in HI order (what SV107 pointers count)"),
        Column("code", "string", "ICD-10-CM code with its decimal point"),
        Column("qualifier", "string", "ABK, ABF, ..."),
    ),
)
FINDINGS = Table(
    "findings",
    "one row per finding, of a claim or of the file",
    (
        *_FILE_KEYS,
        Column("claim_index", "int", "the claim's position; null for a file finding"),
        Column("claim_id", "string", "CLM01; null for a file finding"),
        Column("scope", "string", "claim or file"),
        Column("finding_index", "int", "position in the claim's (or the file's) findings (0-based)"),
        Column("rule", "string", "rule code, e.g. ICD004"),
        Column("name", "string", "rule name, e.g. excludes1-conflict"),
        Column("severity", "string", "error, warning or info"),
        Column("message", "string", "what is wrong"),
        Column("codes", "array<string>", "the codes the finding is about"),
        Column("segment", "int", "location: 1-based segment position in the file (null: no location)"),
        Column("st_segment", "int", "location: position counted from ST, as a 999 counts"),
        Column("line", "int", "location: physical line"),
        Column("offset", "bigint", "location: byte offset of the segment"),
        Column("loop", "string", "location: loop id, e.g. 2300"),
        Column("element", "string", "location: element reference, e.g. HI02-2"),
        Column("column", "int", "location: where the element starts in segment_text"),
        Column("length", "int", "location: the element's length"),
        Column("segment_text", "string", "the segment quoted (claim data: PHI)"),
        Column("reference", "string", "citation"),
        Column("fix", "string", "how to fix it"),
    ),
)

TABLES: tuple[Table, ...] = (FILES, CLAIMS, LINES, DIAGNOSES, FINDINGS)
TABLE_NAMES: tuple[str, ...] = tuple(t.name for t in TABLES)
LOCATION_FIELDS = ("segment", "st_segment", "line", "offset", "loop", "element", "column", "length")


def schema_markdown() -> str:
    """The tables as Markdown (the README's schema section is this text)."""
    parts = []
    for table in TABLES:
        parts.append(f"`{table.name}`: {table.doc}\n\n| column | type | meaning |\n|---|---|---|")
        parts.extend(f"| `{c.name}` | `{c.type}` | {c.doc} |" for c in table.columns)
        parts.append("")
    return "\n".join(parts)


# -- Arrow schemas of the rows between stages ------------------------------------------------------

TASK_FIELDS = ("file_index", "file", "path")  # the input of the planning stage


def tasks_schema() -> Any:
    """Planning stage out, checking stage in: one row per piece, the PieceTask (and file size) pickled."""
    import pyarrow as pa

    return pa.schema([("file_index", pa.int32()), ("piece", pa.int32()), ("pieces", pa.int32()), ("task", pa.binary())])


def _finding_type(pa: Any) -> Any:
    return pa.struct(
        [
            ("rule", pa.string()),
            ("name", pa.string()),
            ("severity", pa.string()),
            ("message", pa.string()),
            ("codes", pa.list_(pa.string())),
            ("segment", pa.int32()),
            ("st_segment", pa.int32()),
            ("line", pa.int32()),
            ("offset", pa.int64()),
            ("loop", pa.string()),
            ("element", pa.string()),
            ("column", pa.int32()),
            ("length", pa.int32()),
            ("segment_text", pa.string()),
            ("reference", pa.string()),
            ("fix", pa.string()),
        ]
    )


def records_schema() -> Any:
    """The checking and merging stages' rows, by ``kind`` (see :mod:`.records`):

    - ``claim``: one claim, nested (diagnoses, lines, findings), the ``claim_seq``-th of its
      ``piece``; ``from_merge`` when the merging stage judged it (a re-check);
    - ``state`` (checking stage): a piece's end state and its claims' tallies, pickled in ``state``;
    - ``file`` (merging stage): a file's totals and file findings;
    - ``piece`` (merging stage): where a piece's claims start in its file (``offset``) and
      whether its claim rows are the merging stage's (``from_merge``).

    The five tables are selections and explosions of these rows.
    """
    import pyarrow as pa

    line = pa.struct(
        [
            ("line", pa.int32()),
            ("procedure", pa.string()),
            ("modifiers", pa.list_(pa.string())),
            ("charge", pa.string()),
            ("units", pa.string()),
            ("pointers", pa.list_(pa.int32())),
            ("service_date", pa.date32()),
        ]
    )
    diagnosis = pa.struct([("code", pa.string()), ("qualifier", pa.string())])
    return pa.schema(
        [
            ("kind", pa.string()),
            ("file_index", pa.int32()),
            ("file", pa.string()),
            ("sha256", pa.string()),
            ("status", pa.string()),
            # file rows
            ("size", pa.int64()),
            ("error", pa.string()),
            ("claims", pa.int32()),
            ("accepted", pa.int32()),
            ("rejected", pa.int32()),
            ("findings_by_rule", pa.map_(pa.string(), pa.int32())),
            ("pieces", pa.int32()),
            # claim rows
            ("claim_index", pa.int32()),
            ("claim_id", pa.string()),
            ("isa13", pa.string()),
            ("gs06", pa.string()),
            ("st02", pa.string()),
            ("service_date", pa.date32()),
            ("payer_id", pa.string()),
            ("code_set", pa.string()),
            ("diagnoses", pa.list_(diagnosis)),
            ("lines", pa.list_(line)),
            # both: a claim's findings, or a file's file findings
            ("findings", pa.list_(_finding_type(pa))),
            # between the stages
            ("piece", pa.int32()),
            ("claim_seq", pa.int32()),
            ("offset", pa.int32()),
            ("from_merge", pa.bool_()),
            ("state", pa.binary()),
        ]
    )
