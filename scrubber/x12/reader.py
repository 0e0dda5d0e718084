"""Streaming X12 segment reader.

Delimiters come from each ISA header (element separator at position 3, repetition separator in
ISA11, component separator in ISA16, the segment terminator right after ISA16), so any characters
may be delimiters and every interchange in a file may declare its own. The file is read in chunks
and decoded as Latin-1, which maps every byte to one character: offsets stay byte offsets and no
byte sequence can make decoding fail. Memory is bounded by the chunk size plus the longest
segment, and an over-long segment is skipped rather than buffered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from scrubber.x12.segment import Delimiters, Segment

CHUNK_SIZE = 1 << 20
MAX_SEGMENT_LENGTH = 1 << 20  # no TR3 segment comes near this; longer ones are skipped, not buffered
_ISA_ELEMENTS = 16
_BOM = "\xef\xbb\xbf"  # UTF-8 byte order mark, as Latin-1 characters
_LINE_BREAKS = "\r\n"


class NotX12Error(Exception):
    """The input cannot be read as X12 at all (no usable ISA header)."""


@dataclass(frozen=True, slots=True)
class ReaderIssue:
    """Something the reader noticed that is not a segment: BOM, stray bytes, over-long segment."""

    kind: str  # bom | non_ascii | empty_segment | oversized_segment | trailing_data | unterminated | bad_isa
    message: str
    offset: int
    line: int
    segment: Segment | None = None


IssueSink = Callable[[ReaderIssue], None]


def parse_isa_delimiters(head: str) -> Delimiters:
    """Read the delimiters from text starting with ``ISA``."""
    if len(head) < 4:
        raise NotX12Error("file ends inside the ISA header")
    element = head[3]
    if element.isalnum() or element in " \r\n":
        raise NotX12Error(f"ISA element separator {element!r} is not a usable delimiter")
    position = 3
    for _ in range(_ISA_ELEMENTS - 1):
        position = head.find(element, position + 1)
        if position < 0:
            raise NotX12Error("file ends inside the ISA header (fewer than 16 ISA elements)")
    if position + 2 >= len(head):
        raise NotX12Error("file ends inside the ISA header (no segment terminator after ISA16)")
    component = head[position + 1]
    terminator = head[position + 2]
    isa_fields = head[: position + 1].split(element)
    repetition = isa_fields[11] if len(isa_fields) > 11 and len(isa_fields[11]) == 1 else "^"
    delimiters = Delimiters(element=element, component=component, repetition=repetition, segment=terminator)
    used = [element, component, terminator]
    if len(set(used)) != len(used) or terminator.isalnum() or component.isalnum():
        raise NotX12Error(
            "ISA declares clashing or alphanumeric delimiters "
            f"(element {element!r}, component {component!r}, terminator {terminator!r})"
        )
    return delimiters


class SegmentReader:
    """Iterates over the segments of a byte stream, with positions; reports issues to a sink."""

    def __init__(self, stream: BinaryIO, on_issue: IssueSink | None = None, chunk_size: int = CHUNK_SIZE):
        self._stream = stream
        self._on_issue = on_issue or (lambda issue: None)
        self._chunk_size = chunk_size
        self.bytes_read = 0

    def _read(self) -> str:
        data = self._stream.read(self._chunk_size)
        self.bytes_read += len(data)
        return data.decode("latin-1")

    def __iter__(self) -> Iterator[Segment]:
        buffer = self._read()
        offset = 0  # byte offset of buffer[0]
        line = 1  # line number at buffer[0]
        index = 0
        st_index = 0
        seen_isa = False

        while True:
            # -- find and parse the next ISA header -----------------------------------------
            while len(buffer) < 256:
                more = self._read()
                if not more:
                    break
                buffer += more
            if not seen_isa and buffer.startswith(_BOM):
                self._on_issue(ReaderIssue("bom", "file starts with a UTF-8 byte order mark", 0, 1))
                buffer, offset = buffer[3:], offset + 3
            stripped = buffer.lstrip(" \t\r\n")
            line += buffer.count("\n", 0, len(buffer) - len(stripped))
            offset += len(buffer) - len(stripped)
            buffer = stripped
            if not buffer:
                if not seen_isa:
                    raise NotX12Error("file is empty" if self.bytes_read == 0 else "file holds only white space")
                return
            if not buffer.startswith("ISA"):
                if not seen_isa:
                    preview = buffer[:12].encode("latin-1").decode("ascii", "backslashreplace")
                    raise NotX12Error(f"not an X12 file: it does not start with an ISA segment (starts {preview!r})")
                self._drain_trailing(buffer, offset, line)
                return
            try:
                delimiters = parse_isa_delimiters(buffer[:512])
            except NotX12Error as error:
                if not seen_isa:
                    raise
                # A later interchange is broken: keep what was read, report where it stops.
                self._on_issue(ReaderIssue("bad_isa", f"unreadable ISA: {error}", offset, line))
                while self._read():
                    pass
                return
            seen_isa = True
            term = delimiters.segment
            element_sep = delimiters.element

            # -- split segments until the IEA (or the end of the data) ---------------------
            interchange_done = False
            while not interchange_done:
                parts = buffer.split(term)
                tail = parts.pop()  # text after the last terminator: incomplete
                consumed = 0
                for position, raw in enumerate(parts):
                    raw_length = len(raw) + 1
                    start = raw.lstrip(_LINE_BREAKS)
                    lead = len(raw) - len(start)
                    seg_line = line
                    if "\n" in raw:
                        seg_line += raw.count("\n", 0, lead)
                        line += raw.count("\n")
                    text = start.rstrip(_LINE_BREAKS)
                    seg_offset = offset + consumed + lead
                    consumed += raw_length
                    if not text:
                        self._on_issue(
                            ReaderIssue("empty_segment", "empty segment (doubled terminator)", seg_offset, seg_line)
                        )
                        continue
                    index += 1
                    elements = text.split(element_sep)
                    seg_id = elements[0]
                    if seg_id == "ST":
                        st_index = 1
                    elif st_index:
                        st_index += 1
                    segment = Segment(elements, index, st_index, seg_line, seg_offset, delimiters)
                    if not text.isascii():
                        self._on_issue(
                            ReaderIssue(
                                "non_ascii",
                                "segment holds bytes outside ASCII, which X12 does not allow",
                                seg_offset,
                                seg_line,
                                segment,
                            )
                        )
                    yield segment
                    if seg_id == "SE":
                        st_index = 0
                    elif seg_id == "IEA":
                        # A later interchange may declare other delimiters: re-parse from here.
                        rest = term.join(parts[position + 1 :])
                        buffer = f"{rest}{term}{tail}" if position + 1 < len(parts) else tail
                        offset += consumed
                        interchange_done = True
                        break
                if interchange_done:
                    break
                offset += consumed
                buffer = tail
                more = self._read()
                if not more:
                    if buffer.strip(" \t\r\n"):
                        self._on_issue(
                            ReaderIssue(
                                "unterminated",
                                "file ends in the middle of a segment (no terminator after "
                                f"{buffer.strip()[:20]!r}); the interchange has no IEA",
                                offset,
                                line,
                            )
                        )
                    return
                buffer += more
                if len(buffer) > MAX_SEGMENT_LENGTH and term not in buffer:
                    buffer, offset, line, skipped = self._skip_oversized(buffer, offset, line, term)
                    if skipped is None:
                        return

    def _skip_oversized(self, buffer: str, offset: int, line: int, term: str) -> tuple[str, int, int, int | None]:
        """Discard an over-long segment up to its terminator without holding it in memory."""
        start_offset, start_line = offset, line
        skipped = 0
        while term not in buffer:
            skipped += len(buffer)
            line += buffer.count("\n")
            buffer = self._read()
            if not buffer:
                self._on_issue(
                    ReaderIssue(
                        "oversized_segment",
                        f"segment of more than {skipped:,} bytes without a terminator runs to the end of the file",
                        start_offset,
                        start_line,
                    )
                )
                return "", offset + skipped, line, None
        cut = buffer.index(term) + 1
        skipped += cut
        line += buffer.count("\n", 0, cut)
        self._on_issue(
            ReaderIssue(
                "oversized_segment",
                f"segment of {skipped:,} bytes is longer than the {MAX_SEGMENT_LENGTH:,} bytes read; skipped",
                start_offset,
                start_line,
            )
        )
        return buffer[cut:], offset + skipped, line, skipped

    def _drain_trailing(self, buffer: str, offset: int, line: int) -> None:
        """Report data after the last IEA (it belongs to no interchange) and read past it."""
        preview = buffer.strip()[:20].encode("latin-1").decode("ascii", "backslashreplace")
        self._on_issue(
            ReaderIssue("trailing_data", f"data after the last IEA is ignored (starts {preview!r})", offset, line)
        )
        while self._read():
            pass
