"""X12001-X12010: envelopes, segment placement and occurrence, HL counts (TR3 check, SNIP 1-2)."""

from __future__ import annotations

from scrubber.findings import Severity
from scrubber.rules.base import StructureRule
from scrubber.rules.tr3.references import CONTROL, TR3


class InterchangeEnvelope(StructureRule):
    """
    What it checks:
        The ISA/IEA interchange envelope as pyx12 reads it: IEA02 repeats ISA13, IEA01 counts the
        functional groups, ISA13 is unique in the file, every ISA has its IEA, and the ISA
        elements hold valid values (TA1 note codes 001, 021, 023, 024, 025).

    Why payers reject it:
        The interchange is the unit of transmission; a broken envelope makes the receiver reject
        the whole file with a TA1 before any claim is looked at.

    Example:
        ``IEA*1*000000905~`` closing ``ISA*...*000000906*0*P*:~``.

    Fix:
        Regenerate the envelope in the billing system or translator; never edit control numbers
        by hand.

    Configuration:
        Severity may be changed; disabling it is not advised.

    References:
        ASC X12 005010 control structures, ISA and IEA; TA1 interchange note codes.
    """

    code = "X12001"
    name = "interchange-envelope"
    severity = Severity.ERROR
    summary = "ISA/IEA envelope error (count, control number, missing IEA)"
    reference = CONTROL
    fix = "Regenerate the interchange envelope; IEA must repeat ISA13 and count the groups."
    codes = frozenset({("isa", "*")})


class GroupEnvelope(StructureRule):
    """
    What it checks:
        The GS/GE functional group: GE02 repeats GS06, GE01 counts the transactions, GS06 is
        unique, every GS has its GE, and GS08 names a version pyx12 has a map for (999 AK905
        codes 1 to 6).

    Why payers reject it:
        The 999 rejects the whole functional group (AK9*R), so every claim in it is returned.

    Example:
        ``GE*2*17~`` closing a group that holds one transaction.

    Fix:
        Regenerate the file; GE01 is the number of ST segments in the group.

    Configuration:
        Severity may be changed.

    References:
        ASC X12 005010 control structures, GS and GE; 005010X231A1 999 AK905.
    """

    code = "X12002"
    name = "group-envelope"
    severity = Severity.ERROR
    summary = "GS/GE functional group error"
    reference = CONTROL
    fix = "Regenerate the functional group; GE must repeat GS06 and count the transactions."
    codes = frozenset({("gs", "*")})


class TransactionEnvelope(StructureRule):
    """
    What it checks:
        The ST/SE transaction set: SE02 repeats ST02, SE01 counts the segments from ST to SE,
        ST02 is unique in the group and every ST has its SE (999 IK502 codes 2, 3, 4, 23).

    Why payers reject it:
        The 999 rejects the transaction set (IK5*R) and every claim in it.

    Example:
        ``SE*50*0001~`` closing a transaction of 49 segments.

    Fix:
        Recount the segments from ST to SE inclusive, or regenerate the file.

    Configuration:
        Severity may be changed.

    References:
        ASC X12 005010 control structures, ST and SE; 005010X231A1 999 IK502.
    """

    code = "X12003"
    name = "transaction-envelope"
    severity = Severity.ERROR
    summary = "ST/SE transaction set error (count, control number, missing SE)"
    reference = CONTROL
    fix = "Correct SE01 and SE02, or regenerate the transaction."
    codes = frozenset({("st", "*")})


class UnrecognizedSegment(StructureRule):
    """
    What it checks:
        Segments whose id is not an X12 segment id, or not one the 837P defines (999 IK304
        codes 1 and 6).

    Why payers reject it:
        The receiver cannot tell what the segment carries; the 999 rejects the transaction.

    Example:
        ``XYZ*1*2~`` inside a claim, or ``N3 *1 MAIN ST~``.

    Fix:
        Remove the segment or correct its id.

    Configuration:
        Severity may be changed.

    References:
        ASC X12N 005010X222A1 TR3, section 2 (transaction set listing); 999 IK304.
    """

    code = "X12004"
    name = "unrecognized-segment"
    severity = Severity.ERROR
    summary = "segment id unknown to X12 or to the 837P"
    reference = TR3
    fix = "Remove the segment or give it its correct id."
    codes = frozenset({("seg", "1"), ("seg", "6")})


class SegmentOutOfPlace(StructureRule):
    """
    What it checks:
        Segments that exist in the 837P but stand where the TR3 does not allow them, or out of
        order within their loop (999 IK304 codes 2 and 7).

    Why payers reject it:
        A segment in the wrong place cannot be assigned to its loop, so the data it carries may
        be read for the wrong claim or provider.

    Example:
        ``DTP*472*D8*20260301~`` before the ``SV1`` of its service line.

    Fix:
        Move the segment to its place in the loop, in TR3 order.

    Configuration:
        Severity may be changed.

    References:
        ASC X12N 005010X222A1 TR3, section 2; 999 IK304 codes 2 and 7.
    """

    code = "X12005"
    name = "segment-out-of-place"
    severity = Severity.ERROR
    summary = "segment not allowed here or out of order"
    reference = TR3
    fix = "Move the segment to its place in TR3 order."
    codes = frozenset({("seg", "2"), ("seg", "7")})


