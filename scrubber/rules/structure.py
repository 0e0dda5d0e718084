"""X12: structural errors from the TR3 check (SNIP levels 1 and 2), one rule per pyx12 error class.

These rules have no ``check``: the pyx12 adapter (:mod:`scrubber.structure.pyx12_adapter`) finds
the errors and :mod:`scrubber.structure.findings` turns each into a finding of the rule named in
:data:`RULE_FOR_ERROR`. They are in the catalogue so that configuration, ``scrubber rules`` and
every report treat them like any other rule.
"""

from __future__ import annotations

from scrubber.findings import Severity
from scrubber.rules.base import Rule

TR3 = "ASC X12N 005010X222A1 (837P) TR3, checked by pyx12 4.0"
CONTROL = "ASC X12 005010 control structures, checked by pyx12 4.0"


class InterchangeEnvelope(Rule):
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
    emitted_by_parser = True


class GroupEnvelope(Rule):
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
    emitted_by_parser = True


class TransactionEnvelope(Rule):
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
    emitted_by_parser = True


class UnrecognizedSegment(Rule):
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
    emitted_by_parser = True


class SegmentOutOfPlace(Rule):
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
    emitted_by_parser = True


class MissingSegment(Rule):
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
    emitted_by_parser = True


class TooManyOccurrences(Rule):
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
    emitted_by_parser = True


class SegmentNotUsed(Rule):
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
    emitted_by_parser = True


class SegmentSyntax(Rule):
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
    emitted_by_parser = True


class HierarchyCount(Rule):
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
    emitted_by_parser = True


class MissingElement(Rule):
    """
    What it checks:
        Required data elements that are empty, and elements the TR3 requires in the situation
        at hand (999 IK403 codes 1, 2 and I9).

    Why payers reject it:
        The value is needed to adjudicate (a claim id, a charge, a code qualifier).

    Example:
        ``CLM**100***11:B:1*Y*A*Y*Y~`` (CLM01 empty).

    Fix:
        Fill the element with the value the TR3 asks for.

    Configuration:
        Severity may be changed.

    References:
        ASC X12N 005010X222A1 TR3, element usage; 999 IK403 codes 1, 2, I9.
    """

    code = "X12011"
    name = "missing-element"
    severity = Severity.ERROR
    summary = "required data element missing"
    reference = TR3
    fix = "Fill the required element."
    emitted_by_parser = True


class ElementLength(Rule):
    """
    What it checks:
        Element values shorter than the minimum or longer than the maximum length of their
        data element (999 IK403 codes 4 and 5).

    Why payers reject it:
        Receivers store fixed-width fields; a value out of bounds is truncated or rejected.

    Example:
        ``CLM01`` of 39 characters (maximum 38); a ZIP code of four digits.

    Fix:
        Shorten or complete the value.

    Configuration:
        Severity may be changed.

    References:
        ASC X12 005010 data element dictionary; 999 IK403 codes 4 and 5.
    """

    code = "X12012"
    name = "element-length"
    severity = Severity.ERROR
    summary = "data element too short or too long"
    reference = TR3
    fix = "Bring the value within the element's minimum and maximum length."
    emitted_by_parser = True


class InvalidCharacter(Rule):
    """
    What it checks:
        Characters a data element's type does not allow: letters in a numeric (N, R) element,
        characters outside the X12 extended character set in text (999 IK403 code 6).

    Why payers reject it:
        The value cannot be read as its type; an amount with letters cannot be summed.

    Example:
        ``CLM*PCN1*1OO.00*...`` (letter O for zero); ``N3*1 MAÑN ST~``.

    Fix:
        Use digits in numeric elements and ASCII in text (Ñ to N).

    Configuration:
        Severity may be changed.

    References:
        ASC X12 005010 character sets and data types; 999 IK403 code 6.
    """

    code = "X12013"
    name = "invalid-character"
    severity = Severity.ERROR
    summary = "invalid character in data element"
    reference = TR3
    fix = "Remove characters the element's type does not allow."
    emitted_by_parser = True


class InvalidCodeValue(Rule):
    """
    What it checks:
        Identifier (ID) elements whose value is not in the element's code list, or not one the
        TR3 allows in this place (999 IK403 codes 7 and I6).

    Why payers reject it:
        Codes drive adjudication (claim frequency, place of service, qualifiers); an unknown code
        cannot be acted on.

    Example:
        ``PWK*OZ*AD~`` where PWK02 allows AA, BM, EL, EM, FT, FX.

    Fix:
        Use a code from the TR3's list for the element.

    Configuration:
        Severity may be changed.

    References:
        ASC X12N 005010X222A1 TR3, element code lists; 999 IK403 codes 7 and I6.
    """

    code = "X12014"
    name = "invalid-code-value"
    severity = Severity.ERROR
    summary = "code value not allowed for the element"
    reference = TR3
    fix = "Use one of the codes the TR3 lists for the element."
    emitted_by_parser = True


class InvalidDateTime(Rule):
    """
    What it checks:
        Date (DT) and time (TM) elements that are not real dates or times, including D8 and
        RD8 values in DTP03 (999 IK403 codes 8 and 9).

    Why payers reject it:
        Dates of service, birth and onset decide coverage and code-set year.

    Example:
        ``DTP*472*D8*20260231~`` (February 31).

    Fix:
        Send CCYYMMDD dates (CCYYMMDD-CCYYMMDD for RD8) and HHMM times.

    Configuration:
        Severity may be changed.

    References:
        ASC X12 005010 data types DT and TM; 999 IK403 codes 8 and 9.
    """

    code = "X12015"
    name = "invalid-date-time"
    severity = Severity.ERROR
    summary = "invalid date or time"
    reference = TR3
    fix = "Send a real date (CCYYMMDD) or time (HHMM)."
    emitted_by_parser = True


