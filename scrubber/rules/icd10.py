"""ICD: ICD-10-CM edits on the HI diagnoses of a claim, judged by the code set of its date of service.

The code-set provider (:class:`scrubber.refdata.codesets.icd10.CodeSets`) arrives in ``ctx.icd10``; rules
only look codes up in it. Every finding names the code-set year that judged the claim in its
reference, so a coder can tell an FY2026 verdict from an FY2027 one.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from itertools import combinations

from scrubber.findings import Finding, Severity
from scrubber.model import Claim, Diagnosis
from scrubber.refdata.codesets.icd10 import CodeFlag, CodeSet, normalize
from scrubber.refdata.codesets.icd10.codes import ICD10_EFFECTIVE, looks_like_icd10
from scrubber.refdata.codesets.icd10.ranges import CodeRange
from scrubber.rules.base import Rule, RuleContext
from scrubber.rules.icd10_support import (
    GUIDELINES,
    ICD9_QUALIFIERS,
    MCE,
    age_on,
    date_of_service,
    icd10_claim,
    known_diagnoses,
    provider,
    show,
    tabular_reference,
)

LOOP = "2300"

# Flag bits as plain ints, tested against CodeSet.bits(): ``CodeFlag & CodeFlag`` builds a new
# enum member per test, which the age, sex and unspecified rules did for every diagnosis.
_MANIFESTATION = int(CodeFlag.MANIFESTATION)
_MALE = int(CodeFlag.MALE)
_FEMALE = int(CodeFlag.FEMALE)
_UNSPECIFIED = int(CodeFlag.UNSPECIFIED)


def _at(dx: Diagnosis) -> dict:
    """Location keywords for a finding about one HI code."""
    return {"segment": dx.segment, "element": dx.element_ref, "loop": LOOP}


class InvalidCode(Rule):
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

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Finding]:
        judged = icd10_claim(claim, ctx)
        if judged is None:
            return
        codes, diagnoses = judged
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
                **_at(dx),
                codes=[shown],
                reference=tabular_reference(codes, "code list"),
                fix=hint,
            )


class HeaderCode(Rule):
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

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Finding]:
        judged = icd10_claim(claim, ctx)
        if judged is None:
            return
        codes, diagnoses = judged
        for dx in diagnoses:
            if not codes.is_header(dx.code):
                continue
            shown = show(dx.code)
            options = [show(c) for c in codes.billable_descendants(dx.code)]
            yield self.finding(
                f"{shown} ({codes.describe(dx.code)}) is a header in {codes.label}, not a billable code",
                **_at(dx),
                codes=[shown],
                reference=tabular_reference(codes, f"{shown} (header)"),
                fix=f"Use a billable code under {shown}, e.g. {', '.join(options)}." if options else self.fix,
            )


class Icd9Qualifier(Rule):
    """
    What it checks:
        HI qualifiers BK, BF and BJ (ICD-9-CM principal, other and admitting diagnosis) on a
        claim whose date of service is 2015-10-01 or later. For earlier dates of service it adds
        an info finding saying that ICD-9-CM codes are not checked by this scrubber.

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
    summary = "ICD-9-CM qualifier (BK/BF/BJ) on a date of service from 2015-10-01"
    reference = "45 CFR 162.1002(c); 005010X222A1 HI01-1 code list qualifier"
    fix = "Send ICD-10-CM codes with qualifier ABK (principal) or ABF (other)."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Finding]:
        icd9 = [dx for dx in claim.diagnoses if dx.qualifier in ICD9_QUALIFIERS]
        if not icd9 or claim.service_date is None:
            return
        if claim.service_date < ICD10_EFFECTIVE:
            yield self.finding(
                f"date of service {claim.service_date.isoformat()} is before ICD-10-CM; "
                "the ICD-9-CM codes of this claim are not checked",
                **_at(icd9[0]),
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
                loop=LOOP,
                codes=[dx.code],
            )


