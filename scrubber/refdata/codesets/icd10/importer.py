"""``scrubber codes import``: turns the yearly CDC files into a data file in the user data dir.

Accepted inputs: the tabular XML (``icd10cm_tabular_YYYY.xml``), the order file
(``icd10cm_order_YYYY.txt``), or the CDC/CMS zip files holding them. The order file is the
authority for which codes exist and which are billable (seventh-character codes included); the
tabular adds the notes. The MCE age and sex edits are not in the CDC files, so they are carried
over from the newest installed year (new codes take their family's), and the caveat says so.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from scrubber.errors import SetupError
from scrubber.refdata.codesets.icd10.codes import normalize
from scrubber.refdata.codesets.icd10.codeset import CodeSet
from scrubber.refdata.codesets.icd10.compile import CodeListEntry, compile_year, write_data
from scrubber.refdata.codesets.icd10.flags import CodeFlag
from scrubber.refdata.codesets.icd10.orderfile import OrderFileError, read_order_file
from scrubber.refdata.codesets.icd10.tabular import Tabular, read_tabular

_YEAR = re.compile(r"(20\d\d)")
_CARRIED = CodeFlag.NEWBORN | CodeFlag.PEDIATRIC | CodeFlag.MATERNITY | CodeFlag.ADULT | CodeFlag.MALE | CodeFlag.FEMALE


class CodeImportError(SetupError):
    """The files cannot be imported; the message says which and why."""


@dataclass(slots=True)
class YearFiles:
    tabular: Tabular | None = None
    order: list[CodeListEntry] = field(default_factory=list)
    names: list[str] = field(default_factory=list)


def _year_of(name: str, tabular: Tabular | None = None) -> int | None:
    if tabular is not None and tabular.version.isascii() and tabular.version.isdigit():
        return int(tabular.version)
    match = _YEAR.search(name)
    return int(match.group(1)) if match else None


def _read_member(name: str, raw: bytes, found: dict[int, YearFiles], year: int | None) -> None:
    lower = name.lower()
    if lower.endswith(".xml") and "tabular" in lower:
        tabular = read_tabular(io.BytesIO(raw))
        key = year or _year_of(name, tabular)
        if key is None:
            raise CodeImportError(f"{name}: cannot tell the fiscal year; pass --year")
        found.setdefault(key, YearFiles()).tabular = tabular
    elif lower.endswith(".txt") and "order" in lower:
        key = year or _year_of(name)
        if key is None:
            raise CodeImportError(f"{name}: cannot tell the fiscal year; pass --year")
        try:
            entries = [
                CodeListEntry(normalize(e.code), e.billable, e.long)
                for e in read_order_file(raw.decode("utf-8", errors="replace").splitlines())
            ]
        except OrderFileError as exc:
            raise CodeImportError(f"{name}: {exc}") from exc
        found.setdefault(key, YearFiles()).order = entries
    else:
        return
    found[key].names.append(Path(name).name)


def collect(paths: Iterable[Path], year: int | None = None) -> dict[int, YearFiles]:
    """Group the given files (or zip members) by fiscal year."""
    found: dict[int, YearFiles] = {}
    for path in paths:
        if not path.is_file():
            raise CodeImportError(f"{path}: no such file")
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                for member in zf.namelist():
                    _read_member(member, zf.read(member), found, year)
        else:
            _read_member(path.name, path.read_bytes(), found, year)
    if not found:
        raise CodeImportError("no tabular XML (icd10cm_tabular_YYYY.xml) or order file (icd10cm_order_YYYY.txt) given")
    return found


def _codes_from_tabular(tabular: Tabular) -> list[CodeListEntry]:
    """Without an order file: tabular codes plus seventh-character codes built from their tables."""
    entries = [CodeListEntry(n.key) for n in tabular.codes()]
    parents = {n.parent for n in tabular.codes()}
    for node in tabular.codes():
        if node.key in parents:
            continue
        table, key = node.seventh, node.key
        while not table and key in tabular.nodes and tabular.nodes[key].parent:
            key = tabular.nodes[key].parent or ""
            table = tabular.nodes[key].seventh if key in tabular.nodes else {}
        if table:
            stem = node.key.ljust(6, "X")
            entries.extend(CodeListEntry(stem + char) for char in table)
    return entries


def _carried_edits(codes: list[CodeListEntry], previous: CodeSet | None) -> dict[str, frozenset[str]]:
    """Age and sex edits of the previous year, by code or nearest ancestor."""
    if previous is None:
        return {}
    names = {
        CodeFlag.NEWBORN: "newborn",
        CodeFlag.PEDIATRIC: "pediatric",
        CodeFlag.MATERNITY: "maternity",
        CodeFlag.ADULT: "adult",
        CodeFlag.MALE: "male",
        CodeFlag.FEMALE: "female",
    }
    out = {}
    for entry in codes:
        code = entry.code
        flags = 0
        for n in range(len(code), 2, -1):
            if previous.exists(code[:n]):
                flags = previous.flags(code[:n]) & _CARRIED
                break
        if flags:
            out[code] = frozenset(name for bit, name in names.items() if flags & bit)
    return out


def import_year(year: int, files: YearFiles, previous: CodeSet | None, target: Path) -> tuple[Path, dict]:
    """Compile and write one fiscal year; returns the file written and the build numbers."""
    tabular = files.tabular or Tabular(version=str(year), nodes={})
    codes = files.order or _codes_from_tabular(tabular)
    carried = _carried_edits(codes, previous)
    caveats = []
    if files.tabular is None:
        caveats.append("no tabular imported: no Excludes, manifestation or code-first checks")
    if not files.order:
        caveats.append("no order file imported: seventh-character codes derived from the tabular")
    if previous is not None:
        caveats.append(f"MCE age and sex edits carried over from {previous.label}")
    data, stats = compile_year(
        fiscal_year=year,
        tabular=tabular,
        code_list=codes,
        mce=carried,
        sex_edits=carried,
        age_ranges=previous.age_ranges if previous else {},
        source="CDC NCHS " + ", ".join(files.names),
        caveat="; ".join(caveats),
    )
    path = target / f"icd10cm_fy{year}.json.gz"
    write_data(data, path)
    return path, stats.as_dict()
