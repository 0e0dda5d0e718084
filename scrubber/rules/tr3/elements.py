"""X12011-X12018: element usage, length, characters, codes, dates and patterns (TR3 check, SNIP 2)."""

from __future__ import annotations

from scrubber.findings import Severity
from scrubber.rules.base import StructureRule
from scrubber.rules.tr3.references import TR3


class MissingElement(StructureRule):
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
    codes = frozenset({("ele", "1"), ("ele", "2"), ("ele", "I9")})


class ElementLength(StructureRule):
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
    codes = frozenset({("ele", "4"), ("ele", "5")})


class InvalidCharacter(StructureRule):
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
    codes = frozenset({("ele", "6")})


class InvalidCodeValue(StructureRule):
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
    codes = frozenset({("ele", "7"), ("ele", "I6")})


class InvalidDateTime(StructureRule):
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
    codes = frozenset({("ele", "8"), ("ele", "9")})


class ElementNotAllowed(StructureRule):
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
    codes = frozenset({("ele", "*")})


class PatternMismatch(StructureRule):
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
    codes = frozenset({("ele", "I12")})


class StructureCheckIncomplete(StructureRule):
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
    reference = "the TR3 structure check"
    fix = "Regenerate the file with a standard fixed-length ISA and a supported GS08."
    codes = frozenset({("engine", "*")})
