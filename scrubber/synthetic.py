"""Synthetic 837P files: made-up claims for tests, demos and the benchmark.

Every name, id and date here is invented. The files follow the 005010X222A1 layout (billing
provider, subscriber, optional patient, claim, lines) so that both scrubber and pyx12 read them,
and they stream to disk, so a 1 GB file costs no more memory than a small one.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TextIO

from scrubber.x12.segment import Delimiters

DEFAULT_DELIMITERS = Delimiters(element="*", component=":", repetition="^", segment="~")


def luhn_npi(base9: str) -> str:
    """A valid 10-digit NPI for a 9-digit base (Luhn check digit over the 80840 prefix)."""
    digits = "80840" + base9
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = int(char)
        if i % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return base9 + str((10 - total % 10) % 10)


BILLING_NPI = luhn_npi("123456789")
RENDERING_NPI = luhn_npi("198765432")


@dataclass
class LineSpec:
    procedure: str = "99213"
    modifiers: Sequence[str] = ()
    charge: str = "100.00"
    units: str = "1"
    pointers: Sequence[int | str] = (1,)
    service_date: dt.date | None = None  # defaults to the claim's date of service
    qualifier: str = "HC"
    unit_basis: str = "UN"
    rendering_npi: str | None = None


@dataclass
class ClaimSpec:
    claim_id: str = "CLAIM1"
    diagnoses: Sequence[str] = ("R05.9",)
    lines: Sequence[LineSpec] = field(default_factory=lambda: [LineSpec()])
    total: str | None = None  # defaults to the sum of the line charges
    service_date: dt.date = dt.date(2026, 3, 2)
    birth_date: dt.date | None = dt.date(1970, 5, 1)
    sex: str = "F"
    subscriber_is_patient: bool = True
    payer_id: str = "PAYER01"
    billing_npi: str = BILLING_NPI
    rendering_npi: str | None = None
    icd9: bool = False
    place_of_service: str = "11"
    frequency: str = "1"


def _code(dx: str) -> str:
    return dx.replace(".", "")


def claim_segments(spec: ClaimSpec, d: Delimiters) -> Iterator[str]:
    """The 2300 and 2400 segments of one claim (CLM through its last line)."""
    e, c = d.element, d.component
    total = spec.total
    if total is None:
        total = str(sum((Decimal(line.charge) for line in spec.lines), Decimal("0")))
    yield e.join(
        ["CLM", spec.claim_id, total, "", "", c.join([spec.place_of_service, "B", spec.frequency]), "Y", "A", "Y", "Y"]
    )
    if spec.diagnoses:
        principal, other = ("BK", "BF") if spec.icd9 else ("ABK", "ABF")
        codes = [f"{principal if i == 0 else other}{c}{_code(dx)}" for i, dx in enumerate(spec.diagnoses)]
        yield e.join(["HI", *codes])
    if spec.rendering_npi:
        yield e.join(["NM1", "82", "1", "DOE", "JANE", "", "", "", "XX", spec.rendering_npi])
    for number, line in enumerate(spec.lines, start=1):
        day = line.service_date or spec.service_date
        sv101 = c.join([line.qualifier, line.procedure, *line.modifiers])
        pointers = c.join(str(p) for p in line.pointers)
        yield e.join(["LX", str(number)])
        yield e.join(["SV1", sv101, line.charge, line.unit_basis, line.units, "", "", pointers])
        yield e.join(["DTP", "472", "D8", day.strftime("%Y%m%d")])
        if line.rendering_npi:
            yield e.join(["NM1", "82", "1", "ROE", "RICHARD", "", "", "", "XX", line.rendering_npi])


def _hierarchy(spec: ClaimSpec, d: Delimiters, hl: int) -> tuple[list[str], int]:
    """HL 22 (and 23) segments for one claim's subscriber and patient; returns the next HL number."""
    e = d.element
    birth = spec.birth_date.strftime("%Y%m%d") if spec.birth_date else ""
    subscriber_hl = hl
    segments = [
        e.join(["HL", str(hl), "1", "22", "0" if spec.subscriber_is_patient else "1"]),
        e.join(["SBR", "P", "18" if spec.subscriber_is_patient else "", "GRP01", "", "", "", "", "", "CI"]),
        e.join(["NM1", "IL", "1", "PUBLIC", "JOHN", "Q", "", "", "MI", f"MBR{hl:08d}"]),
        e.join(["N3", "1 MAIN ST"]),
        e.join(["N4", "ANYTOWN", "PA", "17000"]),
    ]
    if spec.subscriber_is_patient:
        segments.append(e.join(["DMG", "D8", birth, spec.sex]))
    else:
        segments.append(e.join(["DMG", "D8", "19600101", "M"]))
    segments.append(e.join(["NM1", "PR", "2", "PAYER NAME", "", "", "", "", "PI", spec.payer_id]))
    hl += 1
    if not spec.subscriber_is_patient:
        segments += [
            e.join(["HL", str(hl), str(subscriber_hl), "23", "0"]),
            e.join(["PAT", "19"]),
            e.join(["NM1", "QC", "1", "PUBLIC", "JANIE"]),
            e.join(["N3", "1 MAIN ST"]),
            e.join(["N4", "ANYTOWN", "PA", "17000"]),
            e.join(["DMG", "D8", birth, spec.sex]),
        ]
        hl += 1
    return segments, hl


