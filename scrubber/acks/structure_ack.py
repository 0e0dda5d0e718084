"""The 999 (005010X231A1) of a file, from whichever engine ran its TR3 structure check."""

from __future__ import annotations

import datetime as dt
from typing import TextIO

from scrubber.acks.ack999 import can_acknowledge, write_999
from scrubber.errors import OutputError
from scrubber.report.events import BaseSink, FileEnd
from scrubber.structure.native.acklog import AckLog


class Ack999Writer(BaseSink):
    """A sink that writes the file's 999 when the file ends; IK5 rejects only transactions in error.

    The native check leaves an :class:`~scrubber.structure.native.acklog.AckLog` that
    :mod:`scrubber.acks.ack999` writes; pyx12's result writes pyx12's own 999.
    """

    def __init__(self, out: TextIO, name: str, *, control: int = 1, now: dt.datetime | None = None) -> None:
        self._out = out
        self._name = name
        self._control = control
        self._now = now

    def start_file(self, name: str) -> None:
        self._name = name

    def finish_file(self, end: FileEnd) -> None:
        structure = end.structure
        if isinstance(structure, AckLog) and can_acknowledge(structure):
            write_999(structure, self._out, control=self._control, now=self._now)
        elif structure is not None and not isinstance(structure, AckLog) and structure.can_acknowledge:
            structure.write_999(self._out)
        else:
            raise OutputError(f"{self._name}: no 999: the TR3 check did not read an interchange and group")
