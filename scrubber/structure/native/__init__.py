"""The native TR3 structure check, compiled from pyx12's 005010X222A1 map (see validator.py)."""

from scrubber.structure.native.grammar import load_grammar
from scrubber.structure.native.pieces import check_in_pieces, merge_pieces
from scrubber.structure.native.tables import warm_up
from scrubber.structure.native.validator import NativeValidator, PieceSummary, ValidatorState

__all__ = [
    "NativeValidator",
    "PieceSummary",
    "ValidatorState",
    "check_in_pieces",
    "load_grammar",
    "merge_pieces",
    "warm_up",
]
