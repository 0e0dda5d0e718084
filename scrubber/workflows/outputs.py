"""Per-file outputs besides the report: 999, 277CA, and the accepted/rejected 837 split.

:class:`FileOutputs` is one more sink of the check's event stream. It opens its files when a file
starts (an input that is not X12 never gets any) and renames them into place when the file ends,
so they are written in the same single pass as the report: nothing reads the input twice. Every
file is owner-only and never seen half-written (:class:`scrubber.fsutil.StagedFile`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import structlog

from scrubber.acks.ack277 import Ack277Writer
from scrubber.acks.split import SplitWriter
from scrubber.acks.structure_ack import Ack999Writer
from scrubber.errors import OutputError
from scrubber.fsutil import OWNER_ONLY, StagedFile
from scrubber.report.events import BaseSink, ClaimResult, FileEnd, Sink
from scrubber.rules.registry import RuleRegistry

log = structlog.get_logger("scrubber.outputs")

UNNAMED = ("-", "<bytes>", "<stream>")


@dataclass
class OutputOptions:
    ack999: Path | None = None
    ack277: Path | None = None
    accepted_out: Path | None = None
    rejected_out: Path | None = None

    @property
    def any(self) -> bool:
        return any((self.ack999, self.ack277, self.accepted_out, self.rejected_out))


def output_path(option: Path, name: str, suffix: str, multi: bool) -> Path:
    """The option's path for one input, or ``option/<input name><suffix>`` for a directory or many inputs."""
    if multi or option.is_dir():
        stem = Path(name).name if name not in UNNAMED else "stdin"
        return option / f"{stem}{suffix}"
    return option


class FileOutputs(BaseSink):
    """The 999, 277CA and split of one input file, as one sink."""

    def __init__(
        self,
        options: OutputOptions,
        registry: RuleRegistry,
        *,
        multi: bool,
        ordinal: int,
        now: dt.datetime | None = None,
        mode: int = OWNER_ONLY,
        stem: str | None = None,
        notes: list[str] | None = None,
    ) -> None:
        """``stem`` names the outputs instead of the input's name; with ``notes``, outputs that
        cannot be made are noted there instead of raised (the sweep goes on with the file)."""
        self._options = options
        self._registry = registry
        self._multi = multi
        self._mode = mode
        self._now = now or dt.datetime.now()
        self._control = int(self._now.strftime("%j%H%M")) * 100 + ordinal % 100
        self._files: list[StagedFile] = []
        self._sinks: list[Sink] = []
        self._name = ""
        self._stem = stem
        self._notes = notes
        self.written: list[Path] = []

    def start_file(self, name: str) -> None:
        self._name = name
        options = self._options
        try:
            if options.ack999 is not None:
                out = self._stage(options.ack999, ".999")
                self._sinks.append(Ack999Writer(out, name, control=self._control, now=self._now))
            if options.ack277 is not None:
                out = self._stage(options.ack277, ".277")
                self._sinks.append(Ack277Writer(out, self._registry, control=self._control, now=self._now))
            if options.accepted_out is not None or options.rejected_out is not None:
                accepted = self._stage(options.accepted_out, ".accepted.837") if options.accepted_out else None
                rejected = self._stage(options.rejected_out, ".rejected.837") if options.rejected_out else None
                self._sinks.append(SplitWriter(accepted, rejected))
        except OSError as error:
            self.discard()
            raise self._error(error) from None

    def _stage(self, option: Path, suffix: str):  # type: ignore[no-untyped-def]
        name = self._stem or self._name
        staged = StagedFile(output_path(option, name, suffix, self._multi), mode=self._mode)
        self._files.append(staged)
        return staged.handle

    def claim(self, result: ClaimResult) -> None:
        for sink in self._sinks:
            sink.claim(result)

    def finish_file(self, end: FileEnd) -> None:
        """Finish every output; rename them all into place, or none when one cannot be made."""
        try:
            for sink in self._sinks:
                sink.finish_file(end)
            for staged in self._files:
                staged.commit()
        except OSError as error:
            self.discard()
            raise self._error(error) from None
        except OutputError as error:
            self.discard()
            if self._notes is None:
                raise
            self._notes.append(str(error))
            return
        except BaseException:
            self.discard()
            raise
        self.written = [staged.path for staged in self._files]
        log.info("outputs.written", file=self._name, outputs=[str(p) for p in self.written])
        self._files, self._sinks = [], []

    def discard(self) -> None:
        """Remove what was started (the file broke off or an output failed)."""
        for staged in self._files:
            staged.discard()
        self._files, self._sinks = [], []

    def _error(self, error: OSError) -> OutputError:
        folder = f" in {Path(error.filename).parent}" if error.filename else ""
        return OutputError(f"{self._name}: cannot write an output{folder}: {error.strerror or error}")
