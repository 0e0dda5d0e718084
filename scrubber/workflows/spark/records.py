"""Events to rows (:func:`.schema.records_schema`): claim rows, file rows and piece rows.

A claim's values are taken from its JSON text, so a row holds what the JSON report shows. Claim
rows are made where the claim was judged: by the checking stage for a piece checked once (the
common case, spread over every executor), by the merging stage for a piece it checked again. The
merger itself only needs each claim's status and rule codes (:class:`Tallied`) to keep a file's
totals; :class:`RecordSink` follows it and writes, per piece, where the piece's claims start in the
file (``offset``) and which stage's claim rows count (``from_merge``). A claim's position in its
file is then ``offset + claim_seq``, joined on the driver from the small table of piece rows.

A file's piece rows go out with its file row, after its last piece: a file the checker broke on
gets no piece rows, so none of its claim rows reach the tables, only its ``failed`` file row.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from scrubber.findings import Finding
from scrubber.report.events import BaseSink, ClaimResult, FileEnd

BATCH_ROWS = 512  # rows per Arrow batch out of a stage: a claim row is a few kilobytes


class Tallied(ClaimResult):
    """A claim already turned into a row by the checking stage: its status and rule codes only."""

    __slots__ = ()

    def __init__(self, status: str, rules: list[str]) -> None:
        super().__init__(status=status, rules=rules, json="")


@dataclass
class FileInfo:
    """What the planning stage knew of a file before it was checked."""

    index: int | None
    name: str
    sha256: str | None = None
    size: int | None = None
    pieces: int = 1


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def finding_row(finding: dict[str, Any]) -> dict[str, Any]:
    """A finding of the JSON report (a dict) as a row of the nested ``findings`` column."""
    location = finding.get("location") or {}
    row = {
        "rule": finding["rule"],
        "name": finding["name"],
        "severity": finding["severity"],
        "message": finding["message"],
        "codes": finding.get("codes", []),
        "segment_text": finding.get("segment_text"),
        "reference": finding.get("reference", ""),
        "fix": finding.get("fix", ""),
    }
    for key in ("segment", "st_segment", "line", "offset", "loop", "element", "column", "length"):
        row[key] = location.get(key)
    return row


def claim_row(info: FileInfo, piece: int, seq: int, text: str, *, from_merge: bool) -> dict[str, Any]:
    """One claim (its JSON text), the ``seq``-th claim of ``piece``, as a row."""
    claim = json.loads(text)
    control = claim["control"]
    return {
        "kind": "claim",
        "file_index": info.index,
        "file": info.name,
        "sha256": info.sha256,
        "status": claim["status"],
        "claim_id": claim["claim_id"],
        "isa13": control["isa13"],
        "gs06": control["gs06"],
        "st02": control["st02"],
        "service_date": _date(claim.get("service_date")),
        "payer_id": claim.get("payer_id", ""),
        "code_set": claim.get("code_set"),
        "diagnoses": claim["diagnoses"],
        "lines": [{**line, "service_date": _date(line.get("service_date"))} for line in claim["lines"]],
        "findings": [finding_row(f) for f in claim["findings"]],
        "piece": piece,
        "claim_seq": seq,
        "from_merge": from_merge,
    }


def file_row(info: FileInfo, status: str, *, error: str | None = None, end: FileEnd | None = None) -> dict[str, Any]:
    """A file's row: its totals when it was read (``end``), its status and error when it was not."""
    row: dict[str, Any] = {
        "kind": "file",
        "file_index": info.index,
        "file": info.name,
        "sha256": info.sha256 or None,
        "size": info.size,
        "status": status,
        "error": error,
        "pieces": info.pieces,
        "claims": 0,
        "accepted": 0,
        "rejected": 0,
        "findings_by_rule": [],
        "findings": [],
    }
    if end is not None:
        report = end.report
        summary = report.summary
        row.update(
            sha256=report.sha256 or row["sha256"],
            claims=summary.claims,
            accepted=summary.accepted,
            rejected=summary.rejected,
            findings_by_rule=list(summary.findings_by_rule.items()),
            findings=[finding_row(f.model_dump(mode="json")) for f in report.file_findings],
        )
    return row


