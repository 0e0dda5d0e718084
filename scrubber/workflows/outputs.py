"""Per-file outputs besides the report: 999, 277CA, and the accepted/rejected 837 split.

During the scan, :meth:`FileOutputs.claim` keeps each claim's verdict (compactly). After it,
:meth:`FileOutputs.finish` writes the 999 from the TR3 check and makes one more pass over the
file (the split and the 277CA copy whole segments) feeding both writers at once. Every file is
written through :func:`scrubber.fsutil.atomic_writer`: owner-only, never half-written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import structlog

from scrubber.acks.ack277 import Ack277Writer
from scrubber.acks.split import Split837Writer
from scrubber.acks.verdicts import Verdicts
from scrubber.fsutil import atomic_writer
from scrubber.report.model import ClaimReport
from scrubber.structure.stage import CheckedSource
from scrubber.transaction.blocks import claim_blocks

log = structlog.get_logger("scrubber.outputs")


class OutputError(Exception):
    """An output could not be produced; the message says which and why."""


@dataclass
class OutputOptions:
    ack999: Path | None = None
    ack277: Path | None = None
    accepted_out: Path | None = None
    rejected_out: Path | None = None

    @property
    def rereads(self) -> bool:
        """Whether the file is read again after the scan (split or 277CA)."""
        return any((self.ack277, self.accepted_out, self.rejected_out))


def output_path(option: Path, name: str, suffix: str, multi: bool) -> Path:
    """The option's path for one input, or ``option/<input stem><suffix>`` for a directory or many inputs."""
    if multi or option.is_dir():
        stem = Path(name).name if name not in ("-", "<bytes>", "<stream>") else "stdin"
        return option / f"{stem}{suffix}"
    return option


class FileOutputs:
    """The outputs of one input file."""

    def __init__(self, options: OutputOptions, *, multi: bool, ordinal: int, now: dt.datetime | None = None) -> None:
        self._options = options
        self._multi = multi
        self._now = now or dt.datetime.now()
        self._control = int(self._now.strftime("%j%H%M")) * 100 + ordinal % 100
        self.verdicts = Verdicts() if options.rereads else None

    def claim(self, report: ClaimReport) -> None:
        if self.verdicts is not None:
            self.verdicts.add(report)

    def finish(self, checked: CheckedSource) -> list[Path]:
        """Write the outputs asked for; return their paths."""
        written: list[Path] = []
        options = self._options
        try:
            if options.ack999 is not None:
                written.append(self._write_999(checked, options.ack999))
            if options.rereads:
                written += self._reread(checked)
        except OSError as error:
            folder = f" in {Path(error.filename).parent}" if error.filename else ""
            raise OutputError(f"{checked.name}: cannot write an output{folder}: {error.strerror or error}") from None
        log.info("outputs.written", file=checked.name, outputs=[str(p) for p in written])
        return written

    def _target(self, option: Path, name: str, suffix: str) -> Path:
        return output_path(option, name, suffix, self._multi)

    def _write_999(self, checked: CheckedSource, option: Path) -> Path:
        structure = checked.structure
        if structure is None or not structure.result.can_acknowledge:
            raise OutputError(f"{checked.name}: no 999: the TR3 check did not read an interchange and group")
        path = self._target(option, checked.name, ".999")
        with atomic_writer(path) as out:
            structure.result.write_999(out)
        return path

    def _reread(self, checked: CheckedSource) -> list[Path]:
        options, verdicts = self._options, self.verdicts
        assert verdicts is not None
        targets: list[tuple[Path, str]] = []
        with contextlib.ExitStack() as stack, open(checked.path, "rb") as source:
            accepted = rejected = ack = None
            if options.accepted_out is not None:
                path = self._target(options.accepted_out, checked.name, ".accepted.837")
                accepted = Split837Writer(stack.enter_context(atomic_writer(path)))
                targets.append((path, "accepted"))
            if options.rejected_out is not None:
                path = self._target(options.rejected_out, checked.name, ".rejected.837")
                rejected = Split837Writer(stack.enter_context(atomic_writer(path)))
                targets.append((path, "rejected"))
            if options.ack277 is not None:
                path = self._target(options.ack277, checked.name, ".277")
                ack = Ack277Writer(
                    stack.enter_context(atomic_writer(path)), verdicts, control=self._control, now=self._now
                )
                targets.append((path, "277CA"))
            for block in claim_blocks(source):
                verdict = verdicts.accepted(block.index)
                if verdict is None:
                    continue
                split = accepted if verdict else rejected
                if split is not None:
                    split.add(block)
                if ack is not None:
                    ack.add(block)
            for writer in (accepted, rejected, ack):
                if writer is not None:
                    writer.close()
        return [path for path, _ in targets]
