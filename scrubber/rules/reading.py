"""ENV: what the reader and the 837P walker find in the envelopes and the segment layout.

These rules have no ``check``: the reader and the walker meet these problems while they read,
because only they see the file as a sequence, and report them as parse issues of a kind; each rule
here names the kinds it turns into findings. They live in the catalogue so that configuration,
``scrubber rules`` and every report treat them like any other rule.
"""

from __future__ import annotations

from scrubber.findings import Severity
from scrubber.model import IssueKind
from scrubber.rules.base import MISSING_OR_INVALID, IssueRule, Rule

TR3 = "ASC X12N 005010X222A1 (837P) TR3"
X12_CONTROL = "ASC X12 005010 interchange and functional group control structures"


class EnvelopeCountMismatch(IssueRule):
    """
    What it checks:
        SE01 (segments in the transaction, ST and SE included), GE01 (transactions in the group)
        and IEA01 (groups in the interchange) against what the file holds.

    Why payers reject it:
        A wrong count means segments were lost or added in transit; the receiver's 999 rejects
        the transaction set or the group (IK5/AK9 with code 4 or 5).

    Example:
        ``SE*40*0021~`` closing a transaction of 42 segments.

    Fix:
        Regenerate the file from the billing system; if it was edited by hand, recount the
        segments from ST to SE and write the count into SE01.

    Configuration:
        Severity may be changed; disabling it is not advised.

    References:
        ASC X12 005010 control structures, SE01, GE01, IEA01.
    """

    code = "ENV001"
    name = "envelope-count-mismatch"
    severity = Severity.ERROR
    summary = "SE01, GE01 or IEA01 count does not match the file"
    reference = X12_CONTROL
    fix = "Recount and correct the trailer count, or regenerate the file."
    kinds = frozenset({IssueKind.COUNT})


class ControlNumberMismatch(IssueRule):
    """
    What it checks:
        That SE02 repeats ST02, GE02 repeats GS06 and IEA02 repeats ISA13.

    Why payers reject it:
        Control numbers tie a trailer to its header; a mismatch means the envelopes are broken
        and the receiver rejects the transaction, group or interchange.

    Example:
        ``ST*837*0021*005010X222A1~`` ... ``SE*42*0022~``.

    Fix:
        Make the trailer carry the same control number as its header.

    Configuration:
        Severity may be changed.

    References:
        ASC X12 005010 control structures, SE02, GE02, IEA02.
    """

    code = "ENV002"
    name = "control-number-mismatch"
    severity = Severity.ERROR
    summary = "SE02, GE02 or IEA02 does not repeat its header's control number"
    reference = X12_CONTROL
    fix = "Make the trailer's control number equal its header's."
    kinds = frozenset({IssueKind.CONTROL})


class MissingTrailer(IssueRule):
    """
    What it checks:
        That every ST has an SE, every GS a GE and every ISA an IEA before the file ends, and
        that trailers do not appear without their header, also after the last IEA (a stray
        ``IEA``, ``GE`` or ``SE`` there is read as a segment and reported here, an error). A
        claim still open when its transaction breaks off is rejected.

    Why payers reject it:
        A file cut off in transfer is incomplete; claims in it may have lost service lines. A
        trailer without its header means the file was assembled wrongly (two files concatenated,
        an interchange edited by hand); a payer's front end cannot tell what it closes and
        rejects the interchange (TA1 or 999), so this is an error, not the ENV007 warning that
        padding after the IEA gets.

    Example:
        A file that ends after ``SV1*HC:99213*40*UN*1***1~`` with no SE, GE or IEA; or
        ``...IEA*1*000000001~IEA*1*000000001~``.

    Fix:
        Resend the complete file; remove trailers that close nothing.

    Configuration:
        Severity may be changed.

    References:
        ASC X12 005010 control structures.
    """

    code = "ENV003"
    name = "missing-trailer"
    severity = Severity.ERROR
    summary = "the file ends before SE, GE or IEA, or a trailer has no header"
    reference = X12_CONTROL
    fix = "Resend the complete file; it was cut off or assembled wrongly."
    kinds = frozenset({IssueKind.TRAILER})


class UnsupportedTransaction(IssueRule):
    """
    What it checks:
        That each transaction is an 837 professional claim (ST01 837, GS08 or ST03
        005010X222A1 or A2). Other transactions (837I, 835, 270, ...) are reported and skipped.

    Why payers reject it:
        A professional-claims gateway cannot adjudicate other transaction types.

    Example:
        ``GS*HC*...*005010X223A2~`` (institutional claims) in a professional claims file.

    Fix:
        Send the transaction to the channel that handles its type.

    Configuration:
        Severity may be changed.

    References:
        ASC X12N 005010X222A1 TR3, section 1.
    """

    code = "ENV004"
    name = "unsupported-transaction"
    severity = Severity.ERROR
    summary = "transaction is not an 837P (005010X222A1/A2)"
    reference = TR3
    fix = "Route the transaction to a system that handles its type."
    kinds = frozenset({IssueKind.UNSUPPORTED})


