"""Element and composite checks of one segment against its map node, as pyx12 judges them.

pyx12's rules, restated (not its code): usage, length (numeric types do not count '-' and '.'),
control characters (which trump later checks), trailing spaces, inline and external code lists,
the data type (AN/ID in the 5010 extended character set, N0-N9, R, DT, TM), DTP03 read as the
date format DTP02 names, elements numbered 1251 read as the formats their 1250 sibling allows,
the map's regexes, and the syntax rules P/R/E/C/L. Segment-level findings (too many elements or
components, a composite missing or not used, syntax) are reported as pyx12 reports them: an IK3
code 8 on the segment, with no element.

A result is a tuple of :data:`Problem` tuples and depends only on the node and the segment's
text, so :class:`ElementChecker` memoizes it: many segments of a file repeat verbatim.
"""

from __future__ import annotations

import re

from scrubber.structure.native.fastpath import Compiled, FastCheck, build, load
from scrubber.structure.native.grammar import CompositeSpec, ElementSpec, Node
from scrubber.structure.native.values import DTP_FORMATS, is_type

# (level, code, message, element, component, data element, bad value)
Problem = tuple[str, str, str, int, int, str, str | None]

_CONTROL = (
    ("\x07", "BEL"), ("\x09", "HT"), ("\x0a", "LF"), ("\x0b", "VT"), ("\x0c", "FF"), ("\x0d", "CR"),
    ("\x1c", "FS"), ("\x1d", "GS"), ("\x1e", "RS"), ("\x1f", "US"), ("\x01", "SOH"), ("\x02", "STX"),
    ("\x03", "ETX"), ("\x04", "EOT"), ("\x05", "ENQ"), ("\x06", "ACK"), ("\x11", "DC1"), ("\x12", "DC2"),
    ("\x13", "DC3"), ("\x14", "DC4"), ("\x15", "NAK"), ("\x16", "SYN"), ("\x17", "ETB"),
)
_CONTROL_CHARS = re.compile("[" + "".join(char for char, _ in _CONTROL) + "]")
_DATE_TYPES = ("RD8", "DT", "D8", "D6")
MEMO_LIMIT = 200_000  # memoized segments before the memo is cleared (bounded memory)


def _strip_components(parts: list[str], component: str) -> str:
    """A composite as pyx12 prints it: trailing empty components dropped."""
    end = len(parts)
    while end > 1 and not parts[end - 1]:
        end -= 1
    return component.join(parts[:end])


def element_value(raw: str, component: str, isa: bool = False) -> str:
    """An element's value as pyx12's ``Segment.get_value`` gives it."""
    if isa or component not in raw:
        return raw
    return _strip_components(raw.split(component), component)


class ElementChecker:
    """Element checks per map node: a generated fast test first (:mod:`.fastpath`), the full
    check when it cannot vouch for the segment, memoized on (node, separator, elements)."""

    def __init__(self, compiled: dict[int, Compiled] | None = None) -> None:
        self._memo: dict[tuple[int, str, tuple[str, ...]], tuple[Problem, ...]] = {}
        self.fast: dict[int, FastCheck] = {}  # node -> generated test
        self._compiled = compiled or {}  # node -> the test compiled ahead (see .fastcache)

    def fast_for(self, node: Node) -> FastCheck:
        fast = self.fast.get(node.index)
        if fast is None:
            ahead = self._compiled.get(node.index)
            fast = self.fast[node.index] = load(*ahead) if ahead is not None else build(node)
        return fast

    def check(self, node: Node, elements: list[str], component: str) -> tuple[Problem, ...]:
        if self.fast_for(node)(elements, component):
            return ()
        key = (node.index, component, tuple(elements))
        found = self._memo.get(key)
        if found is None:
            if len(self._memo) >= MEMO_LIMIT:
                self._memo.clear()
            found = self._memo[key] = tuple(check_segment(node, elements, component))
        return found


