"""The one place that talks to pyx12: TR3 validation (SNIP 1-2), its 999, and its log output.

pyx12 reads the file through scrubber's own segment reader rather than its own file reader, for
three reasons: pyx12 4.0 opens files as ASCII and dies with UnicodeDecodeError on the first
other byte; it stops without a word at a doubled terminator; and it cannot say where a segment
starts (line, byte offset). Our reader decodes Latin-1 (any byte), skips empty segments (the walker
reports them) and gives each segment its file position, so pyx12's k-th segment is our segment k.

pyx12 reports errors as (code, text) tuples on a tree of error nodes. A recording error handler
notes each one with the segment being validated at the time; :func:`validate` returns them as
plain :class:`StructureIssue` records, and keeps pyx12's tree for :meth:`StructureResult.write_999`.
Nothing outside this module imports pyx12.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import json
import logging
import re
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import pyx12.error_999
import pyx12.error_handler
import pyx12.errors
import pyx12.map_if
import pyx12.map_index
import pyx12.params
import pyx12.x12file
import pyx12.x12n_document
import structlog
from pyx12.map_if._segment import apply_segment_errors
from pyx12.map_walker import apply_walk_errors, walk_tree

from scrubber.structure.issues import StructureIssue
from scrubber.x12.reader import NotX12Error, SegmentReader
from scrubber.x12.segment import Segment

log = structlog.get_logger("scrubber.structure")

CONTROL_MAPS = {"00501": "x12.control.00501.xml", "00401": "x12.control.00401.xml"}
ACK_999_VERSION = "005010X231A1"
_KEEP_BEHIND = 64  # segments kept after pyx12 has passed them (errors may name the previous one)
CHECKED_BY = "pyx12 4.0"  # what findings of this engine name as their checker
MAX_ERRORS = 10_000  # per file; a file this broken is reported as such, not error by error


@dataclass(slots=True)
class StructureResult:
    """What the TR3 check found in one file, plus pyx12's error tree for the 999."""

    errors: list[StructureIssue] = field(default_factory=list)
    complete: bool = True  # False when pyx12 stopped before the end of the file
    truncated: bool = False  # True when more than MAX_ERRORS were found
    _errh: Any = None
    _term: tuple[str, ...] = ("~", "*", ":", "\n", "^")

    @property
    def can_acknowledge(self) -> bool:
        """A 999 needs at least one interchange and group that pyx12 read."""
        errh = self._errh
        return errh is not None and errh.cur_isa_node is not None and errh.cur_gs_node is not None

    def write_999(self, out: TextIO) -> None:
        """Write pyx12's 999 (005010X231A1) for this file's functional groups and transactions."""
        if not self.can_acknowledge:
            raise ValueError("the file has no interchange and functional group that could be acknowledged")
        buffer = io.StringIO()
        visitor = pyx12.error_999.error_999_visitor(buffer, self._term)
        visitor.vriic = ACK_999_VERSION
        self._errh.accept(visitor)
        out.write(_partial_acceptance(buffer.getvalue()))


_MISSING = frozenset({"3", "I6", "I7", "I8"})  # 999 IK304: required segment or loop missing, under minimum
_AK9 = re.compile(r"AK9\*R\*(\d+)\*(\d+)\*(\d+)")


def _partial_acceptance(text: str) -> str:
    """AK901 P (partially accepted) where pyx12 writes R although some transactions were accepted."""
    return _AK9.sub(lambda m: f"AK9*{'P' if int(m[3]) > 0 else 'R'}*{m[1]}*{m[2]}*{m[3]}", text)


class _Recorder(pyx12.error_handler.err_handler):
    """pyx12's error tree, also noting each error with the segment being validated."""

    def __init__(self, sink: Callable[[StructureIssue], None]) -> None:
        super().__init__()
        self._sink = sink
        self.current: Segment | None = None
        self.loop = ""
        self.lookup: Callable[[int], Segment | None] = lambda index: None

    def isa_error(self, err_cde: str, err_str: str) -> None:
        super().isa_error(err_cde, err_str)
        self._sink(StructureIssue("isa", err_cde, err_str, self.current, loop=self.loop))

    def gs_error(self, err_cde: str, err_str: str) -> None:
        super().gs_error(err_cde, err_str)
        self._sink(StructureIssue("gs", err_cde, err_str, self.current, loop=self.loop))

    def st_error(self, err_cde: str, err_str: str) -> None:
        super().st_error(err_cde, err_str)
        self._sink(StructureIssue("st", err_cde, err_str, self.current, loop=self.loop))

    def seg_error(self, err_cde: str, err_str: str, err_value: str | None = None, src_line: int | None = None) -> None:
        super().seg_error(err_cde, err_str, err_value, src_line)
        noticed = src_line or (self.current.index if self.current is not None else 0)
        if err_cde in _MISSING and noticed > 1:
            # pyx12 notices a missing segment at the one after the gap, which may open the next
            # claim's loops; the gap belongs with the segment before it.
            segment = self.lookup(noticed - 1)
            err_str = f"{err_str} after this segment"
        else:
            segment = self.lookup(noticed) if src_line else None
        self._sink(StructureIssue("seg", err_cde, err_str, segment or self.current, loop=self.loop))

    def ele_error(self, err_cde: str, err_str: str, bad_value: str | None, refdes: str | None = None) -> None:
        super().ele_error(err_cde, err_str, bad_value, refdes)
        node = self.cur_ele_node
        self._sink(
            StructureIssue(
                "ele",
                err_cde,
                err_str,
                self.current,
                element=int(node.ele_pos or 0),
                component=int(node.subele_pos or 0),
                data_element=str(node.ele_ref_num or ""),
                loop=self.loop,
            )
        )


