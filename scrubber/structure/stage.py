"""The structure stage of the check pipeline: pyx12 first, then its findings handed to claims.

The TR3 check needs a file on disk (pyx12 reads it in its own pass), so :func:`open_checked`
spools standard input and in-memory bytes to an owner-only temporary file. The pass collects
findings keyed by segment position (memory grows with the number of errors, not the file).
While the walker streams claims, :meth:`StructureFindings.attach` gives each claim the findings
that fall inside its segments (CLM through its last line) or its HL context (billing provider,
subscriber, patient), so a structural error rejects exactly the claims it touches; what no claim
holds (envelopes, the 1000A/B header) ends up in the file findings.

``scrubber check --jobs N`` runs the same stage per piece of a file: each worker attaches its
piece's findings to its claims and sends back the rest (:meth:`StructureFindings.unattached`);
the parent turns all of them into the file's findings at the end with :func:`leftover_findings`,
as :meth:`StructureFindings.leftovers` does for a whole file.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from typing import BinaryIO

import structlog

from scrubber.findings import Finding
from scrubber.model import Claim
from scrubber.rules.structure import ACK_SEGMENT, rule_for
from scrubber.structure.issues import StructureIssue
from scrubber.structure.pyx12_adapter import StructureResult, validate

log = structlog.get_logger("scrubber.structure")


def to_finding(error: StructureIssue) -> Finding:
    """A pyx12 error as a finding of its X12 rule, located at its segment and element."""
    rule = rule_for(error.level, error.code)
    ack = ACK_SEGMENT.get(error.level)
    reference = f"{rule.reference}; {ack} code {error.code}" if ack else rule.reference
    message = re.sub(r"(\w)\(", r"\1 (", error.message.strip().rstrip("."))  # pyx12: "character(1O0)"
    finding = rule.finding(message, segment=error.segment, element=error.element_ref, reference=reference)
    if finding.location is not None and error.loop:
        finding.location = finding.location.model_copy(update={"loop": error.loop})
    return finding


class StructureFindings:
    """One file's structure findings, waiting for the claims that hold their segments."""

    def __init__(self, result: StructureResult) -> None:
        self.result = result
        self._by_segment: dict[int, list[Finding]] = {}
        self._unplaced: list[Finding] = []
        self._attached: set[int] = set()
        for error in result.errors:
            finding = to_finding(error)
            if error.segment is None:
                self._unplaced.append(finding)
            else:
                self._by_segment.setdefault(error.segment.index, []).append(finding)
        if result.truncated:
            log.warning("structure.truncated", kept=len(result.errors))

    def __len__(self) -> int:
        return len(self._unplaced) + sum(len(found) for found in self._by_segment.values())

    def attach(self, claim: Claim) -> None:
        """Add the findings inside the claim's segments and HL context to its parse findings.

        Where the walker already reported the same element (a bad date in DTP03, say), its
        finding stands alone: one problem, one finding.
        """
        if not self._by_segment:
            return
        said = {_spot(f) for f in claim.parse_findings} - {None}
        for segment in chain(claim.context_segments, claim.segments):
            found = self._by_segment.get(segment.index)
            if found:
                claim.parse_findings.extend(f.model_copy() for f in found if _spot(f) not in said)
                self._attached.add(segment.index)

    def unattached(self) -> list[tuple[int | None, Finding]]:
        """(segment index, finding) of the findings no claim held so far, in file order
        (those with no segment first)."""
        placed = [
            (index, finding)
            for index in sorted(self._by_segment)
            if index not in self._attached
            for finding in self._by_segment[index]
        ]
        return [(None, finding) for finding in self._unplaced] + placed

    def leftovers(self, already: list[Finding] | None = None) -> list[Finding]:
        """Findings no claim held, in file order: they belong to the file.

        ``already`` are the walker's file findings: an envelope error it reported at the same
        trailer (SE01 count, say) or an element it reported is not repeated.
        """
        return leftover_findings(self.unattached(), already)


def leftover_findings(
    unattached: list[tuple[int | None, Finding]], already: list[Finding] | None = None
) -> list[Finding]:
    """The file findings among structure findings no claim held (see ``leftovers``).

    ``unattached`` is in file order: those with no segment first, then by segment index.
    """
    said = {_spot(f) for f in already or ()} - {None}
    trailers = {f.location.segment for f in already or () if f.location and f.rule in _WALKER_ENVELOPE}
    return [
        finding
        for index, finding in unattached
        if index is None or (_spot(finding) not in said and not (finding.rule in _X12_ENVELOPE and index in trailers))
    ]


_WALKER_ENVELOPE = frozenset({"ENV001", "ENV002", "ENV003"})  # counts, control numbers, trailers
_X12_ENVELOPE = frozenset({"X12001", "X12002", "X12003"})


def _spot(finding: Finding) -> tuple[int, str] | None:
    """(segment, element) of an element-level finding; None for segment-level ones."""
    location = finding.location
    return (location.segment, location.element) if location is not None and location.element else None


@dataclass(slots=True)
class CheckedSource:
    """An opened input: the stream the walker reads, its name, a path on disk and its structure."""

    stream: BinaryIO
    name: str
    path: str  # the file itself, or a spooled copy of stdin / bytes
    structure: StructureFindings | None


@contextlib.contextmanager
def open_checked(source: object, *, structure: bool, spool: bool = False) -> Iterator[CheckedSource]:
    """Open ``source`` like ``open_source`` does and run the TR3 check when ``structure`` is set.

    Standard input and bytes are spooled to an owner-only temporary file (removed on exit) when
    the check or a later pass (``spool``: split output, 277CA) needs the data on disk; otherwise
    ``path`` is ''. Raises ``UnreadableInput`` as ``open_source`` does.
    """
    from scrubber.workflows.check import STDIN_NAME, open_source

    with open_source(source) as (stream, name):  # type: ignore[arg-type]
        path = _disk_path(source, STDIN_NAME)
        if path is None and not (structure or spool):
            yield CheckedSource(stream, name, "", None)
            return
        if path is not None:
            found = StructureFindings(validate(path)) if structure else None
            yield CheckedSource(stream, name, path, found)
            return
        with tempfile.NamedTemporaryFile(prefix="scrubber-", suffix=".x12") as spool:
            shutil.copyfileobj(stream, spool, 1 << 20)
            spool.flush()
            spool.seek(0)
            found = StructureFindings(validate(spool.name)) if structure else None
            spool.seek(0)
            yield CheckedSource(spool, name, spool.name, found)  # type: ignore[arg-type]


def _disk_path(source: object, stdin_name: str) -> str | None:
    if isinstance(source, str | os.PathLike) and os.fspath(source) != stdin_name:
        return os.fspath(source)  # type: ignore[arg-type]
    return None