def transaction_segments(claims: Iterable[ClaimSpec], st02: str, d: Delimiters, version: str) -> Iterator[str]:
    """One ST..SE transaction holding ``claims`` under one billing provider."""
    e = d.element
    body: list[str] = []
    claims = list(claims)
    billing_npi = claims[0].billing_npi if claims else BILLING_NPI
    body += [
        e.join(["ST", "837", st02, version]),
        e.join(["BHT", "0019", "00", f"B{st02}", "20260401", "1200", "CH"]),
        e.join(["NM1", "41", "2", "SUBMITTER CO", "", "", "", "", "46", "SUBM01"]),
        e.join(["PER", "IC", "CONTACT", "TE", "5555550100"]),
        e.join(["NM1", "40", "2", "RECEIVER CO", "", "", "", "", "46", "RECV01"]),
        e.join(["HL", "1", "", "20", "1"]),
        e.join(["NM1", "85", "2", "BILLING CLINIC", "", "", "", "", "XX", billing_npi]),
        e.join(["N3", "100 CLINIC RD"]),
        e.join(["N4", "ANYTOWN", "PA", "17000"]),
        e.join(["REF", "EI", "123456789"]),
    ]
    hl = 2
    for spec in claims:
        segments, hl = _hierarchy(spec, d, hl)
        body += segments
        body += claim_segments(spec, d)
    body.append(e.join(["SE", str(len(body) + 1), st02]))
    return iter(body)


def isa_segment(d: Delimiters, isa13: str, date: str = "260401", time: str = "1200") -> str:
    e = d.element
    return e.join(
        [
            "ISA",
            "00",
            " " * 10,
            "00",
            " " * 10,
            "ZZ",
            "SUBMITTER01".ljust(15),
            "ZZ",
            "RECEIVER01".ljust(15),
            date,
            time,
            d.repetition,
            "00501",
            isa13.rjust(9, "0"),
            "0",
            "T",
            d.component,
        ]
    )


def render_837(claims: Sequence[ClaimSpec], **options: Any) -> str:
    """An 837P file holding ``claims``, split into transactions and interchanges (see iter_837)."""
    return "".join(iter_837(claims, **options))


