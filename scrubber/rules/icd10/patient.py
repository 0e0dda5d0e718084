"""ICD007-ICD008: codes that do not fit the patient's age or sex."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from scrubber.findings import ClaimStatus, Found, Severity
from scrubber.model import Claim, Diagnosis
from scrubber.refdata.codesets.icd10 import CodeFlag, CodeSet, normalize
from scrubber.rules.base import INVALID, RuleContext, RuleOptions
from scrubber.rules.icd10.support import (
    FEMALE,
    MALE,
    MCE,
    Icd10Rule,
    age_on,
    at,
    date_of_service,
    show,
)

_AGE_EDITS = (
    (int(CodeFlag.NEWBORN), "newborn", (0, 0)),
    (int(CodeFlag.PEDIATRIC), "pediatric", (0, 17)),
    (int(CodeFlag.MATERNITY), "maternity", (9, 64)),
    (int(CodeFlag.ADULT), "adult", (15, 124)),
)


class AgeConflict(Icd10Rule):
    """
    What it checks:
        The patient's age on the date of service (2010CA DMG02, or 2010BA when the subscriber is
        the patient) against the CMS Medicare Code Editor age edits: newborn codes need age 0,
        pediatric codes 0-17, maternity codes 9-64 and adult codes 15-124 (the ranges are
        read from the MCE with the code lists, per fiscal year).

    Why payers reject it:
        A code that cannot apply to a patient of that age points to a wrong code or a wrong
        birth date; payers running the MCE edits reject or suspend the claim.

    Example:
        O80 (Encounter for full-term uncomplicated delivery) for a patient aged 70; Z38.00
        (single liveborn infant) for a patient aged 3.

    Fix:
        Check the birth date in DMG02 and the code; correct whichever is wrong.

    Configuration:
        Severity may be changed. Claims without a birth date are not checked.

    References:
        CMS Medicare Code Editor (MCE) definitions, age conflict edit (newborn, pediatric,
        maternity, adult diagnosis lists); MCE v42-v44 code lists bundled per fiscal year.
    """

    code = "ICD007"
    name = "age-conflict"
    severity = Severity.ERROR
    summary = "a code that does not fit the patient's age"
    reference = f"{MCE}, age conflict edit"
    fix = "Correct the birth date (DMG02) or the diagnosis code."

    def check_codes(
        self, claim: Claim, codes: CodeSet, diagnoses: list[Diagnosis], ctx: RuleContext
    ) -> Iterator[Found]:
        person = claim.person
        if person is None or person.birth_date is None:
            return
        day = date_of_service(claim, ctx)
        if person.birth_date > day:
            return  # service before birth is CLM005's finding
        age = age_on(person.birth_date, day)
        for dx in diagnoses:
            for name, low, high in _age_edits(codes, dx.code):
                if not low <= age <= high:
                    shown = show(dx.code)
                    yield self.finding(
                        f"{shown} ({codes.describe(dx.code)}) is a {name} code (age {low}-{high}); "
                        f"the patient is {age} on the date of service",
                        **at(dx),
                        codes=[shown],
                        reference=f"{MCE}, {name} diagnoses ({codes.label})",
                    )
                    break


@lru_cache(maxsize=1 << 16)
def _age_edits(codes: CodeSet, code: str) -> tuple[tuple[str, int, int], ...]:
    """(edit, lowest age, highest age) of the MCE age edits a code is listed in, in edit order.

    Memoized per code set and code: most codes are in none, and a file repeats its codes.
    """
    flags = codes.bits(code)
    return tuple((name, *codes.age_ranges.get(name, default)) for flag, name, default in _AGE_EDITS if flags & flag)


class SexConflictOptions(RuleOptions):
    """``[rules.options.ICD008]``: code lists that change which sex a code applies to."""

    male_only: tuple[str, ...] = ()  # codes or code prefixes for male patients only
    female_only: tuple[str, ...] = ()  # codes or code prefixes for female patients only
    ignore: tuple[str, ...] = ()  # codes or code prefixes never checked for sex


class SexConflict(Icd10Rule):
    """
    What it checks:
        The patient's sex (DMG03 of 2010CA, or of 2010BA when the subscriber is the patient)
        against codes that apply to one sex only. Unknown sex (U or missing) is not checked.

    Why payers reject it:
        A male-only code for a female patient (or the reverse) usually means a wrong code or
        wrong demographics. CMS removed its sex-conflict edit from the MCE for FY2025, so many
        payers no longer reject on it: it is a warning by default.

    Example:
        N40.0 (benign prostatic hyperplasia) for a patient with DMG03 F; O80 for DMG03 M.

    Fix:
        Check the code and DMG03; when both are right (e.g. a transgender patient), keep them
        and, if the payer asks, add the condition code or note it requires.

    Configuration:
        Severity may be changed. The shipped lists are the CMS MCE v41 (FY2024) sex-edit lists;
        options ``male_only`` and ``female_only`` add codes or code prefixes, ``ignore`` removes
        them (``[rules.options.ICD008] ignore = ["Z31"]``).

    References:
        CMS Medicare Code Editor v41 (FY2024) sex conflict edit, male and female diagnosis
        lists; FY2025 IPPS final rule (removal of the MCE sex conflict edit).
    """

    code = "ICD008"
    name = "sex-conflict"
    severity = Severity.WARNING
    summary = "a code that applies to the other sex only"
    reference = "CMS MCE v41 (FY2024) sex conflict edit lists"
    fix = "Check the diagnosis code and the patient's sex (DMG03)."
    options = SexConflictOptions
    status = ClaimStatus(INVALID, "86")  # diagnosis and patient gender mismatch

    def _sex_of(self, codes: CodeSet, code: str, options: SexConflictOptions) -> str:
        if not (options.ignore or options.male_only or options.female_only):
            return _sex_in_lists(codes, code)
        code = normalize(code)
        if any(code.startswith(normalize(p)) for p in options.ignore):
            return ""
        if any(code.startswith(normalize(p)) for p in options.male_only):
            return "M"
        if any(code.startswith(normalize(p)) for p in options.female_only):
            return "F"
        return _sex_in_lists(codes, code)

    def check_codes(
        self, claim: Claim, codes: CodeSet, diagnoses: list[Diagnosis], ctx: RuleContext
    ) -> Iterator[Found]:
        person = claim.person
        if person is None or person.sex not in ("M", "F"):
            return
        options = ctx.options_for(self)
        for dx in diagnoses:
            needed = self._sex_of(codes, dx.code, options)
            if needed and needed != person.sex:
                shown = show(dx.code)
                word = {"M": "male", "F": "female"}[needed]
                yield self.finding(
                    f"{shown} ({codes.describe(dx.code)}) applies to {word} patients; DMG03 is {person.sex}",
                    **at(dx),
                    codes=[shown],
                )


@lru_cache(maxsize=1 << 16)
def _sex_in_lists(codes: CodeSet, code: str) -> str:
    """The sex the shipped MCE lists tie a code to ('M', 'F' or ''); memoized per code set and code."""
    flags = codes.bits(code)
    return "M" if flags & MALE else "F" if flags & FEMALE else ""
