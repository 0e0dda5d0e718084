"""The 999 (005010X231A1) of a file, from whichever engine ran its TR3 structure check."""

from __future__ import annotations

from typing import TextIO

from scrubber.errors import OutputError
from scrubber.report.events import BaseSink, FileEnd


class Ack999Writer(BaseSink):
    """A sink that writes the file's 999 when the file ends; IK5 rejects only transactions in error."""

    def __init__(self, out: TextIO, name: str) -> None:
        self._out = out
        self._name = name

    def start_file(self, name: str) -> None:
        self._name = name

    def finish_file(self, end: FileEnd) -> None:
        structure = end.structure
        if structure is None or not structure.can_acknowledge:
            raise OutputError(f"{self._name}: no 999: the TR3 check did not read an interchange and group")
        structure.write_999(self._out)
