"""What the ICD-10-CM rules share: which diagnoses are ICD-10, which code set judges a claim, age.

Kept apart from the rules so each rule class stays a short definition plus its check.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from scrubber.model import Claim, Diagnosis
from scrubber.refdata.codesets.icd10 import CodeSet, CodeSets, dotted
from scrubber.refdata.codesets.icd10.codes import ICD10_EFFECTIVE

ICD9_QUALIFIERS = ("BK", "BF", "BJ")  # principal, other, admitting ICD-9-CM diagnosis
GUIDELINES = "ICD-10-CM Official Guidelines for Coding and Reporting"
MCE = "CMS Medicare Code Editor (MCE) definitions"


def date_of_service(claim: Claim, ctx: Any) -> dt.date:
    """The claim's earliest date of service; the run date when the claim has none."""
    return claim.service_date or ctx.as_of


def provider(ctx: Any) -> CodeSets | None:
    return ctx.icd10 if isinstance(ctx.icd10, CodeSets) else None


def code_set(claim: Claim, ctx: Any) -> CodeSet | None:
    """The fiscal year judging this claim; None when no code set is loaded or the DOS is pre-ICD-10."""
    sets = provider(ctx)
    return sets.for_date(date_of_service(claim, ctx)) if sets is not None else None


def icd10_diagnoses(claim: Claim) -> list[Diagnosis]:
    """HI codes sent with ICD-10-CM qualifiers (ABK/ABF); ICD-9 codes are never judged here."""
    return [dx for dx in claim.diagnoses if dx.is_icd10 and dx.code]


def icd10_claim(claim: Claim, ctx: Any) -> tuple[CodeSet, list[Diagnosis]] | None:
    """Code set and ICD-10 diagnoses, or None when the ICD-10 rules have nothing to judge.

    Every ICD rule starts here, so the answer is worked out once per claim (and context) and
    kept in ``claim.derived``: the date of service alone scans every line.
    """
    kept = claim.derived.get("icd10")
    if kept is not None and kept[0] is ctx:
        return kept[1]
    day = date_of_service(claim, ctx)
    sets = provider(ctx)
    codes = sets.for_date(day) if sets is not None else None
    judged = None
    if codes is not None and day >= ICD10_EFFECTIVE:
        diagnoses = icd10_diagnoses(claim)
        judged = (codes, diagnoses) if diagnoses else None
    claim.derived["icd10"] = (ctx, judged)
    return judged


def known_diagnoses(claim: Claim, ctx: Any) -> tuple[CodeSet, list[Diagnosis]] | None:
    """Like :func:`icd10_claim`, keeping only codes the code set has (ICD001 reports the rest)."""
    judged = icd10_claim(claim, ctx)
    if judged is None:
        return None
    codes, diagnoses = judged
    return codes, [dx for dx in diagnoses if codes.exists(dx.code)]


def age_on(birth: dt.date, day: dt.date) -> int:
    """Whole years of age on ``day`` (MCE age = age at admission/service)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def show(code: str) -> str:
    return dotted(code)


def tabular_reference(codes: CodeSet, what: str) -> str:
    """``ICD-10-CM FY2026 tabular, R53.1 Excludes1``, naming the year that judged the claim."""
    return f"{codes.label} tabular, {what}"
