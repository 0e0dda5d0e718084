"""The five tables as ``scrubber check --format json`` says they should be, and a row-by-row comparison.

The JSON report is the reference: every table row is built here from it (plus what the JSON does
not say of an unreadable file: its size and sha256 when its bytes can be read), then compared
with the rows Spark wrote, sorted by their keys.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from scrubber.workflows.check import CheckOptions, run_check
from scrubber.workflows.spark.schema import LOCATION_FIELDS, TABLES

KEYS = {
    "files": ("file_index", "file"),
    "claims": ("file_index", "file", "claim_index"),
    "lines": ("file_index", "file", "claim_index", "line"),
    "diagnoses": ("file_index", "file", "claim_index", "position"),
    "findings": ("file_index", "file", "claim_index", "scope", "finding_index"),
}
NOT_IN_JSON = {"files": ("pieces",)}  # how the file was cut: asserted by the tests themselves


def json_reports(paths: list[Path | str], out: Path, *, structure: str, as_of: dt.date) -> list[dict[str, Any]]:
    """`scrubber check --format json` (one process) on ``paths``: one document per file."""
    options = CheckOptions(files=[str(p) for p in paths], format="json", output=out, as_of=as_of, structure=structure)
    run_check(options)
    documents = json.loads(out.read_text())
    return documents if isinstance(documents, list) else [documents]


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _bytes_of(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def _finding(keys: dict[str, Any], scope: str, index: int, finding: dict[str, Any]) -> dict[str, Any]:
    location = finding.get("location") or {}
    row = {**keys, "scope": scope, "finding_index": index}
    for name in ("rule", "name", "severity", "message"):
        row[name] = finding[name]
    row["codes"] = finding.get("codes", [])
    row.update({name: location.get(name) for name in LOCATION_FIELDS})
    row["segment_text"] = finding.get("segment_text")
    row["reference"] = finding.get("reference", "")
    row["fix"] = finding.get("fix", "")
    return row


def expected_tables(
    documents: list[dict[str, Any]], *, indexed: bool = True, names: list[str] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Rows per table from JSON reports (``indexed``: file_index is the file's position, else null;
    ``names``: the file names the tables carry, when they differ from the JSON's)."""
    tables: dict[str, list[dict[str, Any]]] = {t.name: [] for t in TABLES}
    for position, document in enumerate(documents):
        name = names[position] if names else document["file"]
        data = _bytes_of(document["file"])
        sha256 = hashlib.sha256(data).hexdigest() if data is not None else None
        index = position if indexed else None
        file_keys = {"file_index": index, "file": name, "sha256": document.get("sha256", sha256)}
        assert file_keys["sha256"] == sha256, document["file"]
        summary = document.get("summary", {})
        file_findings = document.get("file_findings", [])
        tables["files"].append(
            {
                **file_keys,
                "size": len(data) if data is not None else None,
                "status": document["status"],
                "error": document.get("error"),
                "claims": summary.get("claims", 0),
                "accepted": summary.get("accepted", 0),
                "rejected": summary.get("rejected", 0),
                "file_findings": len(file_findings),
                "findings_by_rule": summary.get("findings_by_rule", {}),
            }
        )
        none = {"claim_index": None, "claim_id": None}
        tables["findings"] += [_finding({**file_keys, **none}, "file", i, f) for i, f in enumerate(file_findings)]
        for index, claim in enumerate(document.get("claims", [])):
            keys = {**file_keys, "claim_index": index, "claim_id": claim["claim_id"]}
            control = claim["control"]
            tables["claims"].append(
                {
                    **keys,
                    "status": claim["status"],
                    **{k: control[k] for k in ("isa13", "gs06", "st02")},
                    "service_date": _date(claim["service_date"]),
                    "payer_id": claim["payer_id"],
                    "code_set": claim["code_set"],
                    "rules": [f["rule"] for f in claim["findings"]],
                }
            )
            lines = claim["lines"]
            tables["lines"] += [{**keys, **line, "service_date": _date(line["service_date"])} for line in lines]
            tables["diagnoses"] += [{**keys, "position": n, **d} for n, d in enumerate(claim["diagnoses"], start=1)]
            tables["findings"] += [_finding(keys, "claim", i, f) for i, f in enumerate(claim["findings"])]
    return tables


def _key(table: str, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple((row[k] is None, row[k] if row[k] is not None else 0) for k in KEYS[table])


def normalise(table: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows sorted by key, without the columns the JSON cannot say; maps as dicts."""
    out = []
    for row in rows:
        row = {k: v for k, v in row.items() if k not in NOT_IN_JSON.get(table, ())}
        if isinstance(row.get("findings_by_rule"), list):  # pyarrow reads a map as (key, value) pairs
            row["findings_by_rule"] = dict(row["findings_by_rule"])
        out.append(row)
    return sorted(out, key=lambda r: _key(table, r))


def assert_same_tables(actual: dict[str, list[dict[str, Any]]], expected: dict[str, list[dict[str, Any]]]) -> None:
    """Every table: the same rows, column for column; the first difference is named."""
    for table in (t.name for t in TABLES):
        got, want = normalise(table, actual[table]), normalise(table, expected[table])
        assert [list(r) for r in got[:1]] == [list(r) for r in want[:1]], f"{table}: columns differ"
        for number, (a, b) in enumerate(zip(got, want, strict=False)):
            if a != b:
                differs = {k: (a.get(k), b.get(k)) for k in b if a.get(k) != b.get(k)}
                raise AssertionError(f"{table} row {number} {_key(table, b)}: (spark, json) {differs}")
        assert len(got) == len(want), f"{table}: {len(got)} rows from Spark, {len(want)} from the JSON report"


def parquet_tables(out: Path) -> dict[str, list[dict[str, Any]]]:
    """The Parquet datasets a CLI run wrote, read back with pyarrow (no Spark needed)."""
    import pyarrow.parquet as pq

    return {t.name: pq.read_table(out / t.name).to_pylist() for t in TABLES}


def modes_under(root: Path) -> set[int]:
    """Permission bits of every file and folder under ``root``."""
    found = set()
    for folder, dirs, files in os.walk(root):
        for entry in [*dirs, *files]:
            found.add(os.stat(os.path.join(folder, entry)).st_mode & 0o777)
    return found
