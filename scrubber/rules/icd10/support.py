"""What the ICD-10-CM rules share: their base class, which diagnoses are ICD-10, which code set
judges a claim, age.

Kept apart from the rules so each rule class stays a short definition plus its check. The code-set
provider (:class:`scrubber.refdata.codesets.icd10.CodeSets`) arrives in ``ctx.icd10``; rules only
look codes up in it. Every finding names the code-set year that judged the claim in its reference,
so a coder can tell an FY2026 verdict from an FY2027 one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, ClassVar

from scrubber.findings import ClaimStatus, Found
from scrubber.model import Claim, Diagnosis
from scrubber.refdata.codesets.icd10 import CodeFlag, CodeSet, CodeSets, dotted
from scrubber.refdata.codesets.icd10.codes import ICD10_EFFECTIVE
from scrubber.rules.base import DIAGNOSIS_CODE, INVALID, PRINCIPAL_DIAGNOSIS_CODE, Rule, RuleContext
from scrubber.transaction import grammar as g

PRINCIPAL_DIAGNOSIS = ClaimStatus(INVALID, PRINCIPAL_DIAGNOSIS_CODE)  # 277CA: principal diagnosis code
DIAGNOSIS = ClaimStatus(INVALID, DIAGNOSIS_CODE)  # 277CA: diagnosis code

# Flag bits as plain ints, tested against CodeSet.bits(): ``CodeFlag & CodeFlag`` builds a new
# enum member per test, which the age, sex and unspecified rules did for every diagnosis.
MANIFESTATION = int(CodeFlag.MANIFESTATION)
MALE = int(CodeFlag.MALE)
FEMALE = int(CodeFlag.FEMALE)
UNSPECIFIED = int(CodeFlag.UNSPECIFIED)

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


def at(dx: Diagnosis) -> dict:
    """Location keywords for a finding about one HI code."""
    return {"segment": dx.segment, "element": dx.element_ref, "loop": g.CLAIM}


def icd10_diagnoses(claim: Claim) -> list[Diagnosis]:
    """HI codes sent with ICD-10-CM qualifiers (ABK/ABF); ICD-9 codes are never judged here."""
    return [dx for dx in claim.diagnoses if dx.is_icd10 and dx.code]


def icd10_claim(claim: Claim, ctx: Any) -> tuple[CodeSet, list[Diagnosis]] | None:
    """Code set and ICD-10 diagnoses, or None when the ICD-10 rules have nothing to judge.

    Every ICD rule starts here, so the answer is worked out once per claim and kept in the
    context's per-claim facts: the date of service alone scans every line.
    """
    memo = ctx.facts(claim)
    if "icd10" in memo:
        return memo["icd10"]
    day = date_of_service(claim, ctx)
    sets = provider(ctx)
    codes = sets.for_date(day) if sets is not None else None
    judged = None
    if codes is not None and day >= ICD10_EFFECTIVE:
        diagnoses = icd10_diagnoses(claim)
        judged = (codes, diagnoses) if diagnoses else None
    memo["icd10"] = judged
    return judged


def known_diagnoses(claim: Claim, ctx: Any) -> tuple[CodeSet, list[Diagnosis]] | None:
    """Like :func:`icd10_claim`, keeping only codes the code set has (ICD001 reports the rest)."""
    memo = ctx.facts(claim)
    if "known" in memo:
        return memo["known"]
    judged = icd10_claim(claim, ctx)
    if judged is not None:
        codes, diagnoses = judged
        judged = codes, [dx for dx in diagnoses if codes.exists(dx.code)]
    memo["known"] = judged
    return judged


class Icd10Rule(Rule):
    """An ICD-10-CM rule: its rejections are 277CA diagnosis-code statuses.

    A rule that judges codes implements :meth:`check_codes`, called with the code set of the
    claim's date of service and its ICD-10 diagnoses (only those the code set has when
    ``known_only``), and not at all when the ICD-10 rules have nothing to judge. A rule that needs
    no code set (ICD003, ICD011) implements :meth:`check` itself.
    """

    status: ClassVar[ClaimStatus] = DIAGNOSIS
    known_only: ClassVar[bool] = False  # judge only codes the code set has (ICD001 reports the rest)

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Found]:
        judged = (known_diagnoses if self.known_only else icd10_claim)(claim, ctx)
        if judged is None:
            return iter(())
        codes, diagnoses = judged
        return self.check_codes(claim, codes, diagnoses, ctx)

    def check_codes(
        self, claim: Claim, codes: CodeSet, diagnoses: list[Diagnosis], ctx: RuleContext
    ) -> Iterator[Found]:
        raise NotImplementedError


def age_on(birth: dt.date, day: dt.date) -> int:
    """Whole years of age on ``day`` (MCE age = age at admission/service)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def show(code: str) -> str:
    return dotted(code)


def tabular_reference(codes: CodeSet, what: str) -> str:
    """``ICD-10-CM FY2026 tabular, R53.1 Excludes1``, naming the year that judged the claim."""
    return f"{codes.label} tabular, {what}"