def check_segment(node: Node, elements: list[str], component: str) -> list[Problem]:
    """All element, composite and syntax problems of one segment (``elements[0]`` is its id)."""
    out: list[Problem] = []
    seg_id = elements[0]
    isa = seg_id == "ISA"
    given = len(elements) - 1
    specs = node.elements
    expected = len(specs)
    if given > expected:
        out.append(("seg", "8", f'Too many elements in segment "{node.name}" ({seg_id}). Has {given}, '
                    f"should have {expected}", 0, 0, "", None))
    formats: list[str] = []  # codes of a 1250 element: the formats a 1251 element may take
    dtp_format: list[str] = []
    for i, spec in enumerate(specs):
        raw = elements[i + 1] if i < given else None
        if isinstance(spec, CompositeSpec):
            _composite(spec, raw, component, out)
            continue
        if raw is not None and i == 1 and seg_id == "DTP":
            value = element_value(raw, component)
            if value in DTP_FORMATS:
                dtp_format = [value]
        if raw is not None and spec.data_ele == "1250":
            formats.extend(spec.codes)
        if raw is not None and i == 2 and seg_id == "DTP":
            _element(spec, raw, component, isa, dtp_format, out)
        elif raw is not None and spec.data_ele == "1251" and formats:
            _element(spec, raw, component, isa, formats, out)
        else:
            _element(spec, raw, component, isa, None, out)
    for rule in node.syntax:
        problem = _syntax(rule, elements, component, isa)
        if problem is not None:
            out.append(problem)
    return out


def _problem(spec: ElementSpec, code: str, message: str, bad: str | None) -> Problem:
    if spec.in_composite:
        return ("ele", code, message, spec.composite_seq, spec.seq, spec.data_ele, bad)
    return ("ele", code, message, spec.seq, 0, spec.data_ele, bad)


def _composite(spec: CompositeSpec, raw: str | None, component: str, out: list[Problem]) -> None:
    parts = raw.split(component) if raw is not None else []
    if len(parts) > len(spec.parts) and spec.usage != "N":
        # pyx12 4.0 raises IndexError here (it looks up a component past the end of the map's list);
        # the native check reports what pyx12's composite check means to say and goes on.
        out.append(("seg", "8", f'Too many sub-elements in composite "{spec.name}" ({spec.refdes})', 0, 0, "", None))
    empty = not any(parts)
    if empty and spec.usage in ("N", "S"):
        return
    if spec.usage == "R" and empty:
        out.append(("seg", "8", f'Mandatory composite "{spec.name}" ({spec.refdes}) is missing', 0, 0, "", None))
        return
    if spec.usage == "N" and not empty:
        out.append(("seg", "8", f'Composite "{spec.name}" ({spec.refdes}) is marked as Not Used', 0, 0, "", None))
        return
    for j, part_spec in enumerate(spec.parts):
        _element(part_spec, parts[j] if j < len(parts) else None, component, True, None, out)


