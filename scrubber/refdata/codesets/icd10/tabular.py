"""Reads the CDC/NCHS ICD-10-CM tabular XML (``icd10cm_tabular_YYYY.xml``) into plain nodes.

Only what the rules and ``scrubber codes show`` use is kept: descriptions, the chapter/block/
category tree, instructional notes, seventh-character tables and the manifestation convention.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from scrubber.refdata.codesets.icd10.codes import normalize

try:  # tabular files come from users; refuse entity tricks when defusedxml is there
    from defusedxml.ElementTree import parse as _parse_xml
except ImportError:  # pragma: no cover - defusedxml ships with pyx12
    from xml.etree.ElementTree import parse as _parse_xml

# XML element -> note kind kept in the build
NOTE_KINDS = {
    "excludes1": "excludes1",
    "excludes2": "excludes2",
    "codeFirst": "code_first",
    "useAdditionalCode": "use_additional",
    "codeAlso": "code_also",
    "includes": "includes",
    "inclusionTerm": "inclusion",
    "notes": "notes",
}
_MANIFESTATION_TITLE = re.compile(r"in diseases classified elsewhere", re.IGNORECASE)
_RANGE = re.compile(r"\(([A-Z][0-9A-Z]{2})-([A-Z][0-9A-Z]{2})\)\s*$")


@dataclass(slots=True)
class TabularNode:
    """A chapter, block (section) or code of the tabular. Keys: ``ch18``, ``R50-R69``, ``R509``."""

    key: str
    kind: str  # chapter, block, code
    description: str
    parent: str | None
    first: str = ""  # chapters and blocks: first and last category they span
    last: str = ""
    notes: dict[str, list[str]] = field(default_factory=dict)
    seventh: dict[str, str] = field(default_factory=dict)
    manifestation_title: bool = False


@dataclass(slots=True)
class Tabular:
    """All nodes of one tabular file, in tabular order."""

    version: str
    nodes: dict[str, TabularNode]

    def codes(self) -> Iterator[TabularNode]:
        return (n for n in self.nodes.values() if n.kind == "code")


def _notes_of(element: Any) -> dict[str, list[str]]:
    notes: dict[str, list[str]] = {}
    for child in element:
        kind = NOTE_KINDS.get(child.tag)
        if kind is None:
            continue
        texts = [" ".join((n.text or "").split()) for n in child.iter("note")]
        notes.setdefault(kind, []).extend(t for t in texts if t)
    return notes


def _seventh_of(element: Any) -> dict[str, str]:
    table: dict[str, str] = {}
    for definition in element.findall("sevenChrDef"):
        for extension in definition.findall("extension"):
            table[extension.get("char", "")] = " ".join((extension.text or "").split())
    return table


def _walk(element: Any, parent: str | None, nodes: dict[str, TabularNode]) -> None:
    for diag in element.findall("diag"):
        key = normalize(diag.findtext("name", ""))
        description = " ".join(diag.findtext("desc", "").split())
        nodes[key] = TabularNode(
            key=key,
            kind="code",
            description=description,
            parent=parent,
            notes=_notes_of(diag),
            seventh=_seventh_of(diag),
            manifestation_title=bool(_MANIFESTATION_TITLE.search(description)),
        )
        _walk(diag, key, nodes)


def read_tabular(source: str | Path | IO[bytes]) -> Tabular:
    """Parse a tabular XML file (path or binary stream)."""
    root = _parse_xml(source).getroot()
    nodes: dict[str, TabularNode] = {}
    for chapter in root.findall("chapter"):
        key = f"ch{chapter.findtext('name', '').strip()}"
        description = " ".join(chapter.findtext("desc", "").split())
        span = _RANGE.search(description)
        nodes[key] = TabularNode(
            key=key,
            kind="chapter",
            description=description,
            parent=None,
            first=span.group(1) if span else "",
            last=span.group(2) if span else "",
            notes=_notes_of(chapter),
        )
        for section in chapter.findall("section"):
            first, _, last = section.get("id", "").partition("-")
            last = last or first
            block = f"{first}-{last}"  # B99 is a block and a category: keep the keys apart
            nodes.setdefault(
                block,
                TabularNode(
                    key=block,
                    kind="block",
                    description=" ".join(section.findtext("desc", "").split()),
                    parent=key,
                    first=first,
                    last=last,
                    notes=_notes_of(section),
                ),
            )
            _walk(section, None, nodes)
    return Tabular(version=(root.findtext("version") or "").strip(), nodes=nodes)
