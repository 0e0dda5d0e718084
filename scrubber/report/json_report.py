"""JSON report (``scrubber.report/1``), written as a stream.

Claims are serialised as they arrive; ``file_findings``, ``summary``, ``sha256`` and ``status``
follow them, since they are only known at the end. Key order carries no meaning in JSON, so the
document is the same object a non-streaming writer would produce. Several files make a JSON array.
"""

from __future__ import annotations

import json
from typing import TextIO

from scrubber.findings import Finding
from scrubber.report.events import ClaimResult, FileEnd
from scrubber.report.model import SCHEMA


class JsonWriter:
    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._files = 0
        self._claims = 0
        self._multi = False

    def begin(self, file_count: int) -> None:
        """Announce how many files follow: more than one makes the output a JSON array."""
        self._multi = file_count > 1
        if self._multi:
            self._out.write("[\n")

    def start_file(self, name: str) -> None:
        if self._files:
            self._out.write(",\n")
        self._files += 1
        self._claims = 0
        self._out.write(f'{{"schema": {json.dumps(SCHEMA)}, "file": {json.dumps(name)}, "claims": [')

    def claim(self, result: ClaimResult) -> None:
        self._out.write(",\n" if self._claims else "\n")
        self._claims += 1
        self._out.write(result.json)

    def file_finding(self, finding: Finding) -> None:
        """File findings are written with the totals, in finish_file."""

    def finish_file(self, end: FileEnd) -> None:
        header = end.report
        self._out.write("\n], ")
        tail = header.model_dump(mode="json", include={"sha256", "status", "summary", "file_findings"})
        self._out.write(json.dumps(tail)[1:])
        self._out.write("\n")

    def unreadable(self, name: str, reason: str) -> None:
        if self._files:
            self._out.write(",\n")
        self._files += 1
        self._out.write(
            json.dumps({"schema": SCHEMA, "file": name, "status": "unreadable", "error": reason, "claims": []})
        )
        self._out.write("\n")

    def close(self) -> None:
        if self._multi:
            self._out.write("]\n")
