"""A generated "certainly clean" test per segment node, in front of the full element checks.

Most segments are clean. For each map node this module writes a small Python function, once, that
goes through the segment's elements with the node's limits inlined (lengths, character set, code
sets, dates) and answers True only when :func:`~.elements.check_segment` would find nothing.
Anything unusual (a value to report, a component separator inside a simple element, a trailing
space) answers False, and the full check decides. So the fast path can be conservative, never
wrong: tests hold it to "True implies no problem". Called with ``printable`` true for a segment the reader
found to be printable ASCII (:class:`~scrubber.x12.segment.PrintableBatch`), it skips the
character-set test: every such character is in the set.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from types import CodeType

from scrubber.structure.native.grammar import CompositeSpec, ElementSpec, Node
from scrubber.structure.native.values import BAD_TEXT, DECIMAL, DTP_FORMATS, NUMBER, is_date, is_time, is_type

FastCheck = Callable[..., bool]  # (elements, component separator, printable=False) -> certainly clean


def _clean_codes(spec: ElementSpec) -> frozenset[str]:
    """The codes (inline and external) that pass every other check of the element."""
    codes = set(spec.codes) | set(spec.external or ())
    return frozenset(code for code in codes if code and _value_ok(spec, code))


def _value_ok(spec: ElementSpec, value: str) -> bool:
    if spec.usage == "N" or (spec.data_type in ("AN", "ID") and BAD_TEXT.search(value)):
        return False
    numeric = spec.data_type == "R" or spec.data_type[:1] == "N"
    length = len(value.replace("-", "").replace(".", "")) if numeric else len(value)
    if not spec.min_len <= length <= spec.max_len or value[-1] == " ":
        return False
    if not is_type(value, spec.data_type):
        return False
    return spec.regex is None or re.search(spec.regex, value, re.S) is not None


_DATES: dict[tuple[str, str], bool] = {}  # dates repeat a lot (service dates, birth dates)
_DATE_LIMIT = 100_000


def dated(kind: str, value: str) -> bool:
    """:func:`is_date`, remembered."""
    key = (kind, value)
    found = _DATES.get(key)
    if found is None:
        if len(_DATES) >= _DATE_LIMIT:
            _DATES.clear()
        found = _DATES[key] = is_date(kind, value)
    return found


def formats_ok(value: str, formats: tuple[str, ...]) -> bool:
    """Whether the value is valid in one of the date/time formats (DTP03 after DTP02, DMG02 ...)."""
    for kind in formats:
        if kind in ("D8", "DT", "D6"):
            if dated(kind, value):
                return True
        elif is_type(value, kind):
            return True
    return False


# What every generated test may call; the data a test needs (code sets, formats) are its constants.
_HELPERS: dict[str, object] = {
    "_bad": BAD_TEXT.search, "_num": NUMBER.fullmatch, "_dec": DECIMAL.fullmatch,
    "_dated": dated, "_time": is_time, "_formats": formats_ok, "_fmts": DTP_FORMATS, "_re": re.search,
}


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.constants: dict[str, frozenset[str] | tuple[str, ...]] = {}

    def name(self, value: frozenset[str] | tuple[str, ...]) -> str:
        key = f"_k{len(self.constants) + 1}"
        self.constants[key] = value
        return key

    def emit(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)


def _value_code(w: _Writer, spec: ElementSpec, var: str, depth: int, formats: str | None) -> None:
    """Code that returns False unless ``var`` (non-empty, one component) is clean for ``spec``."""
    if spec.usage == "N":
        w.emit(depth, "return False")
        return
    if spec.codes or spec.external is not None:
        w.emit(depth, f"if {var} not in {w.name(_clean_codes(spec))}: return False")
    else:
        kind = spec.data_type
        lo, hi = spec.min_len, spec.max_len
        if kind in ("AN", "ID"):
            bad = f"(not printable and _bad({var}))"
            w.emit(depth, f"if not {lo} <= len({var}) <= {hi} or {var}[-1] == ' ' or {bad}: return False")
        elif kind[:1] == "N":  # matched as -?[0-9]+: only a leading '-' is not counted
            w.emit(depth, f"if _num({var}) is None: return False")
            w.emit(depth, f"if not {lo} <= len({var}) - ({var}[0] == '-') <= {hi}: return False")
        elif kind == "R":  # matched as -?[0-9]*(.[0-9]+)?: at most one '-' and one '.'
            w.emit(depth, f"if _dec({var}) is None: return False")
            w.emit(depth, f"if not {lo} <= len({var}) - ({var}[0] == '-') - ('.' in {var}) <= {hi}: return False")
        elif kind in ("DT", "D8", "D6"):
            w.emit(depth, f"if not {lo} <= len({var}) <= {hi} or not _dated({kind!r}, {var}): return False")
        elif kind == "TM":
            w.emit(depth, f"if not {lo} <= len({var}) <= {hi} or not _time({var}): return False")
        elif kind == "B":
            w.emit(depth, f"if not {lo} <= len({var}) <= {hi}: return False")
        else:
            w.emit(depth, "return False")
        if spec.regex is not None:
            w.emit(depth, f"if _re({spec.regex!r}, {var}, 16) is None: return False")
    if formats is not None:
        w.emit(depth, f"if {formats} and not _formats({var}, {formats}): return False")


def _empty_is_error(spec: ElementSpec) -> bool:
    return spec.usage == "R" and (spec.seq != 1 or not spec.in_composite or spec.composite_usage == "R")


def _empty_code(w: _Writer, spec: ElementSpec, depth: int) -> None:
    if _empty_is_error(spec):
        w.emit(depth, "return False")


Compiled = tuple[CodeType, dict[str, frozenset[str] | tuple[str, ...]]]  # code and constants: marshal-able


def build(node: Node) -> FastCheck:
    """The fast check of one segment node, written and compiled now."""
    return load(*compiled(node))


def load(code: CodeType, constants: dict[str, frozenset[str] | tuple[str, ...]]) -> FastCheck:
    """The fast check from its compiled form (see :mod:`.fastcache`)."""
    scope = {**_HELPERS, **constants}
    exec(code, scope)  # generated from the map by compiled()
    return scope["fast"]  # type: ignore[return-value]


def compiled(node: Node) -> Compiled:
    """Write the fast check of one segment node and compile it."""
    w = _Writer()
    specs = node.elements
    isa = node.xid == "ISA"
    if node.syntax:
        _syntax_function(w, node)
    done = "_syntax(e, n, c)" if node.syntax else "True"
    w.emit(0, "def fast(e, c, printable=False):")  # the segment is printable ASCII (see PrintableBatch)
    w.emit(1, "n = len(e)")
    w.emit(1, f"if n > {len(specs) + 1}: return False")
    dtp = node.xid == "DTP"
    format_sources = []  # positions of 1250 elements: a 1251 element is read as their formats
    last_required = max((i for i, spec in enumerate(specs, start=1) if spec.usage == "R"), default=0)
    for i, spec in enumerate(specs, start=1):
        # past the last element given: clean unless a required one is missing (or a syntax rule fails)
        w.emit(1, f"if n <= {i}: return {done if i > last_required else 'False'}")
        w.emit(1, f"v = e[{i}]")
        if isinstance(spec, CompositeSpec):
            _composite_code(w, spec, 1)
            continue
        formats = None
        if dtp and i == 3:
            w.emit(1, "f = e[2]")
            w.emit(1, "f = (f,) if f in _fmts else ()")
            formats = "f"
        elif spec.data_ele == "1251" and format_sources:
            codes = tuple(code for _position, source_codes in format_sources for code in source_codes)
            w.emit(1, f"f = {w.name(codes)}")  # the 1250 elements before it are there (n > i)
            formats = "f"
        if spec.data_ele == "1250":
            format_sources.append((i, sorted(spec.codes)))
        w.emit(1, "if v:")
        if not isa:
            w.emit(2, "if c in v: return False")
        _value_code(w, spec, "v", 2, formats)
        if _empty_is_error(spec):
            w.emit(1, "else:")
            w.emit(2, "return False")
    w.emit(1, f"return {done}")
    return compile("\n".join(w.lines), f"<fast check {node.path}>", "exec"), w.constants


def _syntax_function(w: _Writer, node: Node) -> None:
    """``_syntax(e, n, c)``: the node's P/R/E/C/L rules (an element counts when any component has data).

    Only called once every element passed, so a simple element holds no component separator
    there: it counts when it is not empty; a composite when it has more than separators.
    """
    w.emit(0, "def _syntax(e, n, c):")
    for kind, positions in node.syntax:
        if len(positions) < 2:
            w.emit(1, "return False")
            continue
        flags = [_given(node, p) for p in positions]
        if kind == "P" and len(flags) == 2:
            w.emit(1, f"if {flags[0]} != {flags[1]}: return False")
            continue
        w.emit(1, f"k = [{', '.join(flags)}]")
        if kind == "P":
            w.emit(1, "if any(k) and not all(k): return False")
        elif kind == "R":
            w.emit(1, "if not any(k): return False")
        elif kind == "E":
            w.emit(1, "if sum(k) > 1: return False")
        elif kind == "C":
            w.emit(1, "if k[0] and not all(k): return False")
        elif kind == "L":
            w.emit(1, "if k[0] and not any(k[1:]): return False")
    w.emit(1, "return True")


def _given(node: Node, position: int) -> str:
    """Whether element ``position`` has data, as an expression (see :func:`_syntax_function`)."""
    composite = position <= len(node.elements) and isinstance(node.elements[position - 1], CompositeSpec)
    value = f"e[{position}].replace(c, '')" if composite else f"e[{position}]"
    return f"(n > {position} and {value} != '')"


def _composite_code(w: _Writer, spec: CompositeSpec, depth: int) -> None:
    """Code for a composite element ``v`` (possibly empty); components past the last one given are
    only checked for being required."""
    w.emit(depth, "if v:")
    if spec.usage == "N":
        w.emit(depth + 1, "if v.replace(c, ''): return False")
        return
    w.emit(depth + 1, "p = v.split(c)")
    w.emit(depth + 1, "m = len(p)")
    w.emit(depth + 1, f"if m > {len(spec.parts)}: return False")
    w.emit(depth + 1, "if not v.replace(c, ''):")
    w.emit(depth + 2, "return False" if spec.usage == "R" else "pass")
    w.emit(depth + 1, "else:")
    _component_code(w, spec.parts, 0, depth + 2)
    if spec.usage == "R":
        w.emit(depth, "else:")
        w.emit(depth + 1, "return False")


def _component_code(w: _Writer, parts: tuple[ElementSpec, ...], j: int, depth: int) -> None:
    """Component ``j`` if given (then the next ones, nested), else whether a later one is required."""
    if j == len(parts):
        w.emit(depth, "pass")
        return
    part = parts[j]
    w.emit(depth, f"if m > {j}:")
    w.emit(depth + 1, f"w = p[{j}]")
    w.emit(depth + 1, "if w:")
    _value_code(w, part, "w", depth + 2, None)
    if _empty_is_error(part):
        w.emit(depth + 1, "else:")
        w.emit(depth + 2, "return False")
    _component_code(w, parts, j + 1, depth + 1)
    if any(_empty_is_error(rest) for rest in parts[j:]):
        w.emit(depth, "else:")
        w.emit(depth + 1, "return False")
