"""Seeded mutations of X12 files: what a hostile or careless sender does to an 837P.

Each mutation takes the file's bytes and a ``random.Random`` and returns new bytes; a mutant is
one to three of them in a row (:func:`mutate`). A mutation whose effect is certain also says what
a correct scrubber must make of it (:class:`Outcome`): ``reject`` (a byte outside the character
set, a broken ISA, a stray trailer: never exit 0) or ``same-claims`` (only the layout changed:
line breaks, indentation, other delimiters). The expectation holds for a mutant of that one
mutation only, since a second one may undo the first. Everything is a pure function of the seed, so a
failing mutant can be rebuilt from ``(seed, index)`` alone (``python -m bench.fuzz --only INDEX``).
The mutations know just enough X12 to hit the places where readers break: the ISA's fixed layout,
delimiters, segment boundaries, amounts, composites, envelopes. They never import scrubber, so the
same mutants can be replayed against any version of it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

REJECT = "reject"
SAME_CLAIMS = "same-claims"


@dataclass(frozen=True)
class Outcome:
    """Mutated bytes and what a correct scrubber must make of them."""

    data: bytes
    expect: str


Mutation = Callable[[bytes, random.Random], "bytes | Outcome"]

BOM = b"\xef\xbb\xbf"
ISA_LENGTH = 106
# Amounts a parser must survive: exponents, more digits than a Decimal context holds, specials.
NUMBERS = (
    b"1e400",
    b"1E+27",
    b"9" * 30,
    b"123456789012345678901234567.89",
    b"-0",
    b"1E-400",
    b"NaN",
    b"Infinity",
    b"-Infinity",
    b"1_000",
    b"+5",
    b" 12",
    b"12 ",
    b"0x10",
    b"1.2.3",
    b"",
    b".",
    b"-",
    b"5.",
    b".5",
    b"0E-1000000",
    b"99999999999999999999",
)
CONTROL_BYTES = (b"\x00", b"\x01", b"\x09", b"\x0b", b"\x0c", b"\x0d", b"\x1a", b"\x1b", b"\x7f", b"\x0a")
NON_ASCII = (b"\xc3\x91", b"\xa0", b"\xff", b"\xe2\x82\xac", b"\xef\xbb\xbf", b"\xc0\xaf", b"\x85")
PUNCTUATION = b"~*:^>|!+'\\\n"
STRAY_TRAILERS = (b"IEA*1*000000001~", b"SE*5*0001~", b"GE*1*1~", b"IEA*1*000010216~\n", b"ST*837*9999~")


@dataclass(frozen=True)
class Layout:
    """The delimiters a mutation works with: read from the ISA, '*', ':' and '~' when unreadable."""

    element: bytes = b"*"
    component: bytes = b":"
    terminator: bytes = b"~"

    @classmethod
    def of(cls, data: bytes) -> Layout:
        start = data.find(b"ISA")
        head = data[start:] if start >= 0 else b""
        if len(head) < ISA_LENGTH:
            return cls()
        element, component, terminator = head[3:4], head[104:105], head[105:106]
        if len({element, component, terminator}) < 3 or not (element and component and terminator):
            return cls()
        return cls(element, component, terminator)


def segments(data: bytes, layout: Layout) -> list[bytes]:
    """The file cut after every terminator (each piece keeps its terminator and what follows it)."""
    parts = data.split(layout.terminator)
    pieces = [part + layout.terminator for part in parts[:-1]]
    if parts[-1]:
        pieces.append(parts[-1])
    return pieces


def _pick_segment(pieces: list[bytes], rng: random.Random, ids: tuple[bytes, ...] = ()) -> int:
    wanted = [i for i, piece in enumerate(pieces) if piece.lstrip(b"\r\n \t").startswith(ids)] if ids else []
    return rng.choice(wanted) if wanted else rng.randrange(len(pieces))


# -- bytes ------------------------------------------------------------------------------------


def flip_bits(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if out:
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def insert_random(data: bytes, rng: random.Random) -> bytes:
    at = rng.randint(0, len(data))
    junk = bytes(rng.choice(PUNCTUATION + b"ISAGSTCLMHV0123456789 ") for _ in range(rng.randint(1, 12)))
    return data[:at] + junk + data[at:]


def truncate(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    cut = rng.randrange(len(data)) if rng.random() < 0.5 else len(data) - rng.randint(1, min(len(data), 60))
    return data[:cut]


def control_byte(data: bytes, rng: random.Random) -> bytes | Outcome:
    payload = rng.choice(CONTROL_BYTES)
    mutated = _into_element(data, rng, payload)
    return mutated if payload in b"\r\n" else Outcome(mutated, REJECT)  # a line break may end up beside a terminator


def non_ascii(data: bytes, rng: random.Random) -> Outcome:
    return Outcome(_into_element(data, rng, rng.choice(NON_ASCII)), REJECT)


def _into_element(data: bytes, rng: random.Random, payload: bytes) -> bytes:
    """Put ``payload`` inside an element of a data segment (after an element separator)."""
    layout = Layout.of(data)
    pieces = segments(data, layout)
    if len(pieces) < 2:
        return data + payload
    index = _pick_segment(pieces[1:], rng, (b"NM1", b"CLM", b"SV1", b"HI", b"N3", b"DTP")) + 1
    piece = pieces[index]
    seps = [i for i in range(len(piece)) if piece[i : i + 1] == layout.element]
    at = (rng.choice(seps) + 1 + rng.randint(0, 2)) if seps else rng.randrange(len(piece) + 1)
    at = min(at, max(len(piece) - len(layout.terminator), 0))
    pieces[index] = piece[:at] + payload + piece[at:]
    return b"".join(pieces)


def odd_digit(data: bytes, rng: random.Random) -> Outcome:
    """A digit turned into a Latin-1 superscript or fraction: str.isdigit() says yes, int() says no."""
    layout = Layout.of(data)
    pieces = segments(data, layout)
    spots = [
        (i, j)
        for i, piece in enumerate(pieces[1:], start=1)
        if piece.lstrip()[:3]
        in (b"LX" + layout.element, b"HL" + layout.element, b"SV1", b"SE" + layout.element, b"NM1", b"DTP", b"CLM")
        for j in range(4, len(piece))
        if 0x30 <= piece[j] <= 0x39
    ]
    if not spots:
        return Outcome(data, "")
    i, j = rng.choice(spots)
    piece = pieces[i]
    pieces[i] = piece[:j] + rng.choice((b"\xb2", b"\xb3", b"\xb9", b"\xbc")) + piece[j + 1 :]
    return Outcome(b"".join(pieces), REJECT)


def bom(data: bytes, rng: random.Random) -> bytes | Outcome:
    choice = rng.random()
    if choice < 0.6:
        return Outcome(BOM + data, REJECT)
    if choice < 0.8:
        return Outcome(b"\xff\xfe" + data, REJECT)  # a UTF-16 LE byte order mark
    second = data.find(b"ISA", 1)
    at = second if second > 0 else len(data)
    return data[:at] + BOM + data[at:]


# -- segments ---------------------------------------------------------------------------------


def drop_segment(data: bytes, rng: random.Random) -> bytes:
    pieces = segments(data, Layout.of(data))
    if pieces:
        del pieces[rng.randrange(len(pieces))]
    return b"".join(pieces)


def duplicate_segment(data: bytes, rng: random.Random) -> bytes:
    pieces = segments(data, Layout.of(data))
    if pieces:
        index = rng.randrange(len(pieces))
        pieces.insert(index, pieces[index])
    return b"".join(pieces)


def swap_segments(data: bytes, rng: random.Random) -> bytes:
    pieces = segments(data, Layout.of(data))
    if len(pieces) > 1:
        i = rng.randrange(len(pieces) - 1)
        j = i + 1 if rng.random() < 0.6 else rng.randrange(len(pieces))
        pieces[i], pieces[j] = pieces[j], pieces[i]
    return b"".join(pieces)


def strip_head(data: bytes, rng: random.Random) -> bytes:
    """Lose the first segments: the file now starts mid-envelope (often with a patient's NM1)."""
    pieces = segments(data, Layout.of(data))
    names = [i for i, piece in enumerate(pieces) if piece.lstrip().startswith((b"NM1", b"DMG"))]
    start = rng.choice(names) if names and rng.random() < 0.7 else rng.randrange(max(len(pieces), 1))
    return b"".join(pieces[start:])


def empty_segment(data: bytes, rng: random.Random) -> bytes:
    layout = Layout.of(data)
    pieces = segments(data, layout)
    if pieces:
        pieces.insert(rng.randrange(len(pieces) + 1), layout.terminator)
    return b"".join(pieces)


def stray_trailer(data: bytes, rng: random.Random) -> bytes | Outcome:
    if rng.random() < 0.2:  # padding or a note: not a segment
        return data + rng.choice((b"\x1a", b"\x00" * 16, b"Thanks, billing office\n", b"   \n"))
    return Outcome(data + rng.choice(STRAY_TRAILERS), REJECT)


# -- delimiters and layout ----------------------------------------------------------------------


def change_delimiters(data: bytes, rng: random.Random) -> bytes | Outcome:
    layout = Layout.of(data)
    start = data.find(b"ISA")
    choice = rng.randrange(5)
    if choice == 0:  # one separator replaced by another character
        spots = [i for i in range(len(data)) if data[i : i + 1] == layout.element]
        if spots:
            at = rng.choice(spots)
            return data[:at] + bytes([rng.choice(PUNCTUATION)]) + data[at + 1 :]
        return data
    if choice == 1 and start >= 0 and len(data) > start + 3:  # the ISA declares another element separator
        return data[: start + 3] + bytes([rng.choice(b"|!+^")]) + data[start + 4 :]
    if choice == 2:  # consistent switch of the element separator (a valid file)
        new = rng.choice((b"|", b"!", b"\x1d"))
        return Outcome(data.replace(layout.element, new), SAME_CLAIMS) if new not in data else data
    if choice == 3:  # consistent switch of the terminator
        new = rng.choice((b"'", b"\x1c", b"!"))
        return Outcome(data.replace(layout.terminator, new), SAME_CLAIMS) if new not in data else data
    if start >= 0 and len(data) > start + 105:  # ISA16 component separator changed
        return data[: start + 104] + bytes([rng.choice(b">^*~")]) + data[start + 105 :]
    return data


def line_breaks(data: bytes, rng: random.Random) -> Outcome:
    layout = Layout.of(data)
    term = layout.terminator
    clean = data.replace(term + b"\r\n", term).replace(term + b"\n", term)
    brk = rng.choice((b"\r\n", b"\n", b"\r", b"\n\n", b""))
    return Outcome(clean.replace(term, term + brk), SAME_CLAIMS)


def indent(data: bytes, rng: random.Random) -> Outcome:
    """Pretty-print: every segment on its own line, indented by spaces or tabs."""
    layout = Layout.of(data)
    pieces = segments(data, layout)
    unit = rng.choice((b"  ", b"    ", b"\t", b" \t"))
    out = []
    for index, piece in enumerate(pieces):
        body = piece.lstrip(b"\r\n")
        depth = 0 if index == 0 and rng.random() < 0.8 else rng.randint(1, 3)
        out.append(unit * depth + body + (b"" if body.endswith(b"\n") else b"\n"))
    return Outcome(b"".join(out), SAME_CLAIMS)


def repeat_isa(data: bytes, rng: random.Random) -> bytes:
    layout = Layout.of(data)
    pieces = segments(data, layout)
    if not pieces:
        return data
    isa = pieces[0]
    choice = rng.random()
    if choice < 0.4:  # a second ISA somewhere inside the interchange
        pieces.insert(rng.randrange(1, len(pieces) + 1), isa)
        return b"".join(pieces)
    if choice < 0.7:  # the whole interchange twice
        return data + data
    return isa + data  # an ISA right before the ISA


def broken_composite(data: bytes, rng: random.Random) -> bytes:
    layout = Layout.of(data)
    pieces = segments(data, layout)
    if not pieces:
        return data
    index = _pick_segment(pieces, rng, (b"SV1", b"HI", b"CLM"))
    piece = pieces[index]
    choice = rng.randrange(4)
    comp = layout.component
    if choice == 0:
        piece = piece.replace(comp, b"", 1)
    elif choice == 1:
        piece = piece.replace(comp, comp * rng.randint(2, 6), 1)
    elif choice == 2:
        piece = piece.replace(comp, layout.element, 1)
    else:
        cut = piece.find(layout.element)
        piece = piece[: cut + 1] + comp * rng.randint(1, 12) + piece[cut + 1 :] if cut >= 0 else piece
    pieces[index] = piece
    return b"".join(pieces)


def huge_number(data: bytes, rng: random.Random) -> bytes:
    """An amount or quantity (CLM02, SV102, SV104) replaced by a number no parser should trust."""
    layout = Layout.of(data)
    pieces = segments(data, layout)
    targets = {b"CLM": (2,), b"SV1": (2, 4)}
    spots = [i for i, piece in enumerate(pieces) if piece.lstrip(b"\r\n \t")[:3] in targets]
    if not spots:
        return data
    index = rng.choice(spots)
    piece = pieces[index]
    lead = len(piece) - len(piece.lstrip(b"\r\n \t"))
    body = piece[lead:]
    has_term = body.endswith(layout.terminator)
    elements = (body[: -len(layout.terminator)] if has_term else body).split(layout.element)
    position = rng.choice(targets[elements[0][:3]])
    if position < len(elements):
        elements[position] = rng.choice(NUMBERS)
    pieces[index] = piece[:lead] + layout.element.join(elements) + (layout.terminator if has_term else b"")
    return b"".join(pieces)


def isa_field(data: bytes, rng: random.Random) -> bytes | Outcome:
    """Break the ISA's fixed layout: an element a character short or long, ISA12 '501', letters in ISA13."""
    layout = Layout.of(data)
    start = data.find(b"ISA")
    end = data.find(layout.terminator, start)
    if start < 0 or end < 0:
        return data
    fields = data[start:end].split(layout.element)
    if len(fields) < 17:
        return data
    choice = rng.randrange(4)
    if choice == 0:
        position = rng.randrange(1, 17)
        fields[position] = fields[position][:-1] if len(fields[position]) > 1 else fields[position] + b" "
    elif choice == 1:
        position = rng.randrange(1, 17)
        fields[position] = fields[position] + b" "
    elif choice == 2:
        fields[12] = rng.choice((b"501", b"0501", b"005010", b"0050A"))
    else:
        fields[rng.choice((9, 10, 13, 14, 15))] = rng.choice((b"ABCDEFGHI", b"X", b"2026-1", b"9"))
    return Outcome(data[:start] + layout.element.join(fields) + data[end:], REJECT)


MUTATIONS: dict[str, Mutation] = {
    "flip": flip_bits,
    "insert": insert_random,
    "truncate": truncate,
    "control": control_byte,
    "non-ascii": non_ascii,
    "odd-digit": odd_digit,
    "bom": bom,
    "drop": drop_segment,
    "dup": duplicate_segment,
    "swap": swap_segments,
    "strip-head": strip_head,
    "empty-segment": empty_segment,
    "stray-trailer": stray_trailer,
    "delimiters": change_delimiters,
    "line-breaks": line_breaks,
    "indent": indent,
    "repeat-isa": repeat_isa,
    "composite": broken_composite,
    "number": huge_number,
    "isa": isa_field,
}


def mutate(data: bytes, rng: random.Random) -> tuple[bytes, list[str], str]:
    """One mutant: one to three mutations in a row, their names, and the expectation ('' for none)."""
    names = [rng.choice(list(MUTATIONS)) for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))]
    expect = ""
    for name in names:
        result = MUTATIONS[name](data, rng)
        data, expect = (result.data, result.expect) if isinstance(result, Outcome) else (result, "")
    return data, names, expect if len(names) == 1 else ""