class Excludes1Conflict(Rule):
    """
    What it checks:
        Every pair of ICD-10-CM codes on the claim against the Excludes1 notes of both codes,
        read in both directions and inherited from the subcategory, category, block and chapter
        above each code. Notes name codes (R54), categories (M62.8-, M33.-), ranges (O00-O9A)
        and qualified ranges (E08-E13 with .42); notes that name no code are not applied.

    Why payers reject it:
        An Excludes1 note means "not coded here": the two conditions cannot be reported
        together, and many payers' editors reject the pair.

    Example:
        R53.1 (Weakness) with M62.81 (Muscle weakness, generalized): R53.1 Excludes1 lists
        M62.81. M62.81 with M62.84 (Sarcopenia) likewise. M62.81 with R53.83 (Other fatigue)
        is fine.

    Fix:
        Keep the code the documentation supports and remove the other. When the two conditions
        are documented as unrelated, the Excludes1 exception applies (guideline I.A.12.a): keep
        both and lower this rule's severity for that payer.

    Configuration:
        Severity may be changed per payer (the Excludes1 exception for unrelated conditions is a
        coder's judgement that the scrubber cannot see).

    References:
        ICD-10-CM Official Guidelines for Coding and Reporting, section I.A.12.a (Excludes1);
        the Excludes1 notes of the tabular of the date of service.
    """

    code = "ICD004"
    name = "excludes1-conflict"
    severity = Severity.ERROR
    summary = "two codes that an Excludes1 note forbids together"
    reference = f"{GUIDELINES}, I.A.12.a Excludes1"
    fix = "Remove one of the two codes, unless the conditions are documented as unrelated."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Finding]:
        judged = known_diagnoses(claim, ctx)
        if judged is None:
            return
        codes, known = judged
        for first, second in combinations(known, 2):
            if normalize(first.code) == normalize(second.code):
                continue
            hit = codes.excluded_together(first.code, second.code)
            if hit is None:
                continue
            a, b = show(first.code), show(second.code)
            note = codes.note_text(hit)
            yield self.finding(
                f"{a} and {b} are excluded together: {hit.owner_label} Excludes1 lists {hit.range}"
                + (f' ("{note}")' if note else ""),
                **_at(second),
                codes=[a, b],
                reference=tabular_reference(codes, f"{hit.owner_label} Excludes1"),
                fix=f"Keep {a} or {b}, not both, unless the documentation shows unrelated conditions.",
            )


class ManifestationFirst(Rule):
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
    name = "manifestation-first"
    severity = Severity.ERROR
    summary = "a manifestation code listed first"
    reference = f"{GUIDELINES}, I.A.13; {MCE}, manifestation as principal diagnosis"
    fix = "List the underlying condition first and the manifestation after it."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Finding]:
        judged = icd10_claim(claim, ctx)
        if judged is None:
            return
        codes, diagnoses = judged
        first = diagnoses[0]
        if not codes.bits(first.code) & _MANIFESTATION:
            return
        shown = show(first.code)
        code_first = [text for _, text in codes.inherited_notes(first.code, "code_first")]
        hint = self.fix
        if code_first:
            hint += " Code first: " + "; ".join(code_first[:4]) + "."
        yield self.finding(
            f"{shown} ({codes.describe(first.code)}) is a manifestation code and cannot be listed first",
            **_at(first),
            codes=[shown],
            reference=tabular_reference(codes, f"{shown} code-first note; {GUIDELINES}, I.A.13"),
            fix=hint,
        )


class ExternalCauseFirst(Rule):
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
    name = "external-cause-first"
    severity = Severity.ERROR
    summary = "an external cause code (V00-Y99) listed first"
    reference = f"{GUIDELINES}, I.C.20"
    fix = "List the injury or condition first; external cause codes follow it."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Finding]:
        judged = icd10_claim(claim, ctx)
        if judged is None:
            return
        codes, diagnoses = judged
        first = diagnoses[0]
        category = normalize(first.code)[:3]
        if not ("V00" <= category <= "Y99"):
            return
        shown = show(first.code)
        yield self.finding(
            f"{shown} is an external cause code (V00-Y99) and cannot be listed first",
            **_at(first),
            codes=[shown],
            reference=f"{GUIDELINES}, I.C.20; {codes.label}",
        )


_AGE_EDITS = (
    (int(CodeFlag.NEWBORN), "newborn", (0, 0)),
    (int(CodeFlag.PEDIATRIC), "pediatric", (0, 17)),
    (int(CodeFlag.MATERNITY), "maternity", (9, 64)),
    (int(CodeFlag.ADULT), "adult", (15, 124)),
)