class MissingSegment(StructureRule):
    """
    What it checks:
        Required segments and loops that are absent, and loops or segments that occur fewer
        times than the TR3 minimum (999 IK304 codes 3, I6, I7, I8).

    Why payers reject it:
        Required data (a billing provider name, a subscriber, a claim's diagnosis) is missing,
        so the claim cannot be adjudicated.

    Example:
        A 2010BA subscriber loop without its ``NM1*IL``; a claim without ``HI``.

    Fix:
        Add the missing segment with the data the TR3 requires there.

    Configuration:
        Severity may be changed.

    References:
        ASC X12N 005010X222A1 TR3, loop usage notes; 999 IK304 codes 3, I6, I7, I8.
    """

    code = "X12006"
    name = "missing-segment"
    severity = Severity.ERROR
    summary = "required segment or loop missing"
    reference = TR3
    fix = "Add the required segment or loop."
    codes = frozenset({("seg", "3"), ("seg", "I6"), ("seg", "I7"), ("seg", "I8")})


class TooManyOccurrences(StructureRule):
    """
    What it checks:
        Segments that repeat more often than the TR3 allows and loops that exceed their
        maximum repeat (999 IK304 codes 4 and 5), e.g. more than 50 service lines per claim.

    Why payers reject it:
        Receivers size their records by the TR3 limits; extra occurrences are dropped or the
        transaction is rejected.

    Example:
        Two ``CLM`` segments in one 2300 loop; a 51st ``LX``.

    Fix:
        Split the claim or remove the repeated segment.

    Configuration:
        Severity may be changed.

    References:
        ASC X12N 005010X222A1 TR3, repeat counts; 999 IK304 codes 4 and 5.
    """

    code = "X12007"
    name = "too-many-occurrences"
    severity = Severity.ERROR
    summary = "segment or loop repeats more than allowed"
    reference = TR3
    fix = "Remove the extra occurrences or split the claim."
    codes = frozenset({("seg", "4"), ("seg", "5")})


class SegmentNotUsed(StructureRule):
    """
    What it checks:
        Segments the TR3 marks "not used" in this implementation, or situational segments sent
        where their situation does not apply (999 IK304 codes I4 and I9).

    Why payers reject it:
        The implementation guide forbids them; strict gateways reject the transaction.

    Example:
        A segment from another 837 (institutional) implementation in a professional claim.

    Fix:
        Remove the segment.

    Configuration:
        Severity may be changed.

    References:
        ASC X12N 005010X222A1 TR3, segment usage; 999 IK304 codes I4 and I9.
    """

    code = "X12008"
    name = "segment-not-used"
    severity = Severity.ERROR
    summary = "segment not used in this implementation"
    reference = TR3
    fix = "Remove the segment."
    codes = frozenset({("seg", "I4"), ("seg", "I9")})


class SegmentSyntax(StructureRule):
    """
    What it checks:
        Segment-level syntax: too many elements, trailing element separators, syntax rules
        between elements (paired, required-if) and other errors pyx12 reports against a whole
        segment (999 IK304 code 8 without an element).

    Why payers reject it:
        X12 syntax rules are part of the standard; the 999 rejects the transaction.

    Example:
        ``NM1*IL*1*DOE*JANE****MI*~`` (trailing separator, NM108 without NM109).

    Fix:
        Remove trailing separators and fill or drop elements in the pairs the syntax rule names.

    Configuration:
        Severity may be changed.

    References:
        ASC X12 005010 syntax rules (P, R, C, E, L); 999 IK304 code 8.
    """

    code = "X12009"
    name = "segment-syntax"
    severity = Severity.ERROR
    summary = "segment syntax error (element count, separators, syntax rule)"
    reference = TR3
    fix = "Correct the segment's elements as the syntax rule requires."
    codes = frozenset({("seg", "*")})


class HierarchyCount(StructureRule):
    """
    What it checks:
        pyx12's own counters: HL01 numbers 1, 2, 3 ... in each transaction, HL02 names an
        existing parent, LX01 numbers the service lines of a claim 1, 2, 3 ...

    Why payers reject it:
        The HL chain and line numbers tie claims to providers and patients and lines to
        remittance; broken numbering misattributes them.

    Example:
        ``HL*3*5*23*0~`` where no HL 5 exists; ``LX*3~`` after ``LX*1~``.

    Fix:
        Renumber HL01/HL02 and LX01 in order.

    Configuration:
        Severity may be changed.

    References:
        ASC X12N 005010X222A1 TR3, 2000A-C HL notes and 2400 LX01.
    """

    code = "X12010"
    name = "hierarchy-count"
    severity = Severity.ERROR
    summary = "HL or LX numbering broken"
    reference = TR3
    fix = "Renumber HL01, HL02 and LX01 in order."
    codes = frozenset({("seg", "HL1"), ("seg", "HL2"), ("seg", "LX")})
