"""ICD001-ICD003, ICD011: is each code valid, billable, sent as ICD-10-CM, and sent once."""

from __future__ import annotations

from collections.abc import Iterator

from scrubber.findings import Found, Severity
from scrubber.model import Claim, Diagnosis
from scrubber.refdata.codesets.icd10 import CodeSet, normalize
from scrubber.refdata.codesets.icd10.codes import ICD10_EFFECTIVE, looks_like_icd10
from scrubber.rules.base import RuleContext
from scrubber.rules.icd10.support import (
    GUIDELINES,
    Icd10Rule,
    at,
    date_of_service,
    provider,
    show,
    tabular_reference,
)
from scrubber.transaction import grammar as g


class InvalidCode(Icd10Rule):
    """
    What it checks:
        Each ICD-10-CM code (HI qualifier ABK or ABF) exists in the ICD-10-CM code set of the
        claim's date of service. The fiscal year runs from October 1 to September 30: a date of
        service of 2025-10-01 is judged by FY2026. Codes that exist only as headers are left to
        ICD002.

    Why payers reject it:
        HIPAA names ICD-10-CM, at the version in effect on the date of service, as the diagnosis
        code set. A code deleted on October 1, or not yet valid, is rejected at the front end
        (277CA A7:255 or similar).

    Example:
        ``HI*ABK:Z1159~`` on a claim for 2024-12-02: Z11.59 was valid then, but a claim for the
        same code dated 2025-11-03 is rejected because Z11.59 was deleted for FY2026.

    Fix:
        Look the condition up in the code set of the date of service and send the code valid on
        that date; ``scrubber codes show CODE --date DOS`` shows the year's codes.

    Configuration:
        Severity may be changed. Years beyond the installed ones are judged by the nearest
        installed year and the finding says so; import newer years with ``scrubber codes import``.

    References:
        45 CFR 162.1002 (ICD-10-CM as the HIPAA diagnosis code set); CDC/NCHS ICD-10-CM tabular
        and order files of the fiscal year.
    """

    code = "ICD001"
    name = "invalid-code"
    severity = Severity.ERROR
    summary = "not a valid ICD-10-CM code on the date of service"
    reference = "45 CFR 162.1002; CDC ICD-10-CM tabular of the date of service"
    fix = "Replace it with the ICD-10-CM code valid on the date of service."

    def check_codes(
        self, claim: Claim, codes: CodeSet, diagnoses: list[Diagnosis], ctx: RuleContext
    ) -> Iterator[Found]:
        sets = provider(ctx)
        for dx in diagnoses:
            if codes.exists(dx.code):
                continue
            code = normalize(dx.code)
            shown = show(code)
            if not looks_like_icd10(code):
                reason = "does not have the shape of an ICD-10-CM code"
            else:
                valid_in = [y for y, s in (sets.sets.items() if sets else []) if s.is_billable(code)]
                reason = f"is not in {codes.label}"
                if valid_in:
                    reason += f" (valid in FY{', FY'.join(map(str, valid_in))})"
            message = f"{shown} {reason}; date of service {date_of_service(claim, ctx).isoformat()}"
            if codes.caveat:
                message += f". Note: {codes.caveat}"
            parent = codes.parent(code)
            options = codes.billable_descendants(parent) if parent else []
            hint = (
                f"Choose a code valid in {codes.label}, e.g. {', '.join(show(c) for c in options)}."
                if options
                else self.fix
            )
            yield self.finding(
                message,
                **at(dx),
                codes=[shown],
                reference=tabular_reference(codes, "code list"),
                fix=hint,
            )


class HeaderCode(Icd10Rule):
    """
    What it checks:
        Each ICD-10-CM code is billable: a category or subcategory that has further characters
        below it (a header such as M62.8, or S72.001 without its seventh character) is not a
        valid code on a claim.

    Why payers reject it:
        Only codes at the highest level of specificity are valid for HIPAA transactions; the
        order file marks headers with flag 0. Payers reject the claim at the front end.

    Example:
        ``HI*ABK:M628~`` (M62.8 Other specified disorders of muscle) needs a fifth character,
        e.g. M62.81 Muscle weakness (generalized).

    Fix:
        Add the missing characters: choose the subcode the documentation supports.

    Configuration:
        Severity may be changed.

    References:
        ICD-10-CM Official Guidelines for Coding and Reporting, section I.A.2 and I.B.2 (level
        of detail in coding); CDC ICD-10-CM order file header flag.
    """

    code = "ICD002"
    name = "header-code"
    severity = Severity.ERROR
    summary = "a category header, not a billable code (needs more characters)"
    reference = f"{GUIDELINES}, I.B.2 level of detail in coding"
    fix = "Code to the highest number of characters available."

    def check_codes(
        self, claim: Claim, codes: CodeSet, diagnoses: list[Diagnosis], ctx: RuleContext
    ) -> Iterator[Found]:
        for dx in diagnoses:
            if not codes.is_header(dx.code):
                continue
            shown = show(dx.code)
            options = [show(c) for c in codes.billable_descendants(dx.code)]
            yield self.finding(
                f"{shown} ({codes.describe(dx.code)}) is a header in {codes.label}, not a billable code",
                **at(dx),
                codes=[shown],
                reference=tabular_reference(codes, f"{shown} (header)"),
                fix=f"Use a billable code under {shown}, e.g. {', '.join(options)}." if options else self.fix,
            )