class ElementNotAllowed(Rule):
    """
    What it checks:
        Elements sent where they may not be: too many elements or components, too many
        repetitions, elements the TR3 marks "not used", exclusion conditions (999 IK403 codes
        3, 10, 12, 13, I10, I11, I13).

    Why payers reject it:
        The implementation guide forbids the value in that position.

    Example:
        ``SV1*HC:99213*40*UN*1*11**1~`` with SV106 (not used) filled.

    Fix:
        Remove the value or move it to the element that carries it.

    Configuration:
        Severity may be changed.

    References:
        ASC X12N 005010X222A1 TR3, element usage; 999 IK403.
    """

    code = "X12016"
    name = "element-not-allowed"
    severity = Severity.ERROR
    summary = "element, component or repetition not allowed here"
    reference = TR3
    fix = "Remove the value the TR3 does not allow in this position."
    emitted_by_parser = True


class PatternMismatch(Rule):
    """
    What it checks:
        Values that do not match the pattern the TR3 implementation sets for the element
        (999 IK403 code I12), e.g. an identifier of the wrong shape.

    Why payers reject it:
        The value is of the right type but cannot be a valid identifier of its kind.

    Example:
        A ZIP code in N403 that is not five or nine digits.

    Fix:
        Correct the value to the TR3's pattern.

    Configuration:
        Severity may be changed.

    References:
        ASC X12N 005010X222A1 TR3, implementation notes; 999 IK403 code I12.
    """

    code = "X12017"
    name = "pattern-mismatch"
    severity = Severity.ERROR
    summary = "value does not match the implementation pattern"
    reference = TR3
    fix = "Correct the value to the pattern the TR3 gives."
    emitted_by_parser = True


class StructureCheckIncomplete(Rule):
    """
    What it checks:
        That the TR3 check could read the whole file: an ISA it can parse (fixed length, 106
        characters), a GS08 version it has a map for, and no failure inside pyx12.

    Why payers reject it:
        A file the validator cannot read through is one the payer's translator cannot read
        either; claims after the point where the check stopped were not validated.

    Example:
        An ISA with ISA06 not padded to 15 characters, so the ISA is shorter than 106.

    Fix:
        Regenerate the file with a standard ISA and a 005010X222A1 GS08.

    Configuration:
        Severity may be changed; ``--no-structure`` skips the TR3 check altogether.

    References:
        ASC X12 005010 ISA fixed-length layout; pyx12 4.0 maps.
    """

    code = "X12018"
    name = "structure-check-incomplete"
    severity = Severity.ERROR
    summary = "the TR3 check could not read the whole file"
    reference = "pyx12 4.0"
    fix = "Regenerate the file with a standard fixed-length ISA and a supported GS08."
    emitted_by_parser = True


RULES: list[Rule] = [
    InterchangeEnvelope(),
    GroupEnvelope(),
    TransactionEnvelope(),
    UnrecognizedSegment(),
    SegmentOutOfPlace(),
    MissingSegment(),
    TooManyOccurrences(),
    SegmentNotUsed(),
    SegmentSyntax(),
    HierarchyCount(),
    MissingElement(),
    ElementLength(),
    InvalidCharacter(),
    InvalidCodeValue(),
    InvalidDateTime(),
    ElementNotAllowed(),
    PatternMismatch(),
    StructureCheckIncomplete(),
]

_BY_CODE = {rule.code: rule for rule in RULES}

# (pyx12 level, pyx12 code) -> rule code. Level-wide fallbacks are keyed by (level, "*").
RULE_FOR_ERROR: dict[tuple[str, str], str] = {
    ("isa", "*"): "X12001",
    ("gs", "*"): "X12002",
    ("st", "*"): "X12003",
    ("seg", "1"): "X12004",
    ("seg", "6"): "X12004",
    ("seg", "2"): "X12005",
    ("seg", "7"): "X12005",
    ("seg", "3"): "X12006",
    ("seg", "I6"): "X12006",
    ("seg", "I7"): "X12006",
    ("seg", "I8"): "X12006",
    ("seg", "4"): "X12007",
    ("seg", "5"): "X12007",
    ("seg", "I4"): "X12008",
    ("seg", "I9"): "X12008",
    ("seg", "HL1"): "X12010",
    ("seg", "HL2"): "X12010",
    ("seg", "LX"): "X12010",
    ("seg", "*"): "X12009",
    ("ele", "1"): "X12011",
    ("ele", "2"): "X12011",
    ("ele", "I9"): "X12011",
    ("ele", "4"): "X12012",
    ("ele", "5"): "X12012",
    ("ele", "6"): "X12013",
    ("ele", "7"): "X12014",
    ("ele", "I6"): "X12014",
    ("ele", "8"): "X12015",
    ("ele", "9"): "X12015",
    ("ele", "I12"): "X12017",
    ("ele", "*"): "X12016",
    ("engine", "*"): "X12018",
}

# pyx12 level -> the acknowledgment segment that carries its code
ACK_SEGMENT = {"isa": "TA1", "gs": "999 AK905", "st": "999 IK502", "seg": "999 IK304", "ele": "999 IK403"}


def rule_for(level: str, code: str) -> Rule:
    """The rule that reports pyx12 error ``code`` at ``level``."""
    rule_code = RULE_FOR_ERROR.get((level, code)) or RULE_FOR_ERROR.get((level, "*"), "X12018")
    return _BY_CODE[rule_code]