class UnexpectedSegment(IssueRule):
    """
    What it checks:
        That each segment stands in a loop where the TR3 allows it: no service line before a
        claim, no claim before a subscriber HL, no segment of an unknown id.

    Why payers reject it:
        A segment out of place cannot be assigned to a claim; the 999 reports it as
        unexpected (IK3 code 2 or 3) and rejects the transaction.

    Example:
        ``SV1*HC:99213*40*UN*1***1~`` directly after ``CLM`` without an ``LX``.

    Fix:
        Move the segment into its loop or remove it.

    Configuration:
        Severity may be changed.

    References:
        ASC X12N 005010X222A1 TR3, section 2.
    """

    code = "ENV005"
    name = "unexpected-segment"
    severity = Severity.ERROR
    summary = "segment outside any loop that allows it"
    reference = TR3
    fix = "Move the segment into the loop it belongs to, or remove it."
    kinds = frozenset({IssueKind.UNEXPECTED})


class InvalidCharacters(IssueRule):
    """
    What it checks:
        Every byte of every segment against the X12 basic and extended character sets
        (printable ASCII, space to tilde): bytes above 0x7F, control bytes (NUL, 0x1A, DEL, tab)
        and line breaks inside a segment are reported, located at their element, with the byte's
        value (never the text around it). The interchange's own delimiters are exempt, even
        when they are control characters. Also a UTF-8 byte order mark before an ISA.

    Why payers reject it:
        X12 allows the basic and extended character sets only (SNIP 1); a gateway rejects a
        file with other bytes. A byte order mark before ISA moves every fixed position of the
        header by three bytes: the ISA is fixed-length and must be the first 106 bytes of the
        interchange, so a front end that does not strip the mark rejects the whole file (TA1).
        It is an error for that reason (pyx12 cannot read such a file either).

    Example:
        ``NM1*IL*1*MU\\xc3\\x91OZ*JOSE****MI*123~`` (UTF-8 Ñ), or ``SV1*HC:99213*40*UN*1\\x00***1~``.

    Fix:
        Transliterate to ASCII (Ñ to N), remove control bytes, and save the file without a
        byte order mark ("UTF-8 without BOM" or plain ASCII in the editor's save dialog).

    Configuration:
        Severity may be changed.

    References:
        ASC X12 005010 character sets (TR3 appendix B).
    """

    code = "ENV006"
    name = "invalid-characters"
    severity = Severity.ERROR
    summary = "bytes outside the X12 character sets (non-ASCII, control bytes), or a byte order mark"
    reference = "ASC X12N 005010X222A1 TR3, appendix B, character sets"
    fix = "Transliterate the text to ASCII, remove control bytes and any byte order mark."
    kinds = frozenset({IssueKind.CHARACTERS})


class TrailingData(IssueRule):
    """
    What it checks:
        Bytes after the last IEA that are not segments (padding, an end-of-file byte, a note),
        empty segments (two terminators in a row), and spaces or tabs between a terminator and
        the next segment id (pretty-printed X12, once per file) or white space before the
        file's first ISA. Segments after the last IEA are not stray data: they are read and
        reported as what they are (ENV003 for a trailer without its header, ENV005 otherwise).

    Why payers reject it:
        Strict gateways reject any byte outside an interchange, and an empty segment is a
        syntax error. Most front ends strip padding (NULs, 0x1A, blanks) that transfer programs
        add, and the interchange before it is complete and counted, so a warning is the
        default. White space before a segment id is not data (scrubber reads past it, as pyx12
        does, so the claims are the same), but X12 allows nothing there except a line break by
        convention; a gateway that reads segments strictly sees an unknown segment id, and one
        that reads the ISA at fixed positions cannot read an indented or preceded ISA. Reported
        once, as a warning: reformat the file before sending it.

    Example:
        ``IEA*1*000010216~~``, a signature line after the IEA, or ``~\\n    NM1*IL*1*DOE...``.

    Fix:
        Remove what follows the IEA and the doubled terminators; write one segment per line
        (or none) without indentation.

    Configuration:
        Severity may be changed (warning by default).

    References:
        ASC X12 005010 control structures.
    """

    code = "ENV007"
    name = "stray-data"
    severity = Severity.WARNING
    summary = "data after the last IEA, an empty segment, or white space before a segment"
    reference = X12_CONTROL
    fix = "Remove the stray data."
    kinds = frozenset({IssueKind.TRAILING})