class _SegmentFeed:
    """A text stream for pyx12, made of the segments our reader found, and a window onto them.

    The window is keyed by pyx12's segment count (its "line"): the k-th segment handed out. For a
    whole file that is the segment's index; for a piece the segments keep their file positions.
    """

    closed = False

    def __init__(self, segments: Iterator[Segment]) -> None:
        self._segments = segments
        self._pending = ""
        self._handed = 0
        self._window: dict[int, Segment] = {}
        self._order: deque[int] = deque()  # window keys, oldest first

    def read(self, size: int = -1) -> str:
        while size < 0 or len(self._pending) < size:
            segment = next(self._segments, None)
            if segment is None:
                break
            self._handed += 1
            self._window[self._handed] = segment
            self._order.append(self._handed)
            self._pending += segment.text + segment.delimiters.segment
        if size < 0:
            size = len(self._pending)
        chunk, self._pending = self._pending[:size], self._pending[size:]
        return chunk

    def segment(self, index: int) -> Segment | None:
        return self._window.get(index)

    def forget_before(self, index: int) -> None:
        """Drop segments pyx12 is done with, so memory stays bounded."""
        cut = index - _KEEP_BEHIND
        order, window = self._order, self._window
        while order and order[0] < cut:
            window.pop(order.popleft(), None)


def validate(path: str | Path) -> StructureResult:
    """Validate one file against pyx12's 005010 maps; never raises on bad input."""
    with open(path, "rb") as handle:
        return _run(iter(SegmentReader(handle)))


def _run(segments: Iterator[Segment]) -> StructureResult:
    install_log_bridge()
    result = StructureResult()

    def sink(error: StructureIssue) -> None:
        if len(result.errors) < MAX_ERRORS:
            result.errors.append(dataclasses.replace(error, checked_by=CHECKED_BY))
        else:
            result.truncated = True

    errh = _Recorder(sink)
    feed = _SegmentFeed(segments)
    errh.lookup = feed.segment
    try:
        src = pyx12.x12file.X12Reader(feed)  # type: ignore[arg-type]
    except (pyx12.errors.X12Error, NotX12Error) as error:
        result.complete = False
        sink(StructureIssue("engine", "isa", f"the TR3 check cannot read the ISA: {error}", None))
        return result
    result._errh = errh
    result._term = tuple(t or "" for t in src.get_term())
    try:
        _walk(src, feed, errh)
    except NotX12Error as error:
        result.complete = False
        sink(StructureIssue("engine", "read", str(error), errh.current))
    except Exception as error:  # pyx12 has internal failures on odd input; report, do not crash
        result.complete = False
        where = errh.current
        sink(
            StructureIssue(
                "engine",
                "stopped",
                f"the TR3 check stopped here ({type(error).__name__}: {_safe(str(error))})",
                where,
            )
        )
        log.warning("structure.stopped", error=type(error).__name__, segment=where.index if where else 0)
    return result


