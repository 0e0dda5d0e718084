"""pyx12's 005010X222A1 map, compiled once into flat tables the native validator reads.

The map data (``837.5010.X222.A1.xml``, ``x12.control.00501.xml``, ``dataele.xml``,
``codes.xml``) is read from the installed pyx12 package with xml.etree; nothing of it is copied
into this repository. Both map trees (the control map validates the ISA and walks until the GS,
the 837P map everything after it) go into one node table, so a walk is a matter of integer
indexes and tuples. Loop and segment counters are keyed by the node's path string as pyx12 keys
them, interned to an int: the two trees share counters wherever their paths are equal, as they
do in pyx12.

The compiled :class:`Grammar` is pickled under ``$XDG_CACHE_HOME/scrubber/`` keyed by pyx12's
version and a hash of the four files; a cache that cannot be read is rebuilt, never fatal.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import structlog

log = structlog.get_logger("scrubber.structure.native")

MAXINT = 2147483647  # pyx12's "no limit" for max use and loop repeat
LOOP, SEGMENT, ROOT = 0, 1, 2
CONTROL_MAP = "x12.control.00501.xml"
TRANSACTION_MAP = "837.5010.X222.A1.xml"
MAP_FILES = (TRANSACTION_MAP, CONTROL_MAP, "dataele.xml", "codes.xml")
COMPILER_VERSION = 5  # bump when the compiled layout changes: old caches are then ignored


@dataclass(frozen=True, slots=True)
class ElementSpec:
    """One simple element (or a component of a composite) as the map and dataele.xml define it."""

    refdes: str  # CLM01, or the composite's component id (SV101-1 ...)
    name: str
    data_ele: str
    usage: str
    seq: int  # position in the segment, or in the composite
    data_type: str
    min_len: int
    max_len: int
    codes: frozenset[str]  # inline valid codes (empty: none)
    first_code: str  # the first inline code in XML order (pyx12 names paths with it)
    external: frozenset[str] | None  # codes.xml list named by the map, if any
    regex: str | None
    in_composite: bool
    composite_usage: str  # usage of the enclosing composite ('' for a plain element)
    composite_seq: int  # position of the enclosing composite in the segment (0 for a plain element)

    def __reduce__(self) -> tuple[type, tuple]:
        return _by_fields(self)


@dataclass(frozen=True, slots=True)
class CompositeSpec:
    refdes: str
    name: str
    usage: str
    seq: int
    parts: tuple[ElementSpec, ...]

    def __reduce__(self) -> tuple[type, tuple]:
        return _by_fields(self)


def _by_fields(spec: ElementSpec | CompositeSpec) -> tuple[type, tuple]:
    """Pickled as a call of the class: the grammar cache then loads in 8 ms instead of 12, since
    a frozen slotted dataclass otherwise restores its state field by field in Python."""
    return type(spec), tuple(getattr(spec, name) for name in spec.__slots__)


@dataclass(slots=True)
class Node:
    """A loop, segment or map root of either tree."""

    index: int
    kind: int
    xid: str
    name: str
    usage: str
    pos: int
    max_count: int  # max use (segments) or repeat (loops)
    parent: int  # -1 for a root
    path: str  # pyx12's path, with [qualifier] where segments share a position
    counter: int  # interned path: the key of this node's count
    children: tuple[int, ...] = ()  # in pyx12's scan order: by position, loops before segments
    first: int = -1  # pyx12's "first node" of a loop (-1: none)
    loop_id: str = ""  # TR3 loop of a segment (2300 ...), '' for header and envelopes
    eq: tuple[str, str] = ("", "")  # pyx12 compares nodes by (id, parent id)
    match: tuple[int, int, frozenset[str]] | None = None  # (element, component, codes) qualifier
    elements: tuple[ElementSpec | CompositeSpec, ...] = ()
    syntax: tuple[tuple[str, tuple[int, ...]], ...] = ()
    descendants: frozenset[int] = frozenset()  # counters below a loop (reset when it is entered)


@dataclass(slots=True)
class Grammar:
    """Both trees in one table, plus what the walk needs to find things fast."""

    nodes: list[Node]
    control_root: int
    transaction_root: int
    control_isa: int
    transaction_gs: int
    counters: dict[str, int]  # path -> counter id
    qualifier_at: dict[str, tuple[tuple[int, int], ...]]  # seg id -> where its qualifiers sit
    icvn: str = "00501"  # ISA12, GS08 and GS01 of the transactions this map checks
    gs08: str = "005010X222A1"
    gs01: str = "HC"
    source_hash: str = ""

    def node_by_path(self, path: str) -> Node:
        for node in self.nodes:
            if node.path == path and node.kind != ROOT:
                return node
        raise KeyError(path)


# -- reading the XML ------------------------------------------------------------------------------


def map_dir() -> Path:
    """The map directory of the installed pyx12."""
    import pyx12

    return Path(os.path.dirname(pyx12.__file__)) / "map"


def _text(elem: ET.Element, name: str) -> str | None:
    """An attribute or child element's text, as pyx12's map reader accepts either."""
    value = elem.get(name)
    return value if value else elem.findtext(name)


def _limit(value: str | None) -> int:
    if value is None or value in (">1", "&gt;1"):
        return MAXINT
    return int(value)


class _Compiler:
    def __init__(self, dataele: dict[str, tuple[str, int, int, str]], codes: dict[str, frozenset[str]]):
        self.dataele = dataele
        self.codes = codes
        self.nodes: list[Node] = []
        self.counters: dict[str, int] = {}
        self.qualifiers: dict[str, set[tuple[int, int]]] = {}
        self.path_keys: dict[int, str] = {}  # segment node -> code pyx12 appends to a shared position's path

    def counter(self, path: str) -> int:
        return self.counters.setdefault(path, len(self.counters))

    def tree(self, root_elem: ET.Element) -> int:
        root = Node(len(self.nodes), ROOT, root_elem.get("xid") or "", _text(root_elem, "name") or "", "R", 0,
                    MAXINT, -1, "/", self.counter("/"))
        self.nodes.append(root)
        root.children = self._children(root, root_elem)
        root.first = root.children[0] if root.children else -1
        return root.index

    def _children(self, parent: Node, elem: ET.Element) -> tuple[int, ...]:
        by_pos: dict[int, list[int]] = {}
        for child in elem.findall("loop"):
            node = self._loop(parent, child)
            by_pos.setdefault(node.pos, []).append(node.index)
        segments = [self._segment(parent, child) for child in elem.findall("segment")]
        for node in segments:
            by_pos.setdefault(node.pos, []).append(node.index)
        # pyx12 makes the paths of segments sharing a position unique with their first qualifier
        for members in by_pos.values():
            if len(members) > 1:
                for index in members:
                    node = self.nodes[index]
                    if node.kind == SEGMENT and self.path_keys.get(index):
                        node.path += f"[{self.path_keys[index]}]"
        return tuple(index for pos in sorted(by_pos) for index in by_pos[pos])

    def _base_path(self, parent: Node) -> str:
        return "" if parent.kind == ROOT else parent.path

    def _loop(self, parent: Node, elem: ET.Element) -> Node:
        xid = elem.get("xid") or ""
        node = Node(len(self.nodes), LOOP, xid, _text(elem, "name") or "", _text(elem, "usage") or "",
                    int(_text(elem, "pos") or 0), _limit(_text(elem, "repeat")), parent.index,
                    f"{self._base_path(parent)}/{xid}", -1, eq=(xid, parent.xid))
        self.nodes.append(node)
        node.children = self._children(node, elem)
        node.first = node.children[0] if node.children else -1
        return node

    def _segment(self, parent: Node, elem: ET.Element) -> Node:
        xid = elem.get("xid") or ""
        node = Node(len(self.nodes), SEGMENT, xid, _text(elem, "name") or "", _text(elem, "usage") or "",
                            int(_text(elem, "pos") or 0), _limit(_text(elem, "max_use")), parent.index,
                            f"{self._base_path(parent)}/{xid}", -1, eq=(xid, parent.xid))
        node.loop_id = parent.xid if parent.kind == LOOP and parent.xid[:1].isdigit() else ""
        self.nodes.append(node)
        parts: dict[int, ET.Element] = {}
        for child in elem.findall("element") + elem.findall("composite"):
            parts[int(_text(child, "seq") or 0)] = child
        specs: list[ElementSpec | CompositeSpec] = []
        for seq in sorted(parts):
            child = parts[seq]
            if child.tag == "element":
                specs.append(self._element(child, None, 0))
            else:
                specs.append(self._composite(child))
        if [spec.seq for spec in specs] != list(range(1, len(specs) + 1)):
            raise ValueError(f"segment {node.path}: element positions are not 1..n")
        node.elements = tuple(specs)
        syntax = []
        for rule in elem.findall("syntax"):
            text = rule.text or ""
            if text[:1] in ("P", "R", "C", "L", "E"):
                syntax.append((text[0], tuple(int(text[i : i + 2]) for i in range(1, len(text) - 1, 2))))
        node.syntax = tuple(syntax)
        node.match, self.path_keys[node.index] = _qualifier(xid, node.elements)
        if node.match is not None:
            self.qualifiers.setdefault(xid, set()).add(node.match[:2])
        return node

    def _composite(self, elem: ET.Element) -> CompositeSpec:
        usage = _text(elem, "usage") or ""
        seq = int(_text(elem, "seq") or 0)
        parts = tuple(self._element(child, usage, seq) for child in elem.findall("element"))
        if [part.seq for part in parts] != list(range(1, len(parts) + 1)):
            raise ValueError(f"composite {elem.get('xid')}: component positions are not 1..n")
        return CompositeSpec(elem.findtext("refdes") or elem.get("xid") or "", _text(elem, "name") or "", usage,
                             seq, parts)

    def _element(self, elem: ET.Element, composite_usage: str | None, composite_seq: int) -> ElementSpec:
        data_ele = _text(elem, "data_ele") or ""
        if data_ele not in self.dataele:
            raise ValueError(f"data element {data_ele!r} of {elem.get('xid')} is not in dataele.xml")
        data_type, min_len, max_len, _name = self.dataele[data_ele]
        codes: list[str] = []
        external = None
        valid = elem.find("valid_codes")
        if valid is not None:
            codes = [code.text or "" for code in valid.findall("code")]
            name = valid.get("external")
            if name is not None:
                if name not in self.codes:
                    raise ValueError(f"external code list {name!r} is not in codes.xml")
                external = self.codes[name]
        regex = elem.findtext("regex") or None
        if regex is not None:
            re.compile(regex)
        return ElementSpec(elem.get("xid") or "", _text(elem, "name") or "", data_ele, _text(elem, "usage") or "",
                           int(_text(elem, "seq") or 0), data_type, min_len, max_len, frozenset(codes),
                           codes[0] if codes else "", external, regex, composite_usage is not None,
                           composite_usage or "", composite_seq)

    def finish(self) -> None:
        for node in self.nodes:
            node.counter = self.counter(node.path)
        for node in self.nodes:
            if node.kind == LOOP:  # pyx12 resets counts by path prefix, across both trees
                prefix = node.path + "/"
                node.descendants = frozenset(key for path, key in self.counters.items() if path.startswith(prefix))




def _qualifier(
    seg_id: str, elements: tuple[ElementSpec | CompositeSpec, ...]
) -> tuple[tuple[int, int, frozenset[str]] | None, str]:
    """Where pyx12 reads a segment's qualifier to match it to a map node, and the code it adds to
    the node's path when segments share a position (they are chosen by slightly different rules)."""
    c0, c1, c2 = (*elements, None, None, None)[:3]
    match = None
    first_part = c0.parts[0] if isinstance(c0, CompositeSpec) else None
    if isinstance(c0, ElementSpec) and c0.data_type == "ID" and c0.usage == "R" and c0.codes:
        match = (1, 0, c0.codes)
    elif seg_id == "ENT" and isinstance(c1, ElementSpec) and c1.data_type == "ID" and c1.codes:
        match = (2, 0, c1.codes)
    elif first_part is not None and first_part.codes and (
        first_part.data_type == "ID" or (seg_id == "CTX" and first_part.data_type == "AN")
    ):
        match = (1, 1, first_part.codes)
    elif seg_id == "HL" and isinstance(c2, ElementSpec) and c2.codes:
        match = (3, 0, c2.codes)
    key = None
    if isinstance(c0, ElementSpec) and c0.data_type == "ID" and c0.codes:
        key = c0
    elif seg_id == "ENT" and isinstance(c1, ElementSpec) and c1.data_type == "ID" and c1.codes:
        key = c1
    elif isinstance(c0, CompositeSpec) and c0.parts[0].data_type == "ID" and c0.parts[0].codes:
        key = c0.parts[0]
    elif seg_id == "HL" and isinstance(c2, ElementSpec) and c2.codes:
        key = c2
    return match, (key.first_code if key is not None else "")



