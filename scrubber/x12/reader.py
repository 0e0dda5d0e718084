"""Streaming X12 segment reader.

Delimiters come from each ISA header (element separator at position 3, repetition separator in
ISA11, component separator in ISA16, the segment terminator right after ISA16), so any characters
may be delimiters and every interchange in a file may declare its own. The file is read in chunks
and decoded as Latin-1, which maps every byte to one character: offsets stay byte offsets and no
byte sequence can make decoding fail. Memory is bounded by the chunk size plus the longest
segment, and an over-long segment is skipped rather than buffered.

The reader is SNIP level 1 (X12 syntax), with or without the TR3 structure check after it: the
ISA's fixed layout (:mod:`scrubber.x12.isa`), bytes outside the character sets
(:mod:`scrubber.x12.charset`), a byte order mark, segments after the last IEA. White space
(line breaks, spaces, tabs) between a terminator and the next segment id is not data: it is read
past, and spaces or tabs there (pretty-printed X12) are reported once per file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from itertools import chain
from typing import BinaryIO

from scrubber.x12.charset import REGULAR_BYTES, byte_name, describe_start, first_outside
from scrubber.x12.isa import isa_problems
from scrubber.x12.segment import Delimiters, PrintableBatch, Segment

# Bytes read at a time; a chunk's segments are one batch, which the structure check and then the
# walker go through. A quarter MiB (~6,000 segments) measured 1-2% faster than 1 MiB (the batch
# stays closer to the CPU caches between the two) and holds less in memory; 16 KiB was 4% slower.
CHUNK_SIZE = 1 << 18
MAX_SEGMENT_LENGTH = 1 << 20  # no TR3 segment comes near this; longer ones are skipped, not buffered
_ISA_ELEMENTS = 16
_BOM = "\xef\xbb\xbf"  # UTF-8 byte order mark, as Latin-1 characters
_LINE_BREAKS = "\r\n"
_BLANKS = " \t\r\n"  # white space a segment may be preceded by (not data)
_PREVIEW = 256  # bytes described (never quoted) when a file is not X12
_SEGMENT_ID = re.compile(r"[A-Z][A-Z0-9]{1,2}")
_BEFORE_ISA = (
    "white space before the ISA: it was read past, but a receiver reads the ISA at fixed positions "
    "from the first byte of the file"
)
_BEFORE_SEGMENT = (
    "spaces or tabs before a segment id (pretty-printed X12; reported once per file): they were read "
    "past, but X12 allows nothing between a terminator and the next segment id except, by convention, "
    "a line break"
)


class NotX12Error(Exception):
    """The input cannot be read as X12 at all (no usable ISA header)."""


@dataclass(frozen=True, slots=True)
class ReaderIssue:
    """Something the reader noticed besides segments: BOM, stray bytes, over-long segment, broken ISA.

    Kinds: bom, non_ascii, control (a byte outside the character sets that is not above 0x7F),
    white_space (spaces or tabs before a segment: once per file), isa_layout (the ISA breaks
    its fixed layout: one per element), empty_segment, oversized_segment, trailing_data (bytes
    after the last IEA that are not segments), unterminated, bad_isa (an ISA that cannot be read).
    """

    kind: str
    message: str
    offset: int
    line: int
    segment: Segment | None = None
    element: str = ""  # e.g. ISA02, NM103: the element at fault, when known


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
        self._last_odd = -1  # stream offset of the last byte read that a regular chunk cannot hold
        self._noted_blanks = False  # white space before a segment is reported once per file

    def _read(self) -> str:
        data = self._stream.read(self._chunk_size)
        odd = data.translate(None, REGULAR_BYTES)  # one C pass: control bytes, CR, bytes above 0x7E
        if odd:
            self._last_odd = self.bytes_read + max(data.rfind(byte) for byte in set(odd))
        self.bytes_read += len(data)
        return data.decode("latin-1")

    def _is_clean(self, buffer: str) -> bool:
        """True when ``buffer`` (always the unread end of what was read) holds no odd byte."""
        return self._last_odd < self.bytes_read - len(buffer)

    def __iter__(self) -> Iterator[Segment]:
        return chain.from_iterable(self.batches())

    def batches(self) -> Iterator[list[Segment]]:
        """The segments in the batches they are split in (a whole chunk on the hot path, else one
        by one): for a consumer that does better with a run of segments at a time. A chunk of the
        hot path comes as a :class:`PrintableBatch`."""
        buffer = self._read()
        cursor = self.cursor
        last: Delimiters | None = None  # the delimiters of the interchange read last
        if self._resume is not None:  # inside an interchange whose ISA was read elsewhere
            last = self._resume[0]
            rest = yield from self._interchange(buffer, last, cursor)
            if rest is None:
                return
            buffer = rest

        while True:
            # -- find and parse the next ISA header -----------------------------------------
            while len(buffer) < _PREVIEW:
                more = self._read()
                if not more:
                    break
                buffer += more
            buffer = self._skip_blanks(buffer, cursor, first=last is None)
            if buffer.startswith(_BOM):
                self._on_issue(
                    ReaderIssue(
                        "bom",
                        "a UTF-8 byte order mark precedes the ISA; an interchange must start with the ISA itself",
                        cursor.offset,
                        cursor.line,
                    )
                )
                buffer, cursor.offset = buffer[3:], cursor.offset + 3
                buffer = self._skip_blanks(buffer, cursor, first=last is None)
            if not buffer:
                if last is None:
                    raise NotX12Error("file is empty" if self.bytes_read == 0 else "file holds only white space")
                return
            if not buffer.startswith("ISA"):
                if last is None:
                    raise NotX12Error(
                        f"not an X12 file: it does not start with an ISA segment ({describe_start(buffer[:_PREVIEW])})"
                    )
                if not _starts_segment(buffer, last):
                    self._drain_trailing(buffer, cursor.offset, cursor.line)
                    return
                # Segments after an IEA and before any ISA: handed on, so that the walker reports
                # each one (a trailer without its header, a segment outside any interchange).
                rest = yield from self._interchange(buffer, last, cursor)
                if rest is None:
                    return
                buffer = rest
                continue
            try:
                delimiters = parse_isa_delimiters(buffer[:512])
            except NotX12Error as error:
                if last is None:
                    raise
                # A later interchange is broken: keep what was read, report where it stops.
                self._on_issue(ReaderIssue("bad_isa", f"unreadable ISA: {error}", cursor.offset, cursor.line))
                while self._read():
                    pass
                return
            self._check_isa(buffer, delimiters, cursor)
            last = delimiters
            rest = yield from self._interchange(buffer, delimiters, cursor)
            if rest is None:
                return
            buffer = rest

    def _skip_blanks(self, buffer: str, cursor: Cursor, *, first: bool) -> str:
        """Read past white space before an ISA (or a stray segment); note spaces and tabs, and any
        white space before the file's first ISA (a receiver reads the ISA at fixed positions)."""
        stripped = buffer.lstrip(_BLANKS)
        lead = len(buffer) - len(stripped)
        line = cursor.line + buffer.count("\n", 0, lead)
        if lead and stripped and first:
            self._note_blanks(_BEFORE_ISA, cursor.offset + lead, line)
        elif lead and stripped and buffer[:lead].strip(_LINE_BREAKS):
            self._note_blanks(_BEFORE_SEGMENT, cursor.offset + lead, line)
        cursor.line = line
        cursor.offset += lead
        return stripped

    def _note_blanks(self, message: str, offset: int, line: int, segment: Segment | None = None) -> None:
        """Report white space before a segment once per file: one cause (a pretty-printer), one finding."""
        if not self._noted_blanks:
            self._noted_blanks = True
            self._on_issue(ReaderIssue("white_space", message, offset, line, segment))

    def _check_isa(self, buffer: str, delimiters: Delimiters, cursor: Cursor) -> None:
        """Report each way the ISA at the start of ``buffer`` breaks its fixed layout (SNIP 1)."""
        elements = buffer.split(delimiters.segment, 1)[0].split(delimiters.element)
        problems = isa_problems(elements)
        if not problems:
            return
        isa = Segment(elements, cursor.index + 1, 0, cursor.line, cursor.offset, delimiters)
        for element, message in problems:
            self._on_issue(ReaderIssue("isa_layout", message, cursor.offset, cursor.line, isa, element))

    def _interchange(
        self, buffer: str, delimiters: Delimiters, cursor: Cursor
    ) -> Generator[list[Segment], None, str | None]:
        """Split segments chunk by chunk up to the IEA; return the text after it (None: end of data)."""
        term = delimiters.segment
        while True:
            self.max_buffered = max(self.max_buffered, len(buffer))
            parts = buffer.split(term)
            tail = parts.pop()  # text after the last terminator: incomplete
            if self._is_clean(buffer) and _is_regular(buffer, parts, term):
                batch, used, ended = _split_regular(parts, delimiters, cursor)
                if batch:
                    yield batch
                del batch  # not held while the next chunk is split
                if ended:
                    stop: int | None = used
                elif used < len(parts):  # a segment with spaces before it: the careful path takes the rest
                    stop = yield from self._split_irregular(parts, delimiters, cursor, used)
                else:
                    stop = None
            else:
                stop = yield from self._split_irregular(parts, delimiters, cursor, 0)
            if stop is not None:
                # A later interchange may declare other delimiters: re-parse from here.
                rest = term.join(parts[stop:])
                return f"{rest}{term}{tail}" if stop < len(parts) else tail
            buffer = tail
            more = self._read()
            if not more:
                if buffer.strip(_BLANKS):
                    self._on_issue(
                        ReaderIssue(
                            "unterminated",
                            f"the file ends in the middle of {_what_starts(buffer.lstrip(_BLANKS))}: "
                            "no terminator after it",
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
        self, parts: list[str], delimiters: Delimiters, cursor: Cursor, start: int
    ) -> Generator[list[Segment], None, int | None]:
        """The careful path: white space anywhere, empty segments, bytes outside the character sets.
        One segment a batch, each issue reported just before its segment.

        Returns the number of parts used when an IEA ends the interchange, else None.
        """
        element_sep = delimiters.element
        for position in range(start, len(parts)):
            raw = parts[position]
            start_text = raw.lstrip(_BLANKS)
            lead = len(raw) - len(start_text)
            seg_line = cursor.line
            if "\n" in raw:
                seg_line += raw.count("\n", 0, lead)
                cursor.line += raw.count("\n")
            text = start_text.rstrip(_LINE_BREAKS)
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
            if lead and raw[:lead].strip(_LINE_BREAKS):
                self._note_blanks(_BEFORE_SEGMENT, seg_offset, seg_line, segment)
            odd = first_outside(text, delimiters)
            if odd >= 0:
                self._on_issue(_odd_byte(segment, text, odd))
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
        """Report bytes after the last IEA that are not segments (padding, a note) and read past them."""
        self._on_issue(
            ReaderIssue(
                "trailing_data",
                f"data after the last IEA is ignored: {describe_start(buffer[:_PREVIEW].rstrip(_BLANKS))}",
                offset,
                line,
            )
        )
        while self._read():
            pass


def _starts_segment(text: str, delimiters: Delimiters) -> bool:
    """True when ``text`` starts like a segment: an id, then an element separator or terminator."""
    match = _SEGMENT_ID.match(text)
    return match is not None and text[match.end() : match.end() + 1] in (delimiters.element, delimiters.segment)


def _what_starts(text: str) -> str:
    """'an NM1 segment' or 'a segment' (the id only: the rest may be a patient's name)."""
    match = _SEGMENT_ID.match(text)
    return f"a segment that starts with id {match.group()}" if match else "a segment"


def _odd_byte(segment: Segment, text: str, index: int) -> ReaderIssue:
    """The issue for a byte outside the character sets at ``text[index]``: its value and element."""
    char = text[index]
    position = text.count(segment.delimiters.element, 0, index)
    element = f"{segment.id}{position:02d}" if position and _SEGMENT_ID.fullmatch(segment.id) else ""
    where = element or "the segment id"
    kind = "non_ascii" if ord(char) > 0x7F else "control"
    return ReaderIssue(
        kind,
        f"{where} holds byte {byte_name(char)}, outside the X12 basic and extended character sets",
        segment.offset,
        segment.line,
        segment,
        element,
    )


def _is_regular(buffer: str, parts: list[str], term: str) -> bool:
    """True when positions follow from lengths alone: no empty segment, and every line feed right
    after a terminator (a file with one segment per line, or none). The caller has made sure the
    buffer holds only the character sets and line feeds (:meth:`SegmentReader._is_clean`)."""
    if term in _LINE_BREAKS or "" in parts or "\n" in parts:
        return False
    breaks = buffer.count("\n")
    return breaks == 0 or breaks == buffer.count(term + "\n") + buffer.startswith("\n")


def _split_regular(parts: list[str], delimiters: Delimiters, cursor: Cursor) -> tuple[PrintableBatch, int, bool]:
    """The hot path: segments of a regular chunk (see :func:`_is_regular`), as one list.

    Returns the batch, the number of parts used and whether an IEA ended the interchange. It
    stops early, before a part that starts with a space (indented X12), for the careful path.
    """
    element_sep = delimiters.element
    offset, line, index, st_index = cursor.offset, cursor.line, cursor.index, cursor.st_index
    first_index = index  # parts map one to one to segments here: parts used = index - first_index
    batch = PrintableBatch()  # a regular chunk holds no byte outside 0x20-0x7E but line feeds after terminators
    append = batch.append
    used, ended = len(parts), False
    for raw in parts:
        if raw[0] == "\n":
            if raw[1] == " ":
                used = index - first_index
                break
            line += 1
            elements = raw.split(element_sep)
            elements[0] = elements[0][1:]  # the line feed: cut from the id, not copied off the whole text
            seg_offset = offset + 1
        elif raw[0] == " ":
            used = index - first_index
            break
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
            used, ended = index - first_index, True
            break
    cursor.offset, cursor.line, cursor.index, cursor.st_index = offset, line, index, st_index
    return batch, used, ended
