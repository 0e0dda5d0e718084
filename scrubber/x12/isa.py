"""The ISA header's fixed layout (SNIP 1): 16 elements of fixed length, dates, numbers and codes.

The ISA is the one X12 segment read by position: a receiver finds the element separator at byte 4,
the version at bytes 85-89 and the component separator and terminator at 105-106. A header that
is one character short still splits into elements (scrubber finds its delimiters by scanning), but
a payer's front end answers it with a TA1 rejection of the whole interchange, whatever the claims
inside. So the reader checks the layout itself, with or without the TR3 structure check.

Code lists are those of version 00501 (ASC X12 005010 control segments); an ISA of another
version is held to the layout only.
"""

from __future__ import annotations

import datetime as dt

# ISA01..ISA16: (name, fixed length)
_ELEMENTS = (
    ("authorization information qualifier", 2),
    ("authorization information", 10),
    ("security information qualifier", 2),
    ("security information", 10),
    ("sender id qualifier", 2),
    ("sender id", 15),
    ("receiver id qualifier", 2),
    ("receiver id", 15),
    ("date", 6),
    ("time", 4),
    ("repetition separator", 1),
    ("version", 5),
    ("control number", 9),
    ("acknowledgment requested", 1),
    ("usage indicator", 1),
    ("component separator", 1),
)
_ID_QUALIFIERS = frozenset({"01", "14", "20", "27", "28", "29", "30", "33", "ZZ"})
_CODES_00501: dict[int, frozenset[str]] = {
    1: frozenset({"00", "03"}),
    3: frozenset({"00", "01"}),
    5: _ID_QUALIFIERS,
    7: _ID_QUALIFIERS,
    14: frozenset({"0", "1"}),
    15: frozenset({"P", "T"}),
}
_SECRET = frozenset({2, 4})  # authorization and security information: never quoted
_DIGITS = frozenset({9, 10, 12, 13})
ISA_ELEMENTS = len(_ELEMENTS)


def isa_problems(elements: list[str]) -> list[tuple[str, str]]:
    """(element reference, message) for each way the ISA breaks its fixed layout; [] when sound.

    ``elements`` is the split segment (``elements[0]`` is 'ISA').
    """
    count = len(elements) - 1
    if count != ISA_ELEMENTS:
        return [("", f"the ISA has {count} elements; it must have exactly {ISA_ELEMENTS} of fixed length")]
    problems: list[tuple[str, str]] = []
    for position, (name, length) in enumerate(_ELEMENTS, start=1):
        value = elements[position]
        ref = f"ISA{position:02d}"
        shown = "" if position in _SECRET else f" {value!r}"
        if len(value) != length:
            problems.append(
                (ref, f"{ref} ({name}){shown} is {len(value)} characters; the ISA's fixed layout needs {length}")
            )
        elif position in _DIGITS and not (value.isascii() and value.isdigit()):
            problems.append((ref, f"{ref} ({name}){shown} must be {length} digits"))
        elif position == 9 and _date(value) is None:
            problems.append((ref, f"ISA09 (date){shown} is not a calendar date (YYMMDD)"))
        elif position == 10 and not (value[:2] < "24" and value[2:] < "60"):
            problems.append((ref, f"ISA10 (time){shown} is not a time of day (HHMM)"))
        elif elements[12] == "00501" and position in _CODES_00501 and value not in _CODES_00501[position]:
            allowed = ", ".join(sorted(_CODES_00501[position]))
            problems.append((ref, f"{ref} ({name}){shown} is not one of the codes {allowed}"))
    return problems


def _date(value: str) -> dt.date | None:
    try:
        return dt.date(2000 + int(value[:2]), int(value[2:4]), int(value[4:]))
    except ValueError:
        return None
