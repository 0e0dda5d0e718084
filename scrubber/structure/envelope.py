"""pyx12's envelope bookkeeping where a piece of a file starts, and a digest to verify it.

pyx12's reader carries a little state from one transaction to the next: which ISA and GS are
open, how many groups and transactions it counted, and the ISA13/GS06/ST02 control numbers it
has seen (a repeated one is an error). To validate a piece of a file on its own, the structure
stage starts pyx12 on the piece's real ISA and GS and then sets that state to what a pass from
the start of the file would hold there (:class:`PieceEnvelope`, from
:mod:`scrubber.workflows.pieces`).

The planner finds envelope segments with regular expressions, pyx12 reads them through
scrubber's segment reader: on an odd file the two could disagree. Both therefore feed the
envelope segments they see in a piece to :class:`EnvelopeEvents`, and the piece's pyx12 result
is used only when the digests agree. This module is pure Python: the planner imports it
without pyx12.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

ENVELOPE_IDS = frozenset({"ISA", "GS", "ST", "SE", "GE", "IEA"})
CONTROL_ELEMENT = {"ISA": 13, "GS": 6, "ST": 2}  # the control number pyx12 keeps a list of
UNVERIFIABLE = "unverifiable"  # a digest no pyx12 pass produces: the piece is checked another way


@dataclass(frozen=True, slots=True)
class PieceEnvelope:
    """pyx12's envelope state at the start of a piece (after its ISA and GS), and the digest of
    the envelope segments inside the piece.

    Of the control numbers seen before the piece only those that occur again inside it are
    kept: pyx12 looks them up only to flag a repeat.
    """

    groups: int = 0  # GS counted in the open interchange, the open one included
    transactions: int = 0  # ST counted in the open group before the piece
    isa13: tuple[str | None, ...] = ()  # ISA13s of earlier pieces that recur in this one
    gs06: tuple[str | None, ...] = ()  # GS06s of the open interchange, from earlier pieces, that recur
    st02: tuple[str | None, ...] = ()  # ST02s of the open group, from earlier pieces, that recur
    digest: str = UNVERIFIABLE


class EnvelopeEvents:
    """A running digest of (segment id, control number) for the envelope segments of a piece."""

    __slots__ = ("_hash",)

    def __init__(self) -> None:
        self._hash = hashlib.blake2b(digest_size=16)

    def add(self, seg_id: str, control: str | None) -> None:
        value = "\x00" if control is None else control
        self._hash.update(f"{seg_id}\x1f{value}\x1e".encode("utf-8", "surrogatepass"))

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def control_value(elements: list[str], seg_id: str, component: str) -> str | None:
    """ISA13, GS06 or ST02 as pyx12's ``Segment.get_value`` gives it (None when absent).

    pyx12 reads ISA elements whole and other elements as composites, dropping trailing empty
    components; '' for SE, GE, IEA (only their position matters to pyx12's bookkeeping).
    """
    position = CONTROL_ELEMENT.get(seg_id)
    if position is None:
        return ""
    if position >= len(elements):
        return None
    value = elements[position]
    if seg_id == "ISA" or component not in value:
        return value
    parts = value.split(component)
    while len(parts) > 1 and parts[-1] == "":
        parts.pop()
    return component.join(parts)