class AgeConflict(Rule):
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

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Finding]:
        judged = icd10_claim(claim, ctx)
        person = claim.person
        if judged is None or person is None or person.birth_date is None:
            return
        codes, diagnoses = judged
        day = date_of_service(claim, ctx)
        if person.birth_date > day:
            return  # service before birth is CLM005's finding
        age = age_on(person.birth_date, day)
        for dx in diagnoses:
            flags = codes.bits(dx.code)
            for flag, name, default in _AGE_EDITS:
                low, high = codes.age_ranges.get(name, default)
                if flags & flag and not low <= age <= high:
                    shown = show(dx.code)
                    yield self.finding(
                        f"{shown} ({codes.describe(dx.code)}) is a {name} code (age {low}-{high}); "
                        f"the patient is {age} on the date of service",
                        **_at(dx),
                        codes=[shown],
                        reference=f"{MCE}, {name} diagnoses ({codes.label})",
                    )
                    break


class SexConflict(Rule):
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
        them (``[rules.ICD008] ignore = ["Z31"]``).

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

    def _sex_of(self, code: str, flags: int, options: dict) -> str:
        if not options:  # the usual case: the shipped lists alone
            return "M" if flags & _MALE else "F" if flags & _FEMALE else ""
        code = normalize(code)
        if any(code.startswith(normalize(p)) for p in options.get("ignore", [])):
            return ""
        if any(code.startswith(normalize(p)) for p in options.get("male_only", [])):
            return "M"
        if any(code.startswith(normalize(p)) for p in options.get("female_only", [])):
            return "F"
        return "M" if flags & _MALE else "F" if flags & _FEMALE else ""

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Finding]:
        judged = icd10_claim(claim, ctx)
        person = claim.person
        if judged is None or person is None or person.sex not in ("M", "F"):
            return
        codes, diagnoses = judged
        options = ctx.options.get(self.code, {})
        for dx in diagnoses:
            needed = self._sex_of(dx.code, codes.bits(dx.code), options)
            if needed and needed != person.sex:
                shown = show(dx.code)
                word = {"M": "male", "F": "female"}[needed]
                yield self.finding(
                    f"{shown} ({codes.describe(dx.code)}) applies to {word} patients; DMG03 is {person.sex}",
                    **_at(dx),
                    codes=[shown],
                )


class UnspecifiedCode(Rule):
    """
    What it checks:
        Codes whose title says "unspecified" (or that the CMS MCE lists as unspecified) when
        the same parent has billable codes that are not unspecified.

    Why payers reject it:
        Many payers deny or pend unspecified codes (laterality, type, site) when a specific code
        exists and the documentation supports it. It is information, not an error.

    Example:
        M25.569 (Pain in unspecified knee) when M25.561 (right knee) and M25.562 (left knee)
        exist.

    Fix:
        If the record documents the detail (side, type, site), use the specific code.

    Configuration:
        Severity may be changed or the rule disabled. Seventh-character codes are compared with
        siblings of the same stem only, so an unspecified stem is not reported through them.

    References:
        ICD-10-CM Official Guidelines for Coding and Reporting, section I.B.18 (use of
        "unspecified" codes) and I.B.13 (laterality).
    """

    code = "ICD009"
    name = "unspecified-code"
    severity = Severity.INFO
    summary = "an unspecified code where a specific one exists"
    reference = f"{GUIDELINES}, I.B.18 use of unspecified codes"
    fix = "Use the specific code if the documentation supports it."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Finding]:
        judged = icd10_claim(claim, ctx)
        if judged is None:
            return
        codes, diagnoses = judged
        for dx in diagnoses:
            found = _unspecified(codes, dx.code)
            if found is None:
                continue
            text, siblings = found
            shown = show(dx.code)
            options = ", ".join(show(c) for c in siblings[:4])
            yield self.finding(
                f"{shown} ({text}) is unspecified; more specific codes exist: {options}",
                **_at(dx),
                codes=[shown],
                fix=f"If documented, use a specific code such as {options}.",
            )


@lru_cache(maxsize=1 << 14)
def _unspecified(codes: CodeSet, code: str) -> tuple[str, tuple[str, ...]] | None:
    """(title, specific siblings) when ``code`` is a billable unspecified code with specific
    siblings, else None.

    Memoized per code set and code: the answer depends on the code set alone, it scans every
    sibling's title, and the same codes recur claim after claim.
    """
    if not codes.is_billable(code):
        return None
    text = codes.describe(code)
    if "unspecified" not in text.lower() and not codes.bits(code) & _UNSPECIFIED:
        return None
    code = normalize(code)
    parent = codes.parent(code)
    siblings = tuple(
        sorted(
            c
            for c in (codes.children(parent) if parent else [])
            if c != code and codes.is_billable(c) and "unspecified" not in codes.describe(c).lower()
        )
    )
    return (text, siblings) if siblings else None