def _read_dataele(path: Path) -> dict[str, tuple[str, int, int, str]]:
    table = {}
    for elem in ET.parse(path).getroot().iter("data_ele"):
        table[elem.get("ele_num") or ""] = (
            elem.get("data_type") or "",
            int(elem.get("min_len") or 0),
            int(elem.get("max_len") or 0),
            elem.get("name") or "",
        )
    return table


def _read_codes(path: Path) -> dict[str, frozenset[str]]:
    lists = {}
    for elem in ET.parse(path).getroot().iter("codeset"):
        lists[elem.findtext("id") or ""] = frozenset(code.text or "" for code in elem.iterfind("version/code"))
    return lists



def compile_grammar(directory: Path | None = None) -> Grammar:
    """Read pyx12's map files and build the grammar (about half a second)."""
    directory = directory or map_dir()
    compiler = _Compiler(_read_dataele(directory / "dataele.xml"), _read_codes(directory / "codes.xml"))
    control_root = compiler.tree(ET.parse(directory / CONTROL_MAP).getroot())
    transaction_root = compiler.tree(ET.parse(directory / TRANSACTION_MAP).getroot())
    compiler.finish()
    nodes = compiler.nodes
    grammar = Grammar(
        nodes=nodes,
        control_root=control_root,
        transaction_root=transaction_root,
        control_isa=-1,
        transaction_gs=-1,
        counters=compiler.counters,
        qualifier_at={key: tuple(sorted(value)) for key, value in compiler.qualifiers.items()},
    )
    grammar.control_isa = _find(nodes, control_root, "/ISA_LOOP/ISA")
    grammar.transaction_gs = _find(nodes, transaction_root, "/ISA_LOOP/GS_LOOP/GS")
    return grammar