class Icd9Qualifier(Icd10Rule):
    """
    What it checks:
        HI qualifiers BK and BF (ICD-9-CM principal and other diagnosis, the ICD-9 qualifiers a
        professional claim can carry) on a claim whose date of service is 2015-10-01 or later.
        For earlier dates of service it adds an info finding saying that ICD-9-CM codes are not
        checked by this scrubber.

    Why payers reject it:
        ICD-9-CM may not be used for services from October 1, 2015; claims are rejected when the
        qualifier and the date of service disagree.

    Example:
        ``HI*BK:4019~`` with ``DTP*472*D8*20251103~``.

    Fix:
        Code the diagnosis in ICD-10-CM and send it with ABK (principal) or ABF (other).

    Configuration:
        Severity may be changed; the info finding for older claims can be silenced by
        disabling the rule.

    References:
        45 CFR 162.1002(c); ASC X12N 005010X222A1 TR3, HI segment, code list qualifier 1270.
    """

    code = "ICD003"
    name = "icd9-qualifier"
    severity = Severity.ERROR
    summary = "ICD-9-CM qualifier (BK/BF) on a date of service from 2015-10-01"
    reference = "45 CFR 162.1002(c); 005010X222A1 HI01-1 code list qualifier"
    fix = "Send ICD-10-CM codes with qualifier ABK (principal) or ABF (other)."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Found]:
        icd9 = [dx for dx in claim.diagnoses if dx.qualifier in g.ICD9_QUALIFIERS]
        if not icd9 or claim.service_date is None:
            return
        if claim.service_date < ICD10_EFFECTIVE:
            yield self.finding(
                f"date of service {claim.service_date.isoformat()} is before ICD-10-CM; "
                "the ICD-9-CM codes of this claim are not checked",
                **at(icd9[0]),
                codes=[dx.code for dx in icd9],
                severity=Severity.INFO,
                fix="Check the ICD-9-CM codes by other means; this scrubber judges ICD-10-CM only.",
            )
            return
        for dx in icd9:
            yield self.finding(
                f"{dx.code} is sent as ICD-9-CM (qualifier {dx.qualifier}) for date of service "
                f"{claim.service_date.isoformat()}, after ICD-10-CM took effect on 2015-10-01",
                segment=dx.segment,
                element=f"HI{dx.element:02d}-1",
                loop=g.CLAIM,
                codes=[dx.code],
            )


class DuplicateDiagnosis(Icd10Rule):
    """
    What it checks:
        The same ICD-10-CM code listed more than once in the claim's HI segments.

    Why payers reject it:
        Each diagnosis is reported once; a repeated code wastes one of the twelve slots and
        many payers reject the claim (and its diagnosis pointers become ambiguous).

    Example:
        ``HI*ABK:E119*ABF:I10*ABF:E119~``.

    Fix:
        Remove the repeated code and update SV107 pointers that pointed at it.

    Configuration:
        Severity may be changed.

    References:
        ASC X12N 005010X222A1 TR3, loop 2300 HI segment notes; CMS-1500 claim manual, item 21.
    """

    code = "ICD011"
    name = "duplicate-diagnosis"
    severity = Severity.ERROR
    summary = "the same diagnosis code listed twice"
    reference = "005010X222A1 TR3, 2300 HI"
    fix = "Remove the repeated code and renumber the diagnosis pointers."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Found]:
        seen: dict[str, Diagnosis] = {}
        for dx in claim.diagnoses:
            if not dx.is_icd10 or not dx.code:
                continue
            code = normalize(dx.code)
            if code in seen:
                shown = show(code)
                yield self.finding(
                    f"{shown} is listed twice (diagnosis {seen[code].position} and {dx.position})",
                    **at(dx),
                    codes=[shown],
                )
            else:
                seen[code] = dx