class SymptomWithDefinitive(Rule):
    """
    What it checks:
        A symptom or sign code (R00-R99) on the same claim as a definitive diagnosis that the
        tabular relates to it. "Related" is read from the tabular itself, conservatively: the
        symptom's own Excludes2 notes (on the symptom code, its subcategory or its category, not
        the block or chapter notes) name the definitive code. Such a note says the symptom is
        classified with that condition; when both are coded the symptom is often integral to
        it. Excludes1 pairs are ICD004 errors and are not repeated here.

    Why payers reject it:
        Signs and symptoms routinely associated with a disease are not coded in addition to it
        (guideline I.B.5); payers' editors and auditors flag the symptom as redundant.

    Example:
        R51.9 (Headache, unspecified) with G43.909 (Migraine, unspecified): R51's notes name
        migraine (G43-G44).

    Fix:
        Drop the symptom code when it is part of the definitive diagnosis; keep it when the
        documentation shows it is not routinely associated (guideline I.B.6).

    Configuration:
        Severity may be changed (warning by default); disable for payers that want every
        symptom coded.

    References:
        ICD-10-CM Official Guidelines for Coding and Reporting, sections I.B.5 and I.B.6, and
        chapter 18 guideline I.C.18.b; Excludes2 notes of chapter 18 codes in the tabular.
    """

    code = "ICD010"
    name = "symptom-with-definitive"
    severity = Severity.WARNING
    summary = "a symptom code beside a related definitive diagnosis"
    reference = f"{GUIDELINES}, I.B.5"
    fix = "Remove the symptom code if it is integral to the definitive diagnosis."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Finding]:
        judged = known_diagnoses(claim, ctx)
        if judged is None:
            return
        codes, known = judged
        for symptom in known:
            code = normalize(symptom.code)
            ranges = _own_excludes2(codes, code)
            if not ranges:
                continue
            for other in known:
                other_code = normalize(other.code)
                if "R00" <= other_code[:3] <= "R99" or codes.excluded_together(code, other_code):
                    continue
                hit = next(((o, r) for o, r in ranges if r.matches(other_code)), None)
                if hit is None:
                    continue
                owner, found = hit
                a, b = show(code), show(other_code)
                yield self.finding(
                    f"symptom {a} ({codes.describe(code)}) is coded beside {b} ({codes.describe(other_code)}); "
                    f"{show(owner)} Excludes2 names {found} as a condition classified elsewhere",
                    **_at(symptom),
                    codes=[a, b],
                    reference=tabular_reference(codes, f"{show(owner)} Excludes2; {GUIDELINES}, I.B.5"),
                    fix=f"Remove {a} if it is routinely part of {b}; keep it if documented as separate.",
                )
                break


@lru_cache(maxsize=1 << 14)
def _own_excludes2(codes: CodeSet, code: str) -> tuple[tuple[str, CodeRange], ...]:
    """The Excludes2 notes of a symptom code (R00-R99) itself, its subcategory or category, not
    of its block or chapter; empty for other codes. Memoized per code set and code."""
    if not ("R00" <= code[:3] <= "R99"):
        return ()
    return tuple(
        (owner, found)
        for owner, found in codes.exclusion_ranges(code, "excludes2")
        if owner[:3] == code[:3] and "-" not in owner
    )


class DuplicateDiagnosis(Rule):
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

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Finding]:
        seen: dict[str, Diagnosis] = {}
        for dx in claim.diagnoses:
            if not dx.is_icd10 or not dx.code:
                continue
            code = normalize(dx.code)
            if code in seen:
                shown = show(code)
                yield self.finding(
                    f"{shown} is listed twice (diagnosis {seen[code].position} and {dx.position})",
                    **_at(dx),
                    codes=[shown],
                )
            else:
                seen[code] = dx


RULES: list[Rule] = [
    InvalidCode(),
    HeaderCode(),
    Icd9Qualifier(),
    Excludes1Conflict(),
    ManifestationFirst(),
    ExternalCauseFirst(),
    AgeConflict(),
    SexConflict(),
    UnspecifiedCode(),
    SymptomWithDefinitive(),
    DuplicateDiagnosis(),
]