class MalformedValue(IssueRule):
    """
    What it checks:
        Values the walker must read to build a claim: CLM01 present, dates in D8 or RD8 form,
        HI composites with a qualifier and code, no more than 12 diagnosis codes, numeric LX.

    Why payers reject it:
        The payer's front end cannot read the value, so the claim is rejected (277CA A3/A7).

    Example:
        ``DTP*472*D8*2006103~`` (seven digits).

    Fix:
        Correct the value in the billing system and resubmit the claim.

    Configuration:
        Severity may be changed.

    References:
        ASC X12N 005010X222A1 TR3, loop 2300 and 2400 element notes.
    """

    code = "ENV008"
    name = "malformed-value"
    severity = Severity.ERROR
    summary = "a value the claim needs cannot be read (date, CLM01, HI composite)"
    reference = TR3
    fix = "Correct the value and resubmit."
    kinds = frozenset({IssueKind.MALFORMED})
    status = MISSING_OR_INVALID  # the data reads but a value is wrong


class OversizedSegment(IssueRule):
    """
    What it checks:
        Segments longer than the reader's limit (1 MiB). They are skipped without being held in
        memory; the claim they fall in is rejected.

    Why payers reject it:
        No 837P segment can be that long; it is corruption or a missing terminator.

    Example:
        An NTE segment of ten megabytes.

    Fix:
        Find the missing terminator or the corrupted segment and regenerate the file.

    Configuration:
        Severity may be changed.

    References:
        ASC X12N 005010X222A1 TR3, element maximum lengths.
    """

    code = "ENV009"
    name = "oversized-segment"
    severity = Severity.ERROR
    summary = "segment longer than any TR3 segment can be"
    reference = TR3
    fix = "Regenerate the file; a terminator is missing or the data is corrupt."
    kinds = frozenset({IssueKind.OVERSIZED})


class BrokenHierarchy(IssueRule):
    """
    What it checks:
        HL01 counts up by one from 1 in each transaction and HL02 names an open parent
        (a subscriber under a billing provider, a patient under a subscriber).

    Why payers reject it:
        The HL chain says whose claim it is; with a broken chain the claim may be paid to the
        wrong provider or for the wrong patient.

    Example:
        ``HL*3*5*23*0~`` where no HL 5 exists.

    Fix:
        Renumber the HL segments and their parent pointers.

    Configuration:
        Severity may be changed.

    References:
        ASC X12N 005010X222A1 TR3, loops 2000A, 2000B, 2000C.
    """

    code = "ENV010"
    name = "broken-hierarchy"
    severity = Severity.ERROR
    summary = "HL numbering or parent pointers are broken"
    reference = TR3
    fix = "Renumber HL01 from 1 and point HL02 at the parent's HL01."
    kinds = frozenset({IssueKind.HIERARCHY})


class InterchangeHeader(IssueRule):
    """
    What it checks:
        The ISA's fixed layout (SNIP 1), with or without the TR3 structure check: exactly 16
        elements, each of its fixed length (ISA02 and ISA04 ten characters, ISA06 and ISA08
        fifteen, ISA12 five, ISA13 nine, ...), ISA09 a date (YYMMDD), ISA10 a time (HHMM),
        ISA12 and ISA13 digits and, for version 00501, the codes of ISA01, ISA03, ISA05, ISA07,
        ISA14 and ISA15. One finding per element at fault; the values of ISA02 and ISA04
        (authorization and security information) are never quoted.

    Why payers reject it:
        The ISA is read by position: the receiver takes the element separator from byte 4, the
        version from bytes 85-89 and the terminator from byte 106. One missing pad space moves
        everything after it, and the whole interchange is rejected with a TA1 before any claim
        is looked at.

    Example:
        ``ISA*00*         *00*          *ZZ*...`` (ISA02 nine spaces) or ``...*^*501*...``
        (ISA12 three characters).

    Fix:
        Pad each ISA element to its fixed length with trailing spaces (leading zeros for ISA13)
        and send ISA12 as 00501; most often the submitter's software builds the header, so fix
        it there.

    Configuration:
        Severity may be changed; disabling it is not advised.

    References:
        ASC X12 005010 interchange control structure, ISA segment (TA1 codes 005-024).
    """

    code = "ENV011"
    name = "invalid-interchange-header"
    severity = Severity.ERROR
    summary = "the ISA breaks its fixed layout (element count, lengths, date, time, codes)"
    reference = "ASC X12 005010 interchange control header (ISA)"
    fix = "Pad every ISA element to its fixed length and use the 00501 codes."
    kinds = frozenset({IssueKind.INTERCHANGE_HEADER})


RULES: list[Rule] = [
    EnvelopeCountMismatch(),
    ControlNumberMismatch(),
    MissingTrailer(),
    UnsupportedTransaction(),
    UnexpectedSegment(),
    InvalidCharacters(),
    TrailingData(),
    MalformedValue(),
    OversizedSegment(),
    BrokenHierarchy(),
    InterchangeHeader(),
]
