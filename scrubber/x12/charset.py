"""The X12 character sets, and how to talk about bytes outside them without quoting the file.

X12's basic and extended character sets are printable ASCII (space to tilde). Anything else inside
a segment (control bytes such as NUL, 0x1A or DEL, line breaks in the middle of a segment, bytes
above 0x7F) is a syntax error (SNIP 1), unless the interchange chose that character as a
delimiter. Messages that describe such bytes name their values and positions, never the text
around them: the text may be a patient's name, and messages end up in logs.
"""

from __future__ import annotations

import re

from scrubber.x12.segment import Delimiters

# Bytes a regular chunk may hold: the character sets plus the line feed that may follow a terminator.
REGULAR_BYTES = bytes(range(0x20, 0x7F)) + b"\n"
_SEGMENT_START = re.compile(r"[A-Z][A-Z0-9]{1,2}[^A-Za-z0-9 ]")


def first_outside(text: str, delimiters: Delimiters) -> int:
    """Index of the first character of ``text`` outside the character sets (delimiters aside), or -1."""
    if text.isascii() and text.isprintable():
        return -1
    allowed = (delimiters.element, delimiters.component, delimiters.repetition)
    for index, char in enumerate(text):
        if not (" " <= char <= "~") and char not in allowed:
            return index
    return -1


def byte_name(char: str) -> str:
    """What a byte outside the character sets is, for a message: '0x1A (a control byte)'."""
    code = ord(char)
    if char in "\r\n":
        kind = "a line break inside the segment"
    elif code == 0x09:
        kind = "a tab"
    elif code < 0x20 or code == 0x7F:
        kind = "a control byte"
    else:
        kind = "not ASCII"
    return f"0x{code:02X} ({kind})"


def describe_start(text: str) -> str:
    """What the start of a file that is not X12 looks like, without quoting it.

    ``text`` is the first bytes, decoded as Latin-1. The answer says how many bytes were looked
    at and whether they are printable text, X12-like segments, UTF-16 or binary data.
    """
    size = len(text)
    if text.startswith(("\xff\xfe", "\xfe\xff")):
        kind = "UTF-16 text (X12 files are single-byte text)"
    elif _SEGMENT_START.match(text):
        kind = "segments without an interchange header"
    elif all(" " <= char <= "~" or char in "\r\n\t" for char in text):
        kind = "printable text"
    elif text.isascii() and sum(" " <= char <= "~" for char in text) > 0.9 * size:
        kind = "mostly printable text with control bytes"
    else:
        kind = "binary data"
    return f"its first {size:,} bytes are {kind}" if size > 1 else f"its one byte is {kind}"