def iter_837(
    claims: Iterable[ClaimSpec],
    *,
    claims_per_transaction: int = 50,
    transactions_per_interchange: int = 20,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
    line_break: str = "\n",
    version: str = "005010X222A1",
    first_isa13: int = 1,
) -> Iterator[str]:
    """Text chunks of an 837P file, produced lazily (claims may be a generator)."""
    d, e, t = delimiters, delimiters.element, delimiters.segment + line_break
    isa13 = first_isa13
    claim_iter = iter(claims)
    batch = _take(claim_iter, claims_per_transaction)
    while batch:
        isa_id = f"{isa13:09d}"
        yield isa_segment(d, isa_id) + t
        yield e.join(["GS", "HC", "SUBMITTER01", "RECEIVER01", "20260401", "1200", str(isa13), "X", version]) + t
        transactions = 0
        while batch and transactions < transactions_per_interchange:
            transactions += 1
            st02 = f"{transactions:04d}"
            yield t.join(transaction_segments(batch, st02, d, version)) + t
            batch = _take(claim_iter, claims_per_transaction)
        yield e.join(["GE", str(transactions), str(isa13)]) + t
        yield e.join(["IEA", "1", isa_id]) + t
        isa13 += 1


def _take(iterator: Iterator[ClaimSpec], count: int) -> list[ClaimSpec]:
    batch = []
    for spec in iterator:
        batch.append(spec)
        if len(batch) == count:
            break
    return batch


# -- random realistic claims -------------------------------------------------------------------

# Billable FY2025/FY2026 ICD-10-CM codes common in office claims, and office procedure codes
# (bare code numbers only: no CPT descriptions are shipped).
COMMON_DIAGNOSES = (
    "I10",
    "E11.9",
    "E78.5",
    "J06.9",
    "R05.9",
    "M54.50",
    "Z00.00",
    "Z23",
    "K21.9",
    "F41.1",
    "J45.909",
    "N39.0",
    "R10.9",
    "M25.561",
    "E66.9",
    "G43.909",
    "R51.9",
    "L30.9",
    "H10.9",
    "B34.9",
)
COMMON_PROCEDURES = ("99213", "99214", "99203", "85025", "80053", "36415", "93000", "81002", "90471", "J1100")


def random_claims(count: int, seed: int = 0, *, faulty_share: float = 0.1) -> Iterator[ClaimSpec]:
    """``count`` varied claims: 2 to 6 diagnoses, 1 to 4 lines; a share carries deliberate errors."""
    rng = random.Random(seed)
    for number in range(1, count + 1):
        dx = rng.sample(COMMON_DIAGNOSES, rng.randint(2, 6))
        day = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(240))
        lines = [
            LineSpec(
                procedure=rng.choice(COMMON_PROCEDURES),
                charge=f"{rng.randint(20, 400)}.{rng.randint(0, 99):02d}",
                units=str(rng.randint(1, 3)),
                pointers=sorted(rng.sample(range(1, len(dx) + 1), rng.randint(1, min(4, len(dx))))),
            )
            for _ in range(rng.randint(1, 4))
        ]
        spec = ClaimSpec(
            claim_id=f"PCN{number:09d}",
            diagnoses=dx,
            lines=lines,
            service_date=day,
            birth_date=dt.date(rng.randint(1940, 2015), rng.randint(1, 12), rng.randint(1, 28)),
            sex=rng.choice("FM"),
            subscriber_is_patient=rng.random() < 0.7,
            payer_id=rng.choice(("PAYER01", "PAYER02", "60054")),
        )
        if rng.random() < faulty_share:
            _spoil(spec, rng)
        yield spec


def _spoil(spec: ClaimSpec, rng: random.Random) -> None:
    """Give a claim one error a scrubber should catch."""
    fault = rng.randrange(3)
    if fault == 0:
        spec.total = "1.00"  # CLM02 does not match the lines
    elif fault == 1:
        spec.lines[0].pointers = [9]  # points past the diagnoses
    else:
        spec.diagnoses = [*spec.diagnoses[:-1], "M62.8"]  # header code, not billable


def write_837(out: TextIO, claims: Iterable[ClaimSpec], **options: object) -> None:
    """Stream an 837P file to ``out``."""
    for chunk in iter_837(claims, **options):  # type: ignore[arg-type]
        out.write(chunk)
