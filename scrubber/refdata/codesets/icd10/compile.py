"""Turns a tabular, a code list and MCE attributes into one fiscal year's data file.

Used by ``tools/build_icd10cm.py`` (bundled years) and ``scrubber codes import`` (later years).
The output is a plain dict (schema ``scrubber.icd10cm/1``) written as gzip JSON: code flags,
tabular texts, notes, and the Excludes ranges already parsed so that loading does no parsing.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from scrubber.refdata.codesets.icd10.codes import looks_like_icd10, normalize
from scrubber.refdata.codesets.icd10.flags import CodeFlag, mce_flags
from scrubber.refdata.codesets.icd10.ranges import parse_note
from scrubber.refdata.codesets.icd10.tabular import Tabular

SCHEMA = "scrubber.icd10cm/1"
RANGE_NOTES = ("excludes1", "excludes2")
KEPT_NOTES = ("excludes1", "excludes2", "code_first", "use_additional", "code_also", "includes", "notes")


@dataclass(slots=True)
class CodeListEntry:
    """One code of a year's code list; ``billable`` None means "derive from the tree"."""

    code: str
    billable: bool | None = None
    description: str = ""


@dataclass(slots=True)
class BuildStats:
    codes: int = 0
    billable: int = 0
    notes: dict[str, int] = field(default_factory=dict)
    without_code: dict[str, int] = field(default_factory=dict)
    unread_qualifier: dict[str, int] = field(default_factory=dict)
    unknown_targets: int = 0
    manifestation: int = 0
    age_coded: int = 0
    sex_coded: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "codes": self.codes,
            "billable": self.billable,
            "notes": self.notes,
            "notes_without_code": self.without_code,
            "notes_with_unread_qualifier": self.unread_qualifier,
            "range_targets_not_in_tabular": self.unknown_targets,
            "manifestation_codes": self.manifestation,
            "age_edited_codes": self.age_coded,
            "sex_edited_codes": self.sex_coded,
        }


def code_list_from_lines(lines: Iterable[str]) -> list[CodeListEntry]:
    """A plain list of codes (one a line, as ``simple-icd-10-cm`` ships it); blocks are skipped."""
    return [CodeListEntry(normalize(line)) for line in lines if looks_like_icd10(line)]


def _derive_billable(entries: list[CodeListEntry]) -> dict[str, bool]:
    """A code is billable when no other code extends it (ICD-10-CM leaves are the valid codes)."""
    ordered = sorted({e.code for e in entries})
    out = {}
    for i, code in enumerate(ordered):
        following = ordered[i + 1] if i + 1 < len(ordered) else ""
        out[code] = not following.startswith(code)
    return out


def _manifestation_codes(tabular: Tabular, codes: Iterable[str]) -> set[str]:
    """Codes under a title "in diseases classified elsewhere" (the tabular's manifestation sign)."""
    titled = {n.key for n in tabular.codes() if n.manifestation_title}
    return {c for c in codes if any(c[:n] in titled for n in range(3, len(c) + 1))}


def _ranges(tabular: Tabular, stats: BuildStats) -> dict[str, dict[str, list[list[str]]]]:
    known = set(tabular.nodes)
    out: dict[str, dict[str, list[list[str]]]] = {kind: {} for kind in RANGE_NOTES}
    for node in tabular.nodes.values():
        for kind in RANGE_NOTES:
            for text in node.notes.get(kind, []):
                stats.notes[kind] = stats.notes.get(kind, 0) + 1
                parsed = parse_note(text)
                if parsed.unread_qualifier:
                    stats.unread_qualifier[kind] = stats.unread_qualifier.get(kind, 0) + 1
                elif not parsed.ranges:
                    stats.without_code[kind] = stats.without_code.get(kind, 0) + 1
                for found in parsed.ranges:
                    if found.lo not in known and found.hi not in known:
                        stats.unknown_targets += 1
                        continue
                    out[kind].setdefault(node.key, []).append(found.as_list())
    return out


