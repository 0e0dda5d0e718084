"""Structural mutants of 837P files, deterministic by seed, for differential tests of the TR3 check.

Sources are the 16 TR3 examples in ``fixtures/tr3`` and a few generated files
(:mod:`scrubber.synthetic`). Mutant ``i`` of seed ``s`` takes its source, its kind (kinds in turn)
and its details from ``random.Random(f"{s}:{i}")``, so any mutant can be rebuilt alone from
``(seed, i)``. A mutant is one change of one kind; the ISA keeps its length (every other segment
may change), so both checks read the same delimiters.
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from scrubber.synthetic import random_claims, render_837
from scrubber.x12.reader import SegmentReader
from scrubber.x12.segment import Delimiters

ROOT = Path(__file__).resolve().parent.parent
TR3_DIR = ROOT / "fixtures" / "tr3"
ENVELOPE = ("ISA", "IEA", "GS", "GE", "ST", "SE")
KINDS = (
    "drop_segment",
    "repeat_segment",
    "swap_segments",
    "move_segment",
    "empty_element",
    "too_long",
    "wrong_type",
    "invalid_code",
    "bad_date_time",
    "broken_composite",
    "envelope_count",
    "control_number",
    "hl_parent",
)


@dataclass(frozen=True)
class Source:
    name: str
    delimiters: Delimiters
    segments: tuple[tuple[str, ...], ...]  # elements[0] is the id


@dataclass(frozen=True)
class Mutant:
    seed: int
    number: int
    kind: str
    source: str
    detail: str  # what was changed, for reports
    data: bytes


@cache
def sources() -> tuple[Source, ...]:
    """The TR3 examples and four generated files (one, two and several transactions, two ISAs)."""
    found = [_parse(path.name, path.read_bytes()) for path in sorted(TR3_DIR.glob("*.edi"))]
    shapes = [(3, 1, 20, 1), (5, 2, 20, 2), (8, 3, 2, 3), (6, 50, 20, 4)]
    for claims, per_transaction, per_interchange, seed in shapes:
        text = render_837(
            list(random_claims(claims, seed=seed, faulty_share=0.0)),
            claims_per_transaction=per_transaction,
            transactions_per_interchange=per_interchange,
        )
        found.append(_parse(f"synthetic-{claims}-{per_transaction}-{per_interchange}", text.encode()))
    return tuple(found)


def _parse(name: str, data: bytes) -> Source:
    segments = list(SegmentReader(io.BytesIO(data)))
    return Source(name, segments[0].delimiters, tuple(tuple(s.elements) for s in segments))


def render(source: Source, segments: list[list[str]]) -> bytes:
    d = source.delimiters
    return "".join(d.element.join(elements) + d.segment + "\n" for elements in segments).encode("latin-1")


def mutants(count: int, seed: int, start: int = 0) -> Iterator[Mutant]:
    for number in range(start, start + count):
        yield mutant(seed, number)


def mutant(seed: int, number: int) -> Mutant:
    rng = random.Random(f"{seed}:{number}")
    kind = KINDS[number % len(KINDS)]
    source = rng.choice(sources())
    segments = [list(elements) for elements in source.segments]
    detail = _MUTATORS[kind](rng, segments, source.delimiters)
    return Mutant(seed, number, kind, source.name, detail, render(source, segments))


# -- the mutations ------------------------------------------------------------------------------


def _body(segments: list[list[str]], allow_envelope: bool = False) -> list[int]:
    """Positions a mutation may touch (never the ISA)."""
    return [i for i, s in enumerate(segments) if s[0] != "ISA" and (allow_envelope or s[0] not in ENVELOPE)]


def _drop(rng: random.Random, segments: list[list[str]], d: Delimiters) -> str:
    at = rng.choice(_body(segments, allow_envelope=rng.random() < 0.15))
    gone = segments.pop(at)
    return f"dropped {gone[0]} at {at + 1}"


def _repeat(rng: random.Random, segments: list[list[str]], d: Delimiters) -> str:
    at = rng.choice(_body(segments))
    segments.insert(at + 1, list(segments[at]))
    return f"repeated {segments[at][0]} at {at + 1}"


def _swap(rng: random.Random, segments: list[list[str]], d: Delimiters) -> str:
    body = _body(segments)
    at = rng.choice(body[:-1])
    segments[at], segments[at + 1] = segments[at + 1], segments[at]
    return f"swapped {segments[at + 1][0]} and {segments[at][0]} at {at + 1}"


def _move(rng: random.Random, segments: list[list[str]], d: Delimiters) -> str:
    body = _body(segments)
    at = rng.choice(body)
    moved = segments.pop(at)
    to = rng.choice(_body(segments))
    segments.insert(to, moved)
    return f"moved {moved[0]} from {at + 1} to {to + 1}"


def _element(rng: random.Random, segments: list[list[str]], want: object = None) -> tuple[list[str], int] | None:
    """A (segment, element position) with a value, optionally one that ``want(value)`` accepts."""
    choices = [
        (s, p)
        for i in _body(segments)
        for s in [segments[i]]
        for p in range(1, len(s))
        if s[p] and (want is None or want(s[p]))  # type: ignore[operator]
    ]
    return rng.choice(choices) if choices else None


def _empty(rng: random.Random, segments: list[list[str]], d: Delimiters) -> str:
    picked = _element(rng, segments)
    assert picked is not None
    segment, position = picked
    segment[position] = ""
    while len(segment) > 2 and not segment[-1] and rng.random() < 0.7:
        segment.pop()  # most writers drop trailing empty elements; some leave the separators
    return f"emptied {segment[0]}{position:02d}"


def _too_long(rng: random.Random, segments: list[list[str]], d: Delimiters) -> str:
    picked = _element(rng, segments, lambda v: d.component not in v)
    assert picked is not None
    segment, position = picked
    value = segment[position]
    filler = "9" if value.replace(".", "").isdigit() else "X"
    segment[position] = value + filler * rng.choice((1, 5, 40, 90))
    return f"lengthened {segment[0]}{position:02d}"


def _wrong_type(rng: random.Random, segments: list[list[str]], d: Delimiters) -> str:
    picked = _element(rng, segments, lambda v: v.replace(".", "").replace("-", "").isdigit())
    assert picked is not None
    segment, position = picked
    value = segment[position]
    spoiled = rng.choice(("O", "A", "1O", "$", "one", "1,5", "1.2.3"))
    cut = rng.randrange(len(value) + 1)
    segment[position] = value[:cut] + spoiled + value[cut + 1 :]
    return f"typed {segment[0]}{position:02d}"


def _invalid_code(rng: random.Random, segments: list[list[str]], d: Delimiters) -> str:
    def code_like(value: str) -> bool:
        return (len(value) <= 3 and value.isalnum()) or d.component in value

    picked = _element(rng, segments, code_like)
    assert picked is not None
    segment, position = picked
    value = segment[position]
    bad = rng.choice(("ZZ", "Q9", "XX", "0", "999", "A"))
    if d.component in value:
        parts = value.split(d.component)
        parts[0] = bad
        segment[position] = d.component.join(parts)
    else:
        segment[position] = bad
    return f"recoded {segment[0]}{position:02d}"


def _bad_date_time(rng: random.Random, segments: list[list[str]], d: Delimiters) -> str:
    def dated(value: str) -> bool:
        return (value.isdigit() and len(value) in (4, 8)) or (len(value) == 17 and value[8] == "-")

    picked = _element(rng, segments, dated)
    assert picked is not None
    segment, position = picked
    value = segment[position]
    if len(value) == 4:
        segment[position] = rng.choice(("2460", "1275", "12", "9999", "12a0"))
    elif len(value) == 8:
        segment[position] = rng.choice(("20261301", "20260230", "20250431", "17991231", "2026010", "2026-01-01"))
    else:
        segment[position] = rng.choice(("20260101-20261301", "20260101", "20260101-2026"))
    return f"dated {segment[0]}{position:02d}"


def _broken_composite(rng: random.Random, segments: list[list[str]], d: Delimiters) -> str:
    c = d.component
    choice = rng.random()
    if choice < 0.6:
        picked = _element(rng, segments, lambda v: c in v)
        assert picked is not None
        segment, position = picked
        parts = segment[position].split(c)
        how = rng.choice(("drop_first", "empty_first", "drop_last", "empty_all", "extra"))
        if how == "drop_first":
            parts = parts[1:]
        elif how == "empty_first":
            parts[0] = ""
        elif how == "drop_last" and len(parts) > 1:
            parts = parts[:-1]
        elif how == "empty_all":
            parts = [""] * len(parts)
        else:
            parts.append("X")
        segment[position] = c.join(parts)
        return f"composite {segment[0]}{position:02d} {how}"
    picked = _element(rng, segments, lambda v: c not in v)
    assert picked is not None
    segment, position = picked
    segment[position] = segment[position] + c + rng.choice(("", "X"))
    return f"component separator in {segment[0]}{position:02d}"


def _envelope_count(rng: random.Random, segments: list[list[str]], d: Delimiters) -> str:
    trailers = [s for s in segments if s[0] in ("SE", "GE", "IEA")]
    segment = rng.choice(trailers)
    if rng.random() < 0.1:
        segment[1] = rng.choice(("X", "", "1.0"))  # not a number: pyx12 4.0 fails on it in a GE
    else:
        segment[1] = rng.choice((str(int(segment[1]) + rng.choice((1, -1, 7))), "0"))
    return f"count {segment[0]}01 = {segment[1]}"


def _control_number(rng: random.Random, segments: list[list[str]], d: Delimiters) -> str:
    where = {"ST": 2, "SE": 2, "GS": 6, "GE": 2, "IEA": 2, "ISA": 13}
    candidates = [s for s in segments if s[0] in where]
    segment = rng.choice(candidates)
    position = where[segment[0]]
    value = segment[position]
    if segment[0] == "ISA":
        segment[position] = str((int(value) + 1) % 10**9).rjust(len(value), "0") if value.isdigit() else value
        return "ISA13 changed"
    others = [s[position] for s in candidates if s[0] == segment[0] and s is not segment]
    if others and rng.random() < 0.5:
        segment[position] = rng.choice(others)  # a number used elsewhere: a duplicate or a mismatch
    else:
        segment[position] = value + "1" if rng.random() < 0.5 else value[:-1] or "0"
    return f"control {segment[0]}{position:02d} = {segment[position]}"


def _hl_parent(rng: random.Random, segments: list[list[str]], d: Delimiters) -> str:
    hls = [s for s in segments if s[0] == "HL"]
    segment = rng.choice(hls)
    how = rng.choice(("parent", "parent", "number", "blank_parent"))
    if how == "parent" or len(segment) < 3:
        segment[2] = rng.choice(("99", "0", str(rng.randint(1, 9)), segment[1]))
    elif how == "number":
        segment[1] = str(rng.randint(1, 12))
    else:
        segment[2] = ""
    return f"HL {how}: {d.element.join(segment)}"


_MUTATORS = {
    "drop_segment": _drop,
    "repeat_segment": _repeat,
    "swap_segments": _swap,
    "move_segment": _move,
    "empty_element": _empty,
    "too_long": _too_long,
    "wrong_type": _wrong_type,
    "invalid_code": _invalid_code,
    "bad_date_time": _bad_date_time,
    "broken_composite": _broken_composite,
    "envelope_count": _envelope_count,
    "control_number": _control_number,
    "hl_parent": _hl_parent,
}
