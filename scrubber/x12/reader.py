"""Streaming X12 segment reader.

Delimiters come from each ISA header (element separator at position 3, repetition separator in
ISA11, component separator in ISA16, the segment terminator right after ISA16), so any characters
may be delimiters and every interchange in a file may declare its own. The file is read in chunks
and decoded as Latin-1, which maps every byte to one character: offsets stay byte offsets and no
byte sequence can make decoding fail. Memory is bounded by the chunk size plus the longest
segment, and an over-long segment is skipped rather than buffered.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from itertools import chain
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


@dataclass(slots=True)
class Cursor:
    """Where reading stands: offset and line of the first unsplit character, segment counters.

    Given to :class:`SegmentReader` as ``resume`` (with the interchange's delimiters), it lets a
    reader start in the middle of a file, right after a terminator, and still number segments,
    lines and offsets as a reader from the start would: that is how a file is split across workers.
    """

    offset: int = 0
    line: int = 1
    index: int = 0
    st_index: int = 0


class SegmentReader:
    """Iterates over the segments of a byte stream, with positions; reports issues to a sink.

    A chunk whose segments are all regular (ASCII, no empty segments, at most one line feed
    after each terminator) is split in one pass and handed on as a batch: that is the hot path.
    Any other chunk goes segment by segment, so that each issue reaches the sink just before
    the segment it concerns is handed on.
    """

    def __init__(
        self,
        stream: BinaryIO,
        on_issue: IssueSink | None = None,
        chunk_size: int = CHUNK_SIZE,
        resume: tuple[Delimiters, Cursor] | None = None,
    ):
        self._stream = stream
        self._resume = resume
        self.cursor = resume[1] if resume else Cursor()
        self._on_issue = on_issue or (lambda issue: None)
        self._chunk_size = chunk_size
        self.bytes_read = 0
        self.max_buffered = 0  # longest text held at once (characters): the memory bound, for tests

    def _read(self) -> str:
        data = self._stream.read(self._chunk_size)
        self.bytes_read += len(data)
        return data.decode("latin-1")

    def __iter__(self) -> Iterator[Segment]:
        return chain.from_iterable(self._batches())

    def _batches(self) -> Iterator[list[Segment]]:
        buffer = self._read()
        cursor = self.cursor
        seen_isa = self._resume is not None
        if self._resume is not None:  # inside an interchange whose ISA was read elsewhere
            rest = yield from self._interchange(buffer, self._resume[0], cursor)
            if rest is None:
                return
            buffer = rest

        while True:
            # -- find and parse the next ISA header -----------------------------------------
            while len(buffer) < 256:
                more = self._read()
                if not more:
                    break
                buffer += more
            if not seen_isa and buffer.startswith(_BOM):
                self._on_issue(ReaderIssue("bom", "file starts with a UTF-8 byte order mark", 0, 1))
                buffer, cursor.offset = buffer[3:], cursor.offset + 3
            stripped = buffer.lstrip(" \t\r\n")
            cursor.line += buffer.count("\n", 0, len(buffer) - len(stripped))
            cursor.offset += len(buffer) - len(stripped)
            buffer = stripped
            if not buffer:
                if not seen_isa:
                    raise NotX12Error("file is empty" if self.bytes_read == 0 else "file holds only white space")
                return
            if not buffer.startswith("ISA"):
                if not seen_isa:
                    preview = buffer[:12].encode("latin-1").decode("ascii", "backslashreplace")
                    raise NotX12Error(f"not an X12 file: it does not start with an ISA segment (starts {preview!r})")
                self._drain_trailing(buffer, cursor.offset, cursor.line)
                return
            try:
                delimiters = parse_isa_delimiters(buffer[:512])
            except NotX12Error as error:
                if not seen_isa:
                    raise
                # A later interchange is broken: keep what was read, report where it stops.
                self._on_issue(ReaderIssue("bad_isa", f"unreadable ISA: {error}", cursor.offset, cursor.line))
                while self._read():
                    pass
                return
            seen_isa = True
            rest = yield from self._interchange(buffer, delimiters, cursor)
            if rest is None:
                return
            buffer = rest

    def _interchange(
        self, buffer: str, delimiters: Delimiters, cursor: Cursor
    ) -> Generator[list[Segment], None, str | None]:
        """Split segments chunk by chunk up to the IEA; return the text after it (None: end of data)."""
        term = delimiters.segment
        while True:
            self.max_buffered = max(self.max_buffered, len(buffer))
            parts = buffer.split(term)
            tail = parts.pop()  # text after the last terminator: incomplete
            if _is_regular(buffer, parts, term):
                batch, stop = _split_regular(parts, delimiters, cursor)
                if batch:
                    yield batch
            else:
                stop = yield from self._split_irregular(parts, delimiters, cursor)
            if stop is not None:
                # A later interchange may declare other delimiters: re-parse from here.
                rest = term.join(parts[stop:])
                return f"{rest}{term}{tail}" if stop < len(parts) else tail
            buffer = tail
            more = self._read()
            if not more:
                if buffer.strip(" \t\r\n"):
                    self._on_issue(
                        ReaderIssue(
                            "unterminated",
                            "file ends in the middle of a segment (no terminator after "
                            f"{buffer.strip()[:20]!r}); the interchange has no IEA",
                            cursor.offset,
                            cursor.line,
                        )
                    )
                return None
            buffer += more
            if len(buffer) > MAX_SEGMENT_LENGTH and term not in buffer[: MAX_SEGMENT_LENGTH + 1]:
                self.max_buffered = max(self.max_buffered, len(buffer))
                buffer, cursor.offset, cursor.line, skipped = self._skip_oversized(
                    buffer, cursor.offset, cursor.line, term
                )
                if skipped is None:
                    return None

    def _split_irregular(
        self, parts: list[str], delimiters: Delimiters, cursor: Cursor
    ) -> Generator[list[Segment], None, int | None]:
        """The careful path: line breaks anywhere, empty segments, non-ASCII bytes. One segment a batch.

        Returns the number of parts used when an IEA ends the interchange, else None.
        """
        element_sep = delimiters.element
        for position, raw in enumerate(parts):
            start = raw.lstrip(_LINE_BREAKS)
            lead = len(raw) - len(start)
            seg_line = cursor.line
            if "\n" in raw:
                seg_line += raw.count("\n", 0, lead)
                cursor.line += raw.count("\n")
            text = start.rstrip(_LINE_BREAKS)
            seg_offset = cursor.offset + lead
            cursor.offset += len(raw) + 1
            if not text:
                self._on_issue(ReaderIssue("empty_segment", "empty segment (doubled terminator)", seg_offset, seg_line))
                continue
            cursor.index += 1
            elements = text.split(element_sep)
            seg_id = elements[0]
            if seg_id == "ST":
                cursor.st_index = 1
            elif cursor.st_index:
                cursor.st_index += 1
            segment = Segment(elements, cursor.index, cursor.st_index, seg_line, seg_offset, delimiters)
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
            yield [segment]
            if seg_id == "SE":
                cursor.st_index = 0
            elif seg_id == "IEA":
                return position + 1
        return None

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


def _is_regular(buffer: str, parts: list[str], term: str) -> bool:
    """True when positions follow from lengths alone: ASCII, no CR, no empty segment, and every
    line feed right after a terminator (a file with one segment per line, or none)."""
    if term in _LINE_BREAKS or "\r" in buffer or not buffer.isascii() or "" in parts or "\n" in parts:
        return False
    breaks = buffer.count("\n")
    return breaks == 0 or breaks == buffer.count(term + "\n") + buffer.startswith("\n")


def _split_regular(parts: list[str], delimiters: Delimiters, cursor: Cursor) -> tuple[list[Segment], int | None]:
    """The hot path: segments of a regular chunk (see :func:`_is_regular`), as one list.

    Also returns the number of parts used when an IEA ends the interchange (else None).
    """
    element_sep = delimiters.element
    offset, line, index, st_index = cursor.offset, cursor.line, cursor.index, cursor.st_index
    batch: list[Segment] = []
    append = batch.append
    stop = None
    for position, raw in enumerate(parts):
        if raw[0] == "\n":
            line += 1
            elements = raw[1:].split(element_sep)
            seg_offset = offset + 1
        else:
            elements = raw.split(element_sep)
            seg_offset = offset
        offset += len(raw) + 1
        index += 1
        seg_id = elements[0]
        if seg_id == "ST":
            st_index = 1
        elif st_index:
            st_index += 1
        append(Segment(elements, index, st_index, line, seg_offset, delimiters))
        if seg_id == "SE":
            st_index = 0
        elif seg_id == "IEA":
            stop = position + 1
            break
    cursor.offset, cursor.line, cursor.index, cursor.st_index = offset, line, index, st_index
    return batch, stop
