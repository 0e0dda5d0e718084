"""Broken files every front end must handle: one clear, located answer each, never a traceback.

Shared by the library and CLI tests (tests/x12/test_broken_inputs.py), the sweep and the service
tests, so each input path gets the same files.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from scrubber.synthetic import ClaimSpec, render_837

GOOD = render_837([ClaimSpec(claim_id="A"), ClaimSpec(claim_id="B"), ClaimSpec(claim_id="C")], line_break="\n")
HUGE_SEGMENT = 2 << 20  # bytes: twice the reader's limit for one segment


@dataclass(frozen=True)
class Broken:
    data: bytes
    claims: tuple[str, ...] = ()  # claim ids read, in order; () and error="" for an unreadable file
    rule: str = ""  # the ENV rule that must report the damage, for a readable file
    error: str = ""  # what the one-line error says, for an unreadable file

    @property
    def readable(self) -> bool:
        return not self.error


def _wrong_delimiters(text: str) -> str:
    """The ISA declares '*' but the rest of the file separates elements with '|'."""
    head, rest = text.split("~", 1)
    return head + "~" + rest.replace("*", "|")


def _huge(text: str) -> str:
    """A 2 MiB note in claim B: no segment may be that long."""
    at = text.index("LX*1~", text.index("CLM*B*"))
    return text[:at] + "NTE*ADD*" + "X" * HUGE_SEGMENT + "~\n" + text[at:]


BROKEN: dict[str, Broken] = {
    "empty": Broken(b"", error="file is empty"),
    "binary": Broken(random.Random(17).randbytes(4096).replace(b"I", b"i"), error="not an X12 file"),
    "truncated": Broken(GOOD.encode()[: len(GOOD) * 2 // 3], ("A",), "ENV003"),
    "wrong-delimiters": Broken(_wrong_delimiters(GOOD).encode(), (), "ENV005"),
    "bom": Broken(b"\xef\xbb\xbf" + GOOD.encode(), ("A", "B", "C"), "ENV006"),
    "huge": Broken(_huge(GOOD).encode(), ("A", "B", "C"), "ENV009"),
}