def _walk(src: Any, feed: _SegmentFeed, errh: _Recorder) -> None:
    """pyx12's validation loop (as in pyx12.x12n_document), with the position of every error."""
    control_file = CONTROL_MAPS.get(src.icvn, CONTROL_MAPS["00501"])
    control_map = _load_map(control_file)
    map_index = pyx12.map_index.map_index()
    node = control_map.getnodebypath("/ISA_LOOP/ISA")
    walker = walk_tree()
    map_file: str | None = control_file
    cur_map: Any = None
    icvn = None
    for seg in src:
        index = src.get_cur_line()
        errh.current = feed.segment(index)
        feed.forget_before(index)
        seg_id = seg.get_seg_id()
        orig_node = node
        if seg_id in ("ISA", "GS"):
            errh.loop = ""
        if seg_id == "ISA":
            node = control_map.getnodebypath("/ISA_LOOP/ISA")
            walker.forceWalkCounterToLoopStart("/ISA_LOOP", "/ISA_LOOP/ISA")
        elif seg_id == "GS":
            node = control_map.getnodebypath("/ISA_LOOP/GS_LOOP/GS")
            walker.forceWalkCounterToLoopStart("/ISA_LOOP/GS_LOOP", "/ISA_LOOP/GS_LOOP/GS")
        else:
            node, _pop, _push, walk_errors = walker.walk_errors(
                node, seg, src.get_seg_count(), src.get_cur_line(), src.get_ls_id()
            )
            errh.loop = _loop_of(node) if node is not None else errh.loop
            apply_walk_errors(errh, walk_errors)
        if node is None:
            node = orig_node
            continue
        if seg_id == "ISA":
            errh.add_isa_loop(seg, src)
            icvn = seg.get_value("ISA12")
            errh.handle_errors(src.pop_errors())
        elif seg_id == "IEA":
            errh.handle_errors(src.pop_errors())
            errh.close_isa_loop(node, seg, src)
        elif seg_id == "GS":
            wanted = map_index.get_filename(icvn, seg.get_value("GS08"), seg.get_value("GS01"))
            if wanted is None:
                raise pyx12.errors.EngineError(
                    f"no TR3 map for GS01 {seg.get_value('GS01')!r} and GS08 {seg.get_value('GS08')!r}"
                )
            if wanted != map_file:
                map_file = wanted
                cur_map = _load_map(map_file)
                src.check_837_lx = cur_map.id == "837"
            node = cur_map.getnodebypath("/ISA_LOOP/GS_LOOP/GS")
            errh.add_gs_loop(seg, src)
            errh.handle_errors(src.pop_errors())
        elif seg_id == "GE":
            errh.handle_errors(src.pop_errors())
            errh.close_gs_loop(node, seg, src)
        elif seg_id == "ST":
            errh.add_st_loop(seg, src)
            errh.handle_errors(src.pop_errors())
        elif seg_id == "SE":
            errh.handle_errors(src.pop_errors())
            errh.close_st_loop(node, seg, src)
        else:
            errh.add_seg(node, seg, src.get_seg_count(), src.get_cur_line(), src.get_ls_id())
            errh.handle_errors(src.pop_errors())
        apply_segment_errors(node, seg, errh)
    src.cleanup()  # trailers missing at the end of the file
    errh.handle_errors(src.pop_errors())


def warm_up() -> None:
    """Load the control and 837P maps now (before worker processes fork, so they share them)."""
    install_log_bridge()
    _load_map(CONTROL_MAPS["00501"])
    wanted = pyx12.map_index.map_index().get_filename("00501", "005010X222A1", "HC")
    if wanted:
        _load_map(wanted)


@functools.cache
def _load_map(map_file: str) -> Any:
    """A pyx12 map, parsed once per process (about a second each). Maps hold no validation state:
    pyx12 keeps its loop and segment counts in the walker's NodeCounter, created per file."""
    return pyx12.map_if.load_map_file(map_file, pyx12.params.params())


def _loop_of(node: Any) -> str:
    """The TR3 loop id (2010BA, 2300 ...) a map segment sits in; '' for header and envelopes."""
    parent = node.get_parent()
    loop_id = str(getattr(parent, "id", "") or "")
    return loop_id if loop_id[:1].isdigit() else ""


def reference_check(path: str | Path) -> tuple[bool, list[str]]:
    """Validate with pyx12's own unmodified pipeline (``x12n_document``, its own file reader).

    An independent second opinion for our outputs (999, 277CA, split 837s): it shares none of
    our reader. Returns (valid, pyx12's error messages).
    """
    install_log_bridge()
    errors = io.StringIO()
    valid = pyx12.x12n_document.x12n_document(pyx12.params.params(), str(path), None, None, None, errors)
    messages: list[str] = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            for item in node.get("errors", []):
                messages.append(f"{item.get('err_cde')}: {item.get('err_str')}")
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    text = errors.getvalue()
    if text:
        collect(json.loads(text))
    return bool(valid) and not messages, messages


# -- logging -------------------------------------------------------------------------------------

_PYX12_LINE = re.compile(r"Line:(?P<line>\d+) (?P<kind>ISA|GS|ST|SEG|ELE):(?P<code>\w+)")
_bridge_installed = False


class _Pyx12LogBridge(logging.Handler):
    """pyx12's log records as structlog events, without their text.

    pyx12 writes messages such as ``Line:24 ELE:7 - (DOE) is not a valid code``: the value in
    brackets may be a patient's name or member id. Only the position and code are kept; the full
    message is already a finding in the (owner-only) report.
    """

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:
            text = ""
        match = _PYX12_LINE.search(text)
        fields: dict[str, Any] = {"pyx12_logger": record.name}
        if match:
            fields.update(segment=int(match["line"]), kind=match["kind"].lower(), code=match["code"])
        level = "debug" if record.levelno < logging.WARNING or match else record.levelname.lower()
        getattr(log, level if level in ("debug", "info", "warning", "error") else "warning")("pyx12.log", **fields)


def install_log_bridge() -> None:
    """Send pyx12's stdlib logging through structlog (once per process), text dropped."""
    global _bridge_installed
    if _bridge_installed:
        return
    logger = logging.getLogger("pyx12")
    logger.handlers[:] = [_Pyx12LogBridge()]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    # pyx12.error_999 sets its own level; its records still reach the bridge through "pyx12".
    _bridge_installed = True


def _safe(text: str) -> str:
    """An exception text with anything quoted or bracketed removed (it may quote segment data)."""
    return re.sub(r"(['\"(]).*?(['\")])", "...", text)[:120]