def compile_year(
    *,
    fiscal_year: int,
    tabular: Tabular,
    code_list: list[CodeListEntry],
    mce: Mapping[str, frozenset[str]] | None,
    sex_edits: Mapping[str, frozenset[str]] | None,
    age_ranges: Mapping[str, tuple[int, int]],
    source: str,
    label: str | None = None,
    caveat: str = "",
) -> tuple[dict[str, Any], BuildStats]:
    """One fiscal year's data as a JSON-ready dict, with the numbers the build reports."""
    stats = BuildStats()
    derived = _derive_billable(code_list)
    manifest = _manifestation_codes(tabular, derived)
    codes: dict[str, int] = {}
    descriptions: dict[str, str] = {}
    for entry in code_list:
        billable = derived[entry.code] if entry.billable is None else entry.billable
        flags = CodeFlag.BILLABLE if billable else 0
        attributes = (mce or {}).get(entry.code, frozenset())
        flags |= mce_flags(attributes - {"male", "female"})
        flags |= mce_flags((sex_edits or {}).get(entry.code, frozenset()) & {"male", "female"})
        if entry.code in manifest:
            flags |= CodeFlag.MANIFESTATION
        codes[entry.code] = int(flags)
        if entry.description and entry.code not in tabular.nodes:
            descriptions[entry.code] = entry.description
    for key, node in tabular.nodes.items():
        descriptions.setdefault(key, node.description)
    stats.codes = len(codes)
    stats.billable = sum(1 for f in codes.values() if f & CodeFlag.BILLABLE)
    stats.manifestation = sum(1 for f in codes.values() if f & CodeFlag.MANIFESTATION and f & CodeFlag.BILLABLE)
    age_mask = CodeFlag.NEWBORN | CodeFlag.PEDIATRIC | CodeFlag.MATERNITY | CodeFlag.ADULT
    stats.age_coded = sum(1 for f in codes.values() if f & age_mask)
    stats.sex_coded = sum(1 for f in codes.values() if f & (CodeFlag.MALE | CodeFlag.FEMALE))
    data = {
        "schema": SCHEMA,
        "fiscal_year": fiscal_year,
        "label": label or f"ICD-10-CM FY{fiscal_year}",
        "source": source,
        "caveat": caveat,
        "age_ranges": {k: list(v) for k, v in age_ranges.items()},
        "chapters": [[n.key, n.first, n.last] for n in tabular.nodes.values() if n.kind == "chapter"],
        "blocks": [[n.key, n.first, n.last, n.parent] for n in tabular.nodes.values() if n.kind == "block"],
        "parents": {n.key: n.parent for n in tabular.codes() if n.parent},
        "codes": codes,
        "descriptions": descriptions,
        "seventh": {n.key: n.seventh for n in tabular.nodes.values() if n.seventh},
        "notes": {
            n.key: {k: v for k, v in n.notes.items() if k in KEPT_NOTES}
            for n in tabular.nodes.values()
            if any(k in KEPT_NOTES for k in n.notes)
        },
        **_ranges(tabular, stats),
    }
    data["stats"] = stats.as_dict()
    return data, stats


def write_data(data: dict[str, Any], path: Path) -> None:
    """Gzip JSON, reproducible (no timestamp in the gzip header)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(raw)
    tmp.replace(path)


class _YearFile(msgspec.Struct):
    """The fields of a data file that :class:`~.codeset.CodeSet` reads. Decoding into this type
    skips the rest unread (the tree's ``parents``) and takes 27 ms where a plain decode took 42:
    every process start pays it."""

    schema: str
    fiscal_year: int
    label: str
    age_ranges: dict[str, list[int]]
    codes: dict[str, int]
    descriptions: dict[str, str]
    seventh: dict
    notes: dict
    excludes1: dict
    excludes2: dict
    chapters: list
    blocks: list
    source: str = ""
    caveat: str = ""
    stats: dict = {}


_DECODE_YEAR = msgspec.json.Decoder(_YearFile).decode


def read_data(path: Path) -> dict[str, Any]:
    """What a CodeSet is built from (the file's other fields are left out)."""
    with gzip.open(path, "rb") as fh:
        raw = fh.read()
    try:
        data = _DECODE_YEAR(raw)
    except msgspec.ValidationError as error:  # JSON of another shape; malformed JSON raises DecodeError (a ValueError)
        raise ValueError(f"{path}: not an ICD-10-CM data file of schema {SCHEMA} ({error})") from None
    if data.schema != SCHEMA:
        raise ValueError(f"{path}: not an ICD-10-CM data file of schema {SCHEMA}")
    return msgspec.structs.asdict(data)
