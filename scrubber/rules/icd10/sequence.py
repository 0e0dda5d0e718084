"""ICD005-ICD006: which codes may not be listed first."""

from __future__ import annotations

from collections.abc import Iterator

from scrubber.findings import Found, Severity
from scrubber.model import Claim, Diagnosis
from scrubber.refdata.codesets.icd10 import CodeSet, normalize
from scrubber.rules.base import RuleContext
from scrubber.rules.icd10.support import (
    GUIDELINES,
    MANIFESTATION,
    MCE,
    PRINCIPAL_DIAGNOSIS,
    Icd10Rule,
    at,
    show,
    tabular_reference,
)


class ManifestationFirst(Icd10Rule):
    """
    What it checks:
        That the first diagnosis is not a manifestation code: a code titled "in diseases
        classified elsewhere" or listed as a manifestation in the CMS MCE.

    Why payers reject it:
        Manifestation codes describe the effect of an underlying disease and must follow it;
        they may never be the first-listed (principal) diagnosis.

    Example:
        ``HI*ABK:G01*ABF:A391~`` (G01, meningitis in bacterial diseases classified elsewhere,
        before the meningococcal meningitis it results from).

    Fix:
        List the underlying condition first (see the code's "code first" note), then the
        manifestation.

    Configuration:
        Severity may be changed.

    References:
        ICD-10-CM Official Guidelines for Coding and Reporting, section I.A.13 (etiology/
        manifestation convention); CMS MCE "manifestation code as principal diagnosis" edit.
    """

    code = "ICD005"
    status = PRINCIPAL_DIAGNOSIS
    name = "manifestation-first"
    severity = Severity.ERROR
    summary = "a manifestation code listed first"
    reference = f"{GUIDELINES}, I.A.13; {MCE}, manifestation as principal diagnosis"
    fix = "List the underlying condition first and the manifestation after it."

    def check_codes(
        self, claim: Claim, codes: CodeSet, diagnoses: list[Diagnosis], ctx: RuleContext
    ) -> Iterator[Found]:
        first = diagnoses[0]
        if not codes.bits(first.code) & MANIFESTATION:
            return
        shown = show(first.code)
        code_first = [text for _, text in codes.inherited_notes(first.code, "code_first")]
        hint = self.fix
        if code_first:
            hint += " Code first: " + "; ".join(code_first[:4]) + "."
        yield self.finding(
            f"{shown} ({codes.describe(first.code)}) is a manifestation code and cannot be listed first",
            **at(first),
            codes=[shown],
            reference=tabular_reference(codes, f"{shown} code-first note; {GUIDELINES}, I.A.13"),
            fix=hint,
        )


class ExternalCauseFirst(Icd10Rule):
    """
    What it checks:
        That the first diagnosis is not an external cause code (V00-Y99).

    Why payers reject it:
        External cause codes say how an injury happened; they are never the principal or
        first-listed diagnosis, which must be the injury or condition treated.

    Example:
        ``HI*ABK:W010XXA*ABF:S52501A~`` (a fall listed before the fracture).

    Fix:
        List the injury or condition first and the external cause codes after it.

    Configuration:
        Severity may be changed.

    References:
        ICD-10-CM Official Guidelines for Coding and Reporting, section I.C.20 (external cause
        codes are never first-listed); CMS MCE "E-code as principal diagnosis" edit.
    """

    code = "ICD006"
    status = PRINCIPAL_DIAGNOSIS
    name = "external-cause-first"
    severity = Severity.ERROR
    summary = "an external cause code (V00-Y99) listed first"
    reference = f"{GUIDELINES}, I.C.20"
    fix = "List the injury or condition first; external cause codes follow it."

    def check_codes(
        self, claim: Claim, codes: CodeSet, diagnoses: list[Diagnosis], ctx: RuleContext
    ) -> Iterator[Found]:
        first = diagnoses[0]
        category = normalize(first.code)[:3]
        if not ("V00" <= category <= "Y99"):
            return
        shown = show(first.code)
        yield self.finding(
            f"{shown} is an external cause code (V00-Y99) and cannot be listed first",
            **at(first),
            codes=[shown],
            reference=f"{GUIDELINES}, I.C.20; {codes.label}",
        )