class RecordSink(BaseSink):
    """Rows for the files fed to it; :meth:`batches` hands out what is ready.

    Call :meth:`expect` before a file's first event (the merger finishes the previous file inside
    the call that starts the next one, so the sink switches files when the file starts), and
    :meth:`begin_piece`/:meth:`end_piece` around each piece.
    """

    def __init__(self, batch_rows: int = BATCH_ROWS) -> None:
        self._rows: list[dict[str, Any]] = []
        self._held: list[dict[str, Any]] = []  # the current file's piece rows
        self._batch_rows = batch_rows
        self._next: FileInfo | None = None
        self._file: FileInfo | None = None
        self._claims = 0  # claims of the file so far
        self._piece = 0
        self._piece_claims = 0
        self._offset = 0
        self._from_merge = False
        self._piece_open = False
        self.file_done = True  # the current file's row is out

    def expect(self, info: FileInfo) -> None:
        self._next = info

    def _begin(self) -> FileInfo:
        info = self._next
        assert info is not None, "expect() the file before its events"
        self._file, self._next, self._claims, self._held, self.file_done = info, None, 0, [], False
        self._offset = self._piece_claims = 0  # begin_piece(0) may come first: the file starts inside it
        return info

    def begin_piece(self, number: int) -> None:
        self._piece, self._piece_claims, self._offset, self._from_merge = number, 0, self._claims, False
        self._piece_open = True

    def end_piece(self) -> None:
        """The piece's row, held until its file's row is out (a whole file's ends with it)."""
        info = self._file
        if not self._piece_open or info is None or self.file_done:
            return
        self._piece_open = False
        self._held.append(
            {
                "kind": "piece",
                "file_index": info.index,
                "file": info.name,
                "piece": self._piece,
                "offset": self._offset,
                "from_merge": self._from_merge,
            }
        )

    def start_file(self, name: str) -> None:
        self._begin()

    def claim(self, result: ClaimResult) -> None:
        if not isinstance(result, Tallied):  # judged here (a re-check): its row is made here
            assert self._file is not None
            self._rows.append(claim_row(self._file, self._piece, self._piece_claims, result.json, from_merge=True))
            self._from_merge = True
        self._piece_claims += 1
        self._claims += 1

    def file_finding(self, finding: Finding) -> None:
        """File findings come with the totals, in finish_file (as the JSON writer takes them)."""

    def finish_file(self, end: FileEnd) -> None:
        assert self._file is not None
        self.end_piece()  # a whole file (contents) ends inside its only piece
        self._rows.append(file_row(self._file, end.report.status, end=end))
        self._rows.extend(self._held)
        self._held, self.file_done = [], True

    def unreadable(self, name: str, reason: str) -> None:
        info = self._begin()
        self._rows.append(file_row(info, "unreadable", error=reason))
        self.file_done, self._piece_open = True, False

    def failed(self, info: FileInfo, error: str) -> None:
        """The checker broke on this file (a bug): a ``failed`` row and no claims, unless its row is out."""
        if self._file is not info and self._next is info:
            self._begin()
        if not self.file_done:
            self._rows.append(file_row(info, "failed", error=error))
            self._held, self.file_done, self._piece_open = [], True, False

    def add(self, row: dict[str, Any]) -> None:
        """A row made elsewhere (the checking stage's claim and state rows)."""
        self._rows.append(row)

    def batches(self, *, final: bool = False) -> list[Any]:
        """Arrow batches of the rows collected so far (all of them when ``final``, else full ones)."""
        if not self._rows or (not final and len(self._rows) < self._batch_rows):
            return []
        import pyarrow as pa

        from scrubber.workflows.spark.schema import records_schema

        rows, self._rows = self._rows, []
        schema = records_schema()
        return [
            pa.RecordBatch.from_pylist(rows[start : start + self._batch_rows], schema=schema)
            for start in range(0, len(rows), self._batch_rows)
        ]