def _find(nodes: list[Node], root: int, path: str) -> int:
    stack = [root]
    while stack:
        index = stack.pop()
        node = nodes[index]
        if node.path == path and node.kind != ROOT:
            return index
        stack.extend(node.children)
    raise ValueError(f"the map has no {path}")


# -- once per process, cached on disk -------------------------------------------------------------

_loaded: Grammar | None = None


def source_hash(directory: Path | None = None) -> str:
    """pyx12's version and the map files' content: what the compiled grammar depends on."""
    import pyx12

    directory = directory or map_dir()
    digest = hashlib.sha256(f"{getattr(pyx12, '__version__', '?')}/{COMPILER_VERSION}".encode())
    for name in MAP_FILES:
        digest.update((directory / name).read_bytes())
    return digest.hexdigest()[:32]


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "scrubber"


def load_grammar(*, use_cache: bool = True) -> Grammar:
    """The compiled grammar, built once per process (from the disk cache when it is there)."""
    global _loaded
    if _loaded is not None:
        return _loaded
    key = source_hash()
    path = cache_dir() / f"native-grammar-{key}.pickle"
    grammar = _read_cache(path, key) if use_cache else None
    if grammar is None:
        grammar = compile_grammar()
        grammar.source_hash = key
        if use_cache:
            _write_cache(path, grammar)
    _loaded = grammar
    return grammar


def _read_cache(path: Path, key: str) -> Grammar | None:
    try:
        with open(path, "rb") as handle:
            grammar = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception as error:  # a corrupt or foreign cache is rebuilt, never fatal
        log.warning("structure.grammar_cache_unreadable", error=type(error).__name__)
        return None
    if not isinstance(grammar, Grammar) or grammar.source_hash != key:
        return None
    return grammar


def _write_cache(path: Path, grammar: Grammar) -> None:
    write_cache_file(path, pickle.dumps(grammar, protocol=pickle.HIGHEST_PROTOCOL), "grammar")


def cache_writable() -> bool:
    """Whether the cache directory exists or can be made, and can be written to."""
    directory = cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(directory, os.W_OK)


def write_cache_file(path: Path, data: bytes, what: str) -> None:
    """Write a cache file whole or not at all (a temporary file renamed into place)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{what}-", delete=False) as handle:
            handle.write(data)
        os.replace(handle.name, path)
    except OSError as error:  # a read-only home is fine: it is rebuilt next time
        log.info("structure.cache_not_written", what=what, error=type(error).__name__)
