"""The report formats by name. Each writer is a :class:`~scrubber.report.events.Sink`.

Writers receive claims one at a time so that a 1 GB input never has to sit in memory; the file's
totals (summary, sha256, status) come last, in ``finish_file``.
"""

from __future__ import annotations

from typing import TextIO

from scrubber.report.events import Sink

FORMATS = ("text", "json", "html")
SHOWS_SEGMENTS = frozenset({"html"})  # formats that print each claim's segments


def writer_for(fmt: str, out: TextIO, *, color: bool = False) -> Sink:
    """The writer of a format name (text, json, html)."""
    from scrubber.report import html, json_report, text

    if fmt == "json":
        return json_report.JsonWriter(out)
    if fmt == "text":
        return text.TextWriter(out, color=color)
    if fmt == "html":
        return html.HtmlWriter(out)
    raise ValueError(f"unknown report format {fmt!r}; choose one of {', '.join(sorted(FORMATS))}")
