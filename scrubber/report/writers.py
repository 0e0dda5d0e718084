"""What every report format implements: streamed claims and file findings, then the totals.

Writers receive claims one at a time so that a 1 GB input never has to sit in memory; the file's
totals (summary, sha256, status) come last, in :meth:`ReportWriter.finish`.
"""

from __future__ import annotations

from typing import Protocol, TextIO

from scrubber.findings import Finding
from scrubber.report.model import ClaimReport, FileReport


class ReportWriter(Protocol):
    def begin(self, file_count: int) -> None: ...

    def start_file(self, name: str) -> None: ...

    def claim(self, claim: ClaimReport) -> None: ...

    def file_finding(self, finding: Finding) -> None: ...

    def finish_file(self, header: FileReport) -> None: ...

    def unreadable(self, name: str, reason: str) -> None: ...

    def close(self) -> None: ...


def writer_for(fmt: str, out: TextIO, *, color: bool = False) -> ReportWriter:
    """The writer of a format name (text, json, ...)."""
    from scrubber.report import html, json_report, text

    formats = {
        "json": lambda: json_report.JsonWriter(out),
        "text": lambda: text.TextWriter(out, color=color),
        "html": lambda: html.HtmlWriter(out),
    }
    if fmt not in formats:
        raise ValueError(f"unknown report format {fmt!r}; choose one of {', '.join(sorted(formats))}")
    return formats[fmt]()
