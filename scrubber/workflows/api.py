"""The library: check 837P files from Python with the same pipeline as the command line.

    from scrubber import Scrubber, scrub

    report = scrub("claims.837")                 # FileReport (pydantic); report.to_json()
    scrubber = Scrubber(config=None)             # rules and reference data loaded once
    for path in paths:
        report = scrubber.report(path)
    with scrubber.scan("big.837") as scan:       # stream: ClaimResult and file Finding events
        for event in scan: ...
        totals = scan.header()                   # summary, sha256, status after the pass

A file that is not X12 raises :class:`scrubber.errors.UnreadableInput`; everything else, however
broken, comes back as located findings.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from scrubber.pipeline import DEFAULT_STRUCTURE, Scan, Source, StructureMode, Totals
from scrubber.report.events import Sink
from scrubber.report.model import FileReport
from scrubber.rules.engine import RuleEngine
from scrubber.workflows.setup import build_pipeline


class Scrubber:
    """Checks 837P files against the rule catalogue. Build once, reuse for many files."""

    def __init__(
        self,
        config: Path | None = None,
        *,
        structure: StructureMode = DEFAULT_STRUCTURE,
        as_of: dt.date | None = None,
        engine: RuleEngine | None = None,
    ) -> None:
        """``config``: a scrubber.toml (default: the usual locations, else built-in defaults)."""
        pipeline = build_pipeline(config, structure=structure, as_of=as_of)
        if engine is not None:
            pipeline.engine = engine
        self.pipeline = pipeline

    @property
    def engine(self) -> RuleEngine:
        return self.pipeline.engine

    def report(self, source: Source, name: str | None = None) -> FileReport:
        """Check a whole file (path, bytes or binary stream) and return its report."""
        return self.pipeline.report(source, name)

    @contextlib.contextmanager
    def scan(self, source: Source, name: str | None = None) -> Iterator[Scan]:
        """One streaming pass over a file; iterate the scan for its events."""
        with self.pipeline.open(source, name) as scan:
            yield scan

    def check(self, source: Source, sink: Sink, name: str | None = None) -> Totals | None:
        """Feed one file's events to a sink (a report writer, an acknowledgment writer, ...)."""
        return self.pipeline.check(source, sink, name)


def scrub(
    source: Source,
    *,
    config: Path | None = None,
    structure: StructureMode = DEFAULT_STRUCTURE,
    as_of: dt.date | None = None,
    name: str | None = None,
) -> FileReport:
    """Check one 837P file with the default (or ``config``) rules and reference data."""
    return Scrubber(config, structure=structure, as_of=as_of).report(source, name)