def _element(
    spec: ElementSpec, raw: str | None, component: str, whole: bool, formats: list[str] | None, out: list[Problem]
) -> None:
    """One element; ``whole``: the value is not split at the component separator (ISA, components)."""
    name, refdes = spec.name, spec.refdes
    if raw and not whole and component in raw:
        parts = raw.split(component)
        shown = _strip_components(parts, component)
        out.append(_problem(spec, "6", f'Data element "{name}" ({refdes}) is an invalid composite', shown))
        return
    if not raw:
        if spec.usage == "R" and (spec.seq != 1 or not spec.in_composite or spec.composite_usage == "R"):
            out.append(_problem(spec, "1", f'Mandatory data element "{name}" ({refdes}) is missing', None))
        return
    if spec.usage == "N":
        out.append(_problem(spec, "10", f'Data element "{name}" ({refdes}) is marked as Not Used', None))
        return
    value = raw
    data_type = spec.data_type
    measured = len(value.replace("-", "").replace(".", "")) if data_type == "R" or data_type[:1] == "N" else len(value)
    if measured < spec.min_len:
        out.append(_problem(spec, "4", f'Data element "{name}" ({refdes}) is too short: len("{value}") = '
                            f"{measured} < {spec.min_len} (min_len)", value))
    if measured > spec.max_len:
        out.append(_problem(spec, "5", f'Data element "{name}" ({refdes}) is too long: len("{value}") = '
                            f"{measured} > {spec.max_len} (max_len)", value))
    if _CONTROL_CHARS.search(value):
        label = next(label for char, label in _CONTROL if char in value)
        out.append(_problem(spec, "6", f'Data element "{name}" ({refdes}), contains an invalid control '
                            f"character(<{label}>)", f"<{label}>"))
        return
    if data_type in ("AN", "ID") and value[-1] == " " and len(value.rstrip()) >= spec.min_len:
        out.append(_problem(spec, "6", f'Data element "{name}" ({refdes}) has unnecessary trailing spaces. '
                            f"({value})", value))
    coded = spec.codes or spec.external is not None
    if coded and value not in spec.codes and (spec.external is None or value not in spec.external):
        out.append(_problem(spec, "7", f"({value}) is not a valid code for {name} ({refdes})", value))
    if not is_type(value, data_type):
        if data_type in _DATE_TYPES:
            out.append(_problem(spec, "8", f'Data element "{name}" ({refdes}) contains an invalid date ({value})',
                                value))
        elif data_type == "TM":
            out.append(_problem(spec, "9", f'Data element "{name}" ({refdes}) contains an invalid time ({value})',
                                value))
        else:
            out.append(_problem(spec, "6", f'Data element "{name}" ({refdes}) is type {data_type}, contains an '
                                f"invalid character({value})", value))
    if formats and not any(is_type(value, kind) for kind in formats):
        if "TM" in formats:
            out.append(_problem(spec, "9", f'Data element "{name}" ({refdes}) contains an invalid time ({value})',
                                value))
        elif any(kind in formats for kind in _DATE_TYPES):
            out.append(_problem(spec, "8", f'Data element "{name}" ({refdes}) contains an invalid date ({value})',
                                value))
    if spec.regex is not None and re.search(spec.regex, value, re.S) is None:
        out.append(_problem(spec, "7", f'Data element "{name}" with a value of ({value}) failed to match the '
                            f'regular expression "{spec.regex}"', value))


def _syntax(rule: tuple[str, tuple[int, ...]], elements: list[str], component: str, isa: bool) -> Problem | None:
    """A P/R/E/C/L syntax rule; an element counts as present when any of its components holds data."""
    kind, positions = rule
    seg_id = elements[0]
    label = kind + "".join(f"{p:02d}" for p in positions)

    def present(position: int) -> bool:
        if position >= len(elements):
            return False
        raw = elements[position]
        return bool(raw) and (isa or any(raw.split(component)))

    def names(members: tuple[int, ...]) -> str:
        refs = [f"{seg_id}{p:02d}" for p in members]
        return refs[0] if len(refs) == 1 else ", ".join(refs[:-1]) + " or " + refs[-1]

    if len(positions) < 2:
        return ("seg", "8", f"Syntax string must have at least two comparators {label}", 0, 0, "", None)
    count = sum(1 for p in positions if present(p))
    if kind == "P" and count not in (0, len(positions)):
        message = f"Syntax Error ({label}): If any of {names(positions)} is present, then all are required"
    elif kind == "R" and count == 0:
        message = f"Syntax Error ({label}): At least one element is required"
    elif kind == "E" and count > 1:
        message = f"Syntax Error ({label}): At most one of {names(positions)} may be present"
    elif kind == "C" and present(positions[0]) and count != len(positions):
        verb = "are" if len(positions) > 2 else "is"
        message = (f"Syntax Error ({label}): If {seg_id}{positions[0]:02d} is present, then "
                   f"{names(positions[1:])} {verb} required")
    elif kind == "L" and present(positions[0]) and count == 1:
        message = (f"Syntax Error ({label}): If {seg_id}{positions[0]:02d} is present, then at least one of "
                   f"{names(positions[1:])} is required")
    else:
        return None
    return ("seg", "8", message, 0, 0, "", None)
